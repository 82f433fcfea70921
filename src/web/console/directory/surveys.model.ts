import type { AnsweredService, SurveyRecipient, SurveySummary } from './surveys.api';

// Pure rules of the survey screens: where each recipient stands, the filters, and when to keep polling.

export type RecipientState = 'answered' | 'failed' | 'sent' | 'pending';
export type RecipientFilter = 'all' | 'notAnswered' | 'answered' | 'failed';
export const RECIPIENT_FILTERS: RecipientFilter[] = ['all', 'notAnswered', 'answered', 'failed'];

/** An answer counts first; then a failed e-mail; then sent (waiting for an answer); else still queued. */
export function recipientState(r: SurveyRecipient): RecipientState {
  if (r.respondedAt) return 'answered';
  if (r.sendError) return 'failed';
  if (r.sentAt) return 'sent';
  return 'pending';
}

export function matchesFilter(r: SurveyRecipient, filter: RecipientFilter): boolean {
  const state = recipientState(r);
  switch (filter) {
    case 'all':
      return true;
    case 'answered':
      return state === 'answered';
    case 'failed':
      return state === 'failed';
    case 'notAnswered':
      return state !== 'answered';
  }
}

export function countByFilter(recipients: SurveyRecipient[]): Record<RecipientFilter, number> {
  const counts: Record<RecipientFilter, number> = { all: 0, notAnswered: 0, answered: 0, failed: 0 };
  for (const r of recipients) for (const f of RECIPIENT_FILTERS) if (matchesFilter(r, f)) counts[f]++;
  return counts;
}

/** E-mails still going out: the list refreshes itself until every message is sent or has failed. */
export function isDelivering(s: Pick<SurveySummary, 'total' | 'sent' | 'failed'>): boolean {
  return s.sent + s.failed < s.total;
}

export function isOpen(s: { closesAt: string }, now: number): boolean {
  return new Date(s.closesAt).getTime() > now;
}

/** Answered share in whole per cent (0 when nobody was sent it). */
export function answeredPercent(s: Pick<SurveySummary, 'total' | 'responded'>): number {
  return s.total === 0 ? 0 : Math.round((s.responded / s.total) * 100);
}

/** Progress from the recipients themselves (the detail page has no counts of its own). */
export function summarise(
  recipients: SurveyRecipient[],
): Pick<SurveySummary, 'total' | 'sent' | 'failed' | 'responded'> {
  let sent = 0;
  let failed = 0;
  let responded = 0;
  for (const r of recipients) {
    if (r.sentAt) sent++;
    if (r.sendError) failed++;
    if (r.respondedAt) responded++;
  }
  return { total: recipients.length, sent, failed, responded };
}

/**
 * A listing's name in the UI language: the translation for that language ("fr-CA", then "fr") when the listing
 * has one, else its main name (stored in whatever language the partner wrote it).
 */
export function nameIn(name: string, translations: Record<string, string>, locale: string): string {
  const lang = locale.split('-')[0] ?? locale;
  const exact = Object.entries(translations).find(([tag]) => tag.toLowerCase() === locale.toLowerCase());
  const translated =
    exact?.[1] ??
    translations[lang] ??
    Object.entries(translations).find(([tag]) => tag.startsWith(`${lang}-`))?.[1];
  return translated?.trim() ? translated : name;
}

/** An answered service's name in the UI language, or null when the service no longer exists. */
export function answeredServiceName(
  s: Pick<AnsweredService, 'name' | 'nameTranslations'>,
  locale: string,
): string | null {
  return s.name === null ? null : nameIn(s.name, s.nameTranslations, locale);
}
