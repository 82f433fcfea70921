// Report periods (docs/api/reports.md): days, both included, in the URL as ?from=YYYY-MM-DD&to=YYYY-MM-DD so a
// report can be bookmarked. The funder's fiscal year runs from April 1 to March 31 (the evaluation's "2021-22").

import type { Period } from '../../../shared/period';

export { MAX_PERIOD_YEARS, type Period, type PeriodProblem, periodProblem } from '../../../shared/period';

export interface FiscalYear extends Period {
  /** The calendar year it starts in: 2021 for 2021-22. */
  start: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A date's own calendar day (local time), as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The fiscal year of a day: April 1 starts a new one. */
export function fiscalYearOf(day: string): number {
  const year = Number(day.slice(0, 4));
  return Number(day.slice(5, 7)) >= 4 ? year : year - 1;
}

export function fiscalYear(start: number): FiscalYear {
  return { start, from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/** The presets: the current fiscal year (today's), then the three before it. */
export function fiscalYearPresets(today: string, count = 4): FiscalYear[] {
  const current = fiscalYearOf(today);
  return Array.from({ length: count }, (_, i) => fiscalYear(current - i));
}

/** As the evaluation writes them: "2021-22" in English, "2021-2022" in French. */
export function fiscalYearLabel(start: number, locale: string): string {
  return locale.startsWith('fr') ? `${start}-${start + 1}` : `${start}-${String(start + 1).slice(2)}`;
}

/** The period in the address; the current fiscal year when it names none. */
export function periodFromSearch(search: string, today: string): Period {
  const params = new URLSearchParams(search);
  const from = params.get('from');
  const to = params.get('to');
  if (from === null && to === null) {
    const { from: f, to: t } = fiscalYear(fiscalYearOf(today));
    return { from: f, to: t };
  }
  return { from: from ?? '', to: to ?? '' };
}

export function periodSearch(p: Period): string {
  return `?${new URLSearchParams({ from: p.from, to: p.to }).toString()}`;
}

/** The preset a period is exactly, if any (to mark it as the current one). */
export function matchingPreset(p: Period, presets: readonly FiscalYear[]): FiscalYear | undefined {
  return presets.find((y) => y.from === p.from && y.to === p.to);
}
