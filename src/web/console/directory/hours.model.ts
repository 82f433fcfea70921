import type { MessageId } from '../../i18n/messages';
import type { OpeningPeriod, WeekDay, WeeklyHours } from './types';

// Weekly opening hours on the partner's form and in proposals, as pure functions: the form's state
// (periods per day, a named time zone) in, a proposal's `changes` out; and the text a reviewer reads.

export const WEEK_DAYS: readonly WeekDay[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
export const MAX_PERIODS_PER_DAY = 3;
/** Zone assumed when a service has no hours yet (the server's default too). */
export const DEFAULT_ZONE = 'America/Toronto';

/** Canada's zones, east to west, each with its label; the ones without daylight saving time are named as such. */
export const CANADIAN_ZONES: ReadonlyArray<{ id: string; label: MessageId }> = [
  { id: 'America/St_Johns', label: 'directory.hours.zone.newfoundland' },
  { id: 'America/Halifax', label: 'directory.hours.zone.atlantic' },
  { id: 'America/Blanc-Sablon', label: 'directory.hours.zone.atlanticStandard' },
  { id: 'America/Toronto', label: 'directory.hours.zone.eastern' },
  { id: 'America/Atikokan', label: 'directory.hours.zone.easternStandard' },
  { id: 'America/Winnipeg', label: 'directory.hours.zone.central' },
  { id: 'America/Regina', label: 'directory.hours.zone.saskatchewan' },
  { id: 'America/Edmonton', label: 'directory.hours.zone.mountain' },
  { id: 'America/Dawson_Creek', label: 'directory.hours.zone.mountainStandard' },
  { id: 'America/Vancouver', label: 'directory.hours.zone.pacific' },
  { id: 'America/Whitehorse', label: 'directory.hours.zone.yukon' },
];

export interface PeriodDraft {
  opens: string;
  closes: string;
}
export interface HoursDraft {
  timezone: string;
  days: Record<WeekDay, PeriodDraft[]>;
}

const byWeek = (a: OpeningPeriod, b: OpeningPeriod) =>
  WEEK_DAYS.indexOf(a.day) - WEEK_DAYS.indexOf(b.day) || a.opens.localeCompare(b.opens);

/** The form's starting state: the service's hours as they are (every day closed when it has none). */
export function hoursDraftOf(hours: WeeklyHours | null | undefined): HoursDraft {
  const days = Object.fromEntries(WEEK_DAYS.map((d) => [d, [] as PeriodDraft[]])) as Record<
    WeekDay,
    PeriodDraft[]
  >;
  for (const p of [...(hours?.hours ?? [])].sort(byWeek))
    days[p.day]?.push({ opens: p.opens, closes: p.closes });
  return { timezone: hours?.timezone ?? DEFAULT_ZONE, days };
}

export type HoursProblem = 'time' | 'same' | 'overlap' | 'nothingChanged';

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/**
 * The proposal's `changes` ({ timezone, hours } for the whole week, in week order) or why it cannot be sent,
 * with the same rules as the server: "HH:MM" times, a period may not open and close at the same time, and
 * the periods of a day may not overlap (one that closes before it opens runs past midnight).
 */
export function hoursChanges(
  draft: HoursDraft,
  current: WeeklyHours | null | undefined,
): { changes: WeeklyHours } | { problem: HoursProblem; day?: WeekDay } {
  const hours: OpeningPeriod[] = [];
  for (const day of WEEK_DAYS) {
    const periods = draft.days[day].map((p) => ({
      day,
      opens: p.opens.slice(0, 5),
      closes: p.closes.slice(0, 5),
    }));
    for (const p of periods) {
      if (!CLOCK.test(p.opens) || !CLOCK.test(p.closes)) return { problem: 'time', day };
      if (p.opens === p.closes) return { problem: 'same', day };
    }
    periods.sort(byWeek);
    for (let i = 1; i < periods.length; i++) {
      const prev = periods[i - 1]!;
      const prevEnd = minutes(prev.closes) > minutes(prev.opens) ? minutes(prev.closes) : 24 * 60;
      if (minutes(periods[i]!.opens) < prevEnd) return { problem: 'overlap', day };
    }
    hours.push(...periods);
  }
  // A period past midnight must end before the next day's first period starts.
  for (const [index, day] of WEEK_DAYS.entries()) {
    const overnight = hours.find((p) => p.day === day && minutes(p.closes) < minutes(p.opens));
    const next = hours.find((p) => p.day === WEEK_DAYS[(index + 1) % WEEK_DAYS.length]);
    if (overnight && next && minutes(next.opens) < minutes(overnight.closes))
      return { problem: 'overlap', day };
  }
  const changes = { timezone: draft.timezone, hours };
  const before = current ? { timezone: current.timezone, hours: [...current.hours].sort(byWeek) } : null;
  if (JSON.stringify(before ?? { timezone: draft.timezone, hours: [] }) === JSON.stringify(changes))
    return { problem: 'nothingChanged' };
  return { changes };
}

/** One day's periods as canonical text ("09:00–12:00, 13:00–17:00"; "" when closed), to compare and to show. */
export function dayText(hours: unknown, day: WeekDay): string {
  if (!Array.isArray(hours)) return '';
  return (hours as OpeningPeriod[])
    .filter((p) => p && p.day === day)
    .sort(byWeek)
    .map((p) => `${p.opens}–${p.closes}`)
    .join(', ');
}

/** A day's name in the UI language, capitalised for a label ("Monday", "Lundi"). */
export function dayName(day: WeekDay, locale: string, capitalised = true): string {
  // 2024-01-01 was a Monday.
  const date = new Date(Date.UTC(2024, 0, 1 + WEEK_DAYS.indexOf(day), 12));
  const name = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(date);
  return capitalised ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : name;
}
