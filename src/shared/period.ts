// Report periods (docs/api/reports.md): whole days, both included, as YYYY-MM-DD. One set of rules for the server
// (400 REPORT_PERIOD_INVALID / REPORT_PERIOD_TOO_LONG) and the console (checked before anything is sent).

export interface Period {
  from: string;
  to: string;
}

/** The longest period a report covers: five fiscal years (the evaluation compares three); REPORT_PERIOD_TOO_LONG beyond. */
export const MAX_PERIOD_YEARS = 5;

/** A real calendar day from 1900 on (2021-02-30 is not), as UTC milliseconds; undefined otherwise. */
export function dayValue(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d)
    return undefined;
  return at.getTime();
}

export type PeriodProblem = 'invalid' | 'order' | 'tooLong';

/** What is wrong with a period: real days, from ≤ to, shorter than MAX_PERIOD_YEARS; null when it is fine. */
export function periodProblem(p: Period): PeriodProblem | null {
  const from = dayValue(p.from);
  const to = dayValue(p.to);
  if (from === undefined || to === undefined) return 'invalid';
  if (from > to) return 'order';
  const f = new Date(from);
  if (to >= Date.UTC(f.getUTCFullYear() + MAX_PERIOD_YEARS, f.getUTCMonth(), f.getUTCDate()))
    return 'tooLong';
  return null;
}
