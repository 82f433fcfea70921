import { AppError } from '../../platform/errors.js';

// Weekly opening hours as partners propose them ({ timezone, hours: [{ day, opens, closes }] }) and as HSDS
// stores them (schedule rows: freq WEEKLY, byday, opens_at, closes_at, a named time zone). Pure functions.

/** HSDS/RFC 5545 day codes, in the week order the console shows (Monday first, as in Canada's official usage). */
export const WEEK_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

export interface OpeningPeriod {
  day: WeekDay;
  /** Local time "HH:MM" in `timezone`; a period that closes before it opens runs past midnight. */
  opens: string;
  closes: string;
}

export interface WeeklyHours {
  /** A named IANA zone (America/Toronto), never an offset: daylight saving time must follow the place. */
  timezone: string;
  hours: OpeningPeriod[];
}

/** The most periods a day may have (e.g. morning, afternoon, evening). */
export const MAX_PERIODS_PER_DAY = 3;

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A named time zone the runtime knows (America/Toronto, America/St_Johns); offsets and Etc/GMT±n are refused. */
export function isNamedTimeZone(tz: string): boolean {
  if (!/^[A-Z][A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2}$/.test(tz) || tz.startsWith('Etc/')) return false;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/** The minutes of the day a period covers on its own day (an overnight period runs to midnight). */
const span = (p: OpeningPeriod): [number, number] => {
  const start = minutes(p.opens);
  const end = minutes(p.closes);
  return [start, end > start ? end : 24 * 60];
};

/**
 * Validates and puts weekly hours in one canonical order (week order, then opening time), so that the same
 * hours always compare equal. Refuses unknown zones, bad clock times, empty periods and overlaps within a day.
 */
export function normalizeWeeklyHours(input: WeeklyHours): WeeklyHours {
  if (!isNamedTimeZone(input.timezone)) throw new AppError('VALIDATION_FAILED', 400, { fields: 'timezone' });
  const bad = () => new AppError('VALIDATION_FAILED', 400, { fields: 'hours' });
  for (const p of input.hours) {
    if (!WEEK_DAYS.includes(p.day) || !CLOCK.test(p.opens) || !CLOCK.test(p.closes) || p.opens === p.closes)
      throw bad();
  }
  const hours = input.hours
    .map((p) => ({ day: p.day, opens: p.opens, closes: p.closes }))
    .sort((a, b) => WEEK_DAYS.indexOf(a.day) - WEEK_DAYS.indexOf(b.day) || a.opens.localeCompare(b.opens));
  WEEK_DAYS.forEach((day, index) => {
    const mine = hours.filter((p) => p.day === day);
    if (mine.length > MAX_PERIODS_PER_DAY) throw bad();
    for (let i = 1; i < mine.length; i++) if (span(mine[i]!)[0] < span(mine[i - 1]!)[1]) throw bad();
    // A period past midnight must end before the next day's first period starts.
    const overnight = mine.find((p) => minutes(p.closes) < minutes(p.opens));
    const next = hours.find((p) => p.day === WEEK_DAYS[(index + 1) % WEEK_DAYS.length]);
    if (overnight && next && minutes(next.opens) < minutes(overnight.closes)) throw bad();
  });
  return { timezone: input.timezone, hours };
}

/** A schedule row as read from the database (only the fields weekly hours use). */
export interface ScheduleLike {
  freq: string | null;
  byday: string | null;
  opensAt: string | null;
  closesAt: string | null;
  timezone: string | null;
}

/** The weekly hours a service's regular schedule rows describe (a DAILY rule or one without days: every day). */
export function hoursFromSchedules(rows: ScheduleLike[], fallbackZone: string): WeeklyHours | null {
  const usable = rows.filter((r) => r.opensAt && r.closesAt);
  if (usable.length === 0) return null;
  const hours: OpeningPeriod[] = [];
  for (const r of usable) {
    const daily = (r.freq ?? '').toUpperCase() === 'DAILY' || !r.byday?.trim();
    const days = daily
      ? [...WEEK_DAYS]
      : r
          .byday!.toUpperCase()
          .split(',')
          .map((d) => d.trim().slice(-2))
          .filter((d): d is WeekDay => (WEEK_DAYS as readonly string[]).includes(d));
    for (const day of days)
      hours.push({ day, opens: r.opensAt!.slice(0, 5), closes: r.closesAt!.slice(0, 5) });
  }
  hours.sort((a, b) => WEEK_DAYS.indexOf(a.day) - WEEK_DAYS.indexOf(b.day) || a.opens.localeCompare(b.opens));
  const timezone = usable.find((r) => r.timezone)?.timezone ?? fallbackZone;
  return { timezone, hours };
}

/** HSDS schedule rows for weekly hours: one WEEKLY rule per distinct opening period, its days in `byday`. */
export function schedulesFromHours(h: WeeklyHours) {
  const groups = new Map<string, WeekDay[]>();
  for (const p of h.hours) {
    const key = `${p.opens}-${p.closes}`;
    groups.set(key, [...(groups.get(key) ?? []), p.day]);
  }
  return [...groups.entries()].map(([key, days]) => ({
    freq: 'WEEKLY',
    wkst: 'MO',
    byday: days.join(','),
    opensAt: key.slice(0, 5),
    closesAt: key.slice(6, 11),
    timezone: h.timezone,
  }));
}

/** One line for the HSDS metadata history: "MO 09:00-17:00; TU 09:00-12:00, 13:00-17:00 (America/Toronto)". */
export function describeHours(h: WeeklyHours | null): string {
  if (!h || h.hours.length === 0) return '';
  const days = WEEK_DAYS.flatMap((day) => {
    const periods = h.hours.filter((p) => p.day === day).map((p) => `${p.opens}-${p.closes}`);
    return periods.length ? [`${day} ${periods.join(', ')}`] : [];
  });
  return `${days.join('; ')} (${h.timezone})`;
}
