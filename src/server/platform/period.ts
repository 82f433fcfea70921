import { type SQL, sql } from 'drizzle-orm';

/** The hotline's zone when HARBOUR_TIME_ZONE is not set (config.ts applies the same default). */
export const DEFAULT_TIME_ZONE = 'America/Toronto';

/** The zone reports, safety-plan times and phone hours are read in. */
export const hotlineTimeZone = (config: { timeZone?: string | undefined }): string =>
  config.timeZone ?? DEFAULT_TIME_ZONE;

/**
 * A report period of whole local days, both included: from local midnight of `from` to local midnight after `to`,
 * in `timeZone`, as SQL timestamptz expressions (dates are `YYYY-MM-DD`, validated by the route).
 */
export function localDayBounds(from: string, to: string, timeZone: string): { start: SQL; end: SQL } {
  return {
    start: sql`((${from}::date)::timestamp at time zone ${timeZone})`,
    end: sql`((${to}::date + 1)::timestamp at time zone ${timeZone})`,
  };
}
