import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../platform/db.js';
import { localDayBounds } from '../../platform/period.js';

/**
 * One tally: how many rows hold `value` in `field`. `value` is a code, a marker (`declined`, `unknown`), or '' for
 * "not asked" (null, or an empty list). `_total` rows carry the number of rows the fields are counted over.
 */
export interface TallyRow {
  role: string;
  field: string;
  value: string;
  n: number;
}

/** A list column unnested, an empty list counted once as '' (not asked). */
const listValues = (column: SQL) =>
  sql`unnest(case when cardinality(${column}) = 0 then array['']::text[] else ${column} end)`;

/** Aggregate figures only: codes and counts, never a name, a contact, free text or an id. All SQL of the module. */
export function createReportsRepository(db: Db) {
  return {
    /** Screening answers of signals that arrived in the period (safety, classification, needs). */
    screeningTallies(from: string, to: string, timeZone: string): Promise<TallyRow[]> {
      const { start, end } = localDayBounds(from, to, timeZone);
      return rowsOf<TallyRow>(
        db,
        sql`with s as (
              select sc.safety, sc.classification, sc.needs
              from screening sc join signal g on g.id = sc.signal_id
              where g.arrived_at >= ${start} and g.arrived_at < ${end}
            )
            select '' as role, '_total' as field, '' as value, count(*)::int as n from s
            union all
            select '', 'safety', coalesce(safety, ''), count(*)::int from s group by 3
            union all
            select '', 'classification', coalesce(classification, ''), count(*)::int from s group by 3
            union all
            select '', 'needs', v, count(*)::int from s, ${listValues(sql`s.needs`)} as v group by 3`,
      );
    },

    /** Coded fields of the people recorded in cases in the period, per role (gender, age band, exploitation). */
    peopleTallies(from: string, to: string, timeZone: string): Promise<TallyRow[]> {
      const { start, end } = localDayBounds(from, to, timeZone);
      return rowsOf<TallyRow>(
        db,
        sql`with p as (
              select role, gender, age_band, exploitation_types
              from case_person
              where created_at >= ${start} and created_at < ${end}
            )
            select role, '_total' as field, '' as value, count(*)::int as n from p group by 1
            union all
            select role, 'gender', coalesce(gender, ''), count(*)::int from p group by 1, 3
            union all
            select role, 'age_band', coalesce(age_band, ''), count(*)::int from p group by 1, 3
            union all
            select role, 'exploitation_types', v, count(*)::int
              from p, ${listValues(sql`p.exploitation_types`)} as v group by 1, 3`,
      );
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
