import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import {
  describeHours,
  hoursFromSchedules,
  isNamedTimeZone,
  normalizeWeeklyHours,
  type OpeningPeriod,
  schedulesFromHours,
} from './hours.js';

// Weekly hours as partners propose them and as HSDS schedule rows store them.

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? `${err.code}:${err.values?.fields}` : 'other';
  }
  return 'accepted';
};

describe('time zones', () => {
  it('accepts named zones and refuses offsets, Etc/GMT zones and unknown names', () => {
    for (const tz of [
      'America/Toronto',
      'America/St_Johns',
      'America/Regina',
      'America/Argentina/Buenos_Aires',
    ])
      expect(isNamedTimeZone(tz), tz).toBe(true);
    for (const tz of ['-05:00', 'UTC-5', 'EST', 'Etc/GMT+5', 'America/Nowhere', 'america/toronto', '', 'UTC'])
      expect(isNamedTimeZone(tz), tz).toBe(false);
  });
});

describe('normalizeWeeklyHours', () => {
  const p = (day: OpeningPeriod['day'], opens: string, closes: string): OpeningPeriod => ({
    day,
    opens,
    closes,
  });

  it('sorts periods in week order, then by opening time', () => {
    const h = normalizeWeeklyHours({
      timezone: 'America/Halifax',
      hours: [p('SU', '10:00', '14:00'), p('MO', '13:00', '17:00'), p('MO', '09:00', '12:00')],
    });
    expect(h.hours).toEqual([
      p('MO', '09:00', '12:00'),
      p('MO', '13:00', '17:00'),
      p('SU', '10:00', '14:00'),
    ]);
  });

  it('accepts a week with no hours, all-day and overnight periods', () => {
    expect(fieldOf(() => normalizeWeeklyHours({ timezone: 'America/Toronto', hours: [] }))).toBe('accepted');
    const h = { timezone: 'America/Winnipeg', hours: [p('FR', '20:00', '08:00'), p('SA', '08:00', '12:00')] };
    expect(fieldOf(() => normalizeWeeklyHours(h))).toBe('accepted');
    expect(fieldOf(() => normalizeWeeklyHours({ ...h, hours: [p('MO', '00:00', '23:59')] }))).toBe(
      'accepted',
    );
  });

  it('refuses bad zones, bad clock times, empty and overlapping periods, naming the field', () => {
    const tz = 'America/Toronto';
    expect(fieldOf(() => normalizeWeeklyHours({ timezone: '-05:00', hours: [] }))).toBe(
      'VALIDATION_FAILED:timezone',
    );
    for (const hours of [
      [p('MO', '24:00', '25:00')],
      [p('MO', '9:00', '17:00')],
      [p('MO', '09:00', '09:00')],
      [p('MO', '09:00', '13:00'), p('MO', '12:00', '17:00')],
      [p('MO', '20:00', '02:00'), p('MO', '22:00', '23:00')],
      [p('MO', '20:00', '08:00'), p('TU', '07:00', '12:00')],
      [p('SU', '22:00', '06:00'), p('MO', '05:00', '12:00')],
      [
        p('MO', '06:00', '07:00'),
        p('MO', '08:00', '09:00'),
        p('MO', '10:00', '11:00'),
        p('MO', '12:00', '13:00'),
      ],
      [{ day: 'XX' as OpeningPeriod['day'], opens: '09:00', closes: '17:00' }],
    ]) {
      expect(
        fieldOf(() => normalizeWeeklyHours({ timezone: tz, hours })),
        JSON.stringify(hours),
      ).toBe('VALIDATION_FAILED:hours');
    }
  });
});

describe('HSDS schedule rows', () => {
  it('groups days that share a period into one WEEKLY rule, and reads them back', () => {
    const week = normalizeWeeklyHours({
      timezone: 'America/Vancouver',
      hours: [
        ...(['MO', 'TU', 'WE', 'TH', 'FR'] as const).map((day) => ({ day, opens: '09:00', closes: '17:00' })),
        { day: 'SA', opens: '10:00', closes: '14:00' },
      ],
    });
    const rows = schedulesFromHours(week);
    expect(rows).toEqual([
      {
        freq: 'WEEKLY',
        wkst: 'MO',
        byday: 'MO,TU,WE,TH,FR',
        opensAt: '09:00',
        closesAt: '17:00',
        timezone: 'America/Vancouver',
      },
      {
        freq: 'WEEKLY',
        wkst: 'MO',
        byday: 'SA',
        opensAt: '10:00',
        closesAt: '14:00',
        timezone: 'America/Vancouver',
      },
    ]);
    expect(hoursFromSchedules(rows, 'America/Toronto')).toEqual(week);
  });

  it('reads DAILY rules, rules without days, seconds and missing zones', () => {
    const h = hoursFromSchedules(
      [
        { freq: 'DAILY', byday: null, opensAt: '08:00:00', closesAt: '20:00:00', timezone: null },
        { freq: 'WEEKLY', byday: 'sa, su', opensAt: '21:00', closesAt: '23:00', timezone: null },
        { freq: 'WEEKLY', byday: 'MO', opensAt: null, closesAt: null, timezone: 'America/Regina' },
      ],
      'America/Toronto',
    );
    expect(h?.timezone).toBe('America/Toronto');
    expect(h?.hours).toHaveLength(9);
    expect(h?.hours.filter((x) => x.day === 'SA')).toEqual([
      { day: 'SA', opens: '08:00', closes: '20:00' },
      { day: 'SA', opens: '21:00', closes: '23:00' },
    ]);
    expect(hoursFromSchedules([], 'America/Toronto')).toBeNull();
  });

  it('describes hours on one line for the change history', () => {
    expect(
      describeHours({
        timezone: 'America/Toronto',
        hours: [
          { day: 'MO', opens: '09:00', closes: '12:00' },
          { day: 'MO', opens: '13:00', closes: '17:00' },
          { day: 'SA', opens: '10:00', closes: '14:00' },
        ],
      }),
    ).toBe('MO 09:00-12:00, 13:00-17:00; SA 10:00-14:00 (America/Toronto)');
    expect(describeHours(null)).toBe('');
    expect(describeHours({ timezone: 'America/Toronto', hours: [] })).toBe('');
  });
});
