import {
  AGE_BANDS,
  CLASSIFICATIONS,
  DECLINED,
  EXPLOITATION_TYPES,
  GENDERS,
  NEEDS,
  PERSON_ROLES,
  SAFETY,
  UNKNOWN,
} from '../../../shared/cases.js';
import { MAX_PERIOD_YEARS, periodProblem } from '../../../shared/period.js';
import type { FieldCounts, ScreeningReport } from '../../../shared/reports.js';

export type { FieldCounts, ScreeningReport };

import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { createReportsRepository, type TallyRow } from './reports.repository.js';

/** Screening answers reported, with their code lists (src/shared/cases.ts). */
export const SCREENING_FIELDS = { safety: SAFETY, classification: CLASSIFICATIONS, needs: NEEDS } as const;
/** Coded fields of people reported per role (statistical fields only). */
export const PERSON_FIELDS = {
  gender: GENDERS,
  age_band: AGE_BANDS,
  exploitation_types: EXPLOITATION_TYPES,
} as const;

/**
 * A report period: two real days, from ≤ to (both included), at most MAX_PERIOD_YEARS long (to before the same
 * day five years after from). 400 with a stable code otherwise, so a bookmarked wrong link says what is wrong.
 */
export function checkPeriod(from: string, to: string): void {
  const problem = periodProblem({ from, to });
  if (problem === 'tooLong') throw new AppError('REPORT_PERIOD_TOO_LONG', 400, { years: MAX_PERIOD_YEARS });
  if (problem) throw new AppError('REPORT_PERIOD_INVALID', 400);
}

/** Tallies of one field → codes in list order, then unlisted codes, and the three non-answers apart. */
function fieldCounts(field: string, codes: readonly string[], rows: TallyRow[]): FieldCounts {
  const counts = new Map<string, number>(codes.map((c) => [c, 0]));
  const out: FieldCounts = { field, counts: [], declined: 0, unknown: 0, not_asked: 0 };
  const extra: string[] = [];
  for (const r of rows) {
    if (r.field !== field) continue;
    const n = Number(r.n);
    if (r.value === '') out.not_asked += n;
    else if (r.value === DECLINED) out.declined += n;
    else if (r.value === UNKNOWN) out.unknown += n;
    else {
      if (!counts.has(r.value)) extra.push(r.value);
      counts.set(r.value, (counts.get(r.value) ?? 0) + n);
    }
  }
  extra.sort();
  out.counts = [...codes, ...extra].map((code) => ({ code, count: counts.get(code) ?? 0 }));
  return out;
}

const totalOf = (rows: TallyRow[]) => Number(rows.find((r) => r.field === '_total')?.n ?? 0);

/** Reports over screenings and case people (docs/api/reports.md): aggregate counts only. */
export function createReportsService(deps: { db: Db; timeZone: string }) {
  const repo = createReportsRepository(deps.db);
  return {
    async screening(from: string, to: string): Promise<ScreeningReport> {
      checkPeriod(from, to);
      const [screenings, people] = await Promise.all([
        repo.screeningTallies(from, to, deps.timeZone),
        repo.peopleTallies(from, to, deps.timeZone),
      ]);
      const roles = [
        ...PERSON_ROLES,
        ...[...new Set(people.map((r) => r.role))]
          .filter((r) => !(PERSON_ROLES as readonly string[]).includes(r))
          .sort(),
      ];
      const byRole = roles.map((role) => {
        const rows = people.filter((r) => r.role === role);
        return {
          role,
          people: totalOf(rows),
          fields: Object.entries(PERSON_FIELDS).map(([f, codes]) => fieldCounts(f, codes, rows)),
        };
      });
      return {
        from,
        to,
        time_zone: deps.timeZone,
        screenings: totalOf(screenings),
        fields: Object.entries(SCREENING_FIELDS).map(([f, codes]) => fieldCounts(f, codes, screenings)),
        people: byRole.reduce((s, r) => s + r.people, 0),
        people_by_role: byRole,
      };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
