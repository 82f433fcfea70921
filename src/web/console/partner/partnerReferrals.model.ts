import type { PartnerReferral, SafeTime } from './partnerReferrals.api';

// Pure helpers of the partner's referrals page (tested in partnerReferrals.model.test.ts).

const DAY_INDEX: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 0 };

/** Safe times in words, in the reader's language: "Mon, Tue 09:00–11:30 (America/Toronto)". */
export function safeTimesText(
  value: PartnerReferral['shared']['safe_times'],
  locale: string,
  everyDay: string,
) {
  if (!value) return '';
  if (typeof value === 'string') return value;
  const list: SafeTime[] = Array.isArray(value) ? value : (value.times ?? []);
  const zone = Array.isArray(value) ? undefined : value.time_zone;
  const dayFormat = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const dayName = (d: string) => {
    const index = DAY_INDEX[d];
    // 2024-01-07 was a Sunday: index days from there.
    return index === undefined ? d : dayFormat.format(new Date(Date.UTC(2024, 0, 7 + index)));
  };
  const parts = list.map((time) => {
    const days = time.days && time.days.length > 0 ? time.days.map(dayName).join(', ') : everyDay;
    return `${days} ${time.from ?? ''}–${time.to ?? ''}`.trim();
  });
  return parts.join('; ') + (zone ? ` (${zone})` : '');
}
