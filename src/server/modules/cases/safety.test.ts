import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import {
  checkCallBack,
  inSafeTime,
  isSafeNumber,
  isTimeZone,
  localTime,
  type SafetyPlan,
  validateSafetyPlan,
} from './safety.js';

const TORONTO = 'America/Toronto';
const at = (iso: string) => new Date(iso);

/** The error code thrown by `run`, or 'ok'. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

const weekdays: SafetyPlan = {
  safe_times: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '11:30' }],
  contact_number_safe: true,
  safe_numbers: [{ label: 'Friend (fictional)', number: '+1 555 010 0142' }],
  voicemail_allowed: true,
};

describe('localTime', () => {
  it('reads the wall clock of the zone, Monday = 0', () => {
    // 2026-06-08 is a Monday; 14:00Z = 10:00 EDT.
    expect(localTime(at('2026-06-08T14:00:00Z'), TORONTO)).toEqual({ day: 0, minute: 600 });
    // Monday 02:00Z is still Sunday 22:00 in Toronto.
    expect(localTime(at('2026-06-08T02:00:00Z'), TORONTO)).toEqual({ day: 6, minute: 22 * 60 });
    // Midnight is 00:00 (h23), not 24:00.
    expect(localTime(at('2026-06-06T04:00:00Z'), TORONTO)).toEqual({ day: 5, minute: 0 });
    // Offsets that are not whole hours.
    expect(localTime(at('2026-06-08T04:15:00Z'), 'Asia/Kathmandu')).toEqual({ day: 0, minute: 10 * 60 });
  });
});

describe('inSafeTime', () => {
  it('a window is [from, to): the start is safe, the end is not', () => {
    expect(inSafeTime(weekdays, at('2026-06-08T13:00:00Z'), TORONTO)).toBe(true); // Mon 09:00
    expect(inSafeTime(weekdays, at('2026-06-08T15:29:59Z'), TORONTO)).toBe(true); // Mon 11:29:59
    expect(inSafeTime(weekdays, at('2026-06-08T15:30:00Z'), TORONTO)).toBe(false); // Mon 11:30
    expect(inSafeTime(weekdays, at('2026-06-08T12:59:00Z'), TORONTO)).toBe(false); // Mon 08:59
    expect(inSafeTime(weekdays, at('2026-06-06T14:00:00Z'), TORONTO)).toBe(false); // Sat 10:00
  });

  it("uses the plan's zone, else the default; an unknown stored zone falls back to the default", () => {
    const vancouver: SafetyPlan = { ...weekdays, time_zone: 'America/Vancouver' };
    // Mon 10:00 PDT = 17:00Z = 13:00 in Toronto.
    expect(inSafeTime(vancouver, at('2026-06-08T17:00:00Z'), TORONTO)).toBe(true);
    expect(inSafeTime(weekdays, at('2026-06-08T17:00:00Z'), TORONTO)).toBe(false);
    expect(inSafeTime(weekdays, at('2026-06-08T17:00:00Z'), 'America/Vancouver')).toBe(true);
    const bogus: SafetyPlan = { ...weekdays, time_zone: 'Mars/Olympus_Mons' };
    expect(inSafeTime(bogus, at('2026-06-08T14:00:00Z'), TORONTO)).toBe(true);
  });

  it('a window with to < from spans midnight and belongs to the day it starts', () => {
    const friNight: SafetyPlan = { safe_times: [{ days: ['fri'], from: '22:00', to: '02:00' }] };
    expect(inSafeTime(friNight, at('2026-06-06T02:00:00Z'), TORONTO)).toBe(true); // Fri 22:00
    expect(inSafeTime(friNight, at('2026-06-06T03:00:00Z'), TORONTO)).toBe(true); // Fri 23:00
    expect(inSafeTime(friNight, at('2026-06-06T04:00:00Z'), TORONTO)).toBe(true); // Sat 00:00
    expect(inSafeTime(friNight, at('2026-06-06T05:59:00Z'), TORONTO)).toBe(true); // Sat 01:59
    expect(inSafeTime(friNight, at('2026-06-06T06:00:00Z'), TORONTO)).toBe(false); // Sat 02:00
    expect(inSafeTime(friNight, at('2026-06-07T03:00:00Z'), TORONTO)).toBe(false); // Sat 23:00
    expect(inSafeTime(friNight, at('2026-06-05T05:00:00Z'), TORONTO)).toBe(false); // Fri 01:00 (Thursday's night)
    expect(inSafeTime(friNight, at('2026-06-06T01:59:00Z'), TORONTO)).toBe(false); // Fri 21:59
  });

  it('Sunday night runs into Monday morning', () => {
    const sunNight: SafetyPlan = { safe_times: [{ days: ['sun'], from: '23:00', to: '01:00' }] };
    expect(inSafeTime(sunNight, at('2026-06-08T03:30:00Z'), TORONTO)).toBe(true); // Sun 23:30
    expect(inSafeTime(sunNight, at('2026-06-08T04:30:00Z'), TORONTO)).toBe(true); // Mon 00:30
    expect(inSafeTime(sunNight, at('2026-06-08T05:00:00Z'), TORONTO)).toBe(false); // Mon 01:00
    expect(inSafeTime(sunNight, at('2026-06-07T04:30:00Z'), TORONTO)).toBe(false); // Sun 00:30 (Saturday's night)
  });

  it('spring forward (2026-03-08, Toronto): the skipped hour never matches, the hours around it do', () => {
    const gap: SafetyPlan = { safe_times: [{ days: ['sun'], from: '02:00', to: '03:00' }] };
    for (const iso of ['2026-03-08T06:59:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z'])
      expect(inSafeTime(gap, at(iso), TORONTO)).toBe(false);
    const around: SafetyPlan = { safe_times: [{ days: ['sun'], from: '01:00', to: '03:30' }] };
    expect(inSafeTime(around, at('2026-03-08T06:59:00Z'), TORONTO)).toBe(true); // 01:59 EST
    expect(inSafeTime(around, at('2026-03-08T07:00:00Z'), TORONTO)).toBe(true); // 03:00 EDT, one minute later
    expect(inSafeTime(around, at('2026-03-08T07:29:00Z'), TORONTO)).toBe(true); // 03:29 EDT
    expect(inSafeTime(around, at('2026-03-08T07:30:00Z'), TORONTO)).toBe(false); // 03:30 EDT
  });

  it('fall back (2026-11-01, Toronto): both 01:30s are in a 01:00–02:00 window, 02:00 EST is not', () => {
    const plan: SafetyPlan = { safe_times: [{ days: ['sun'], from: '01:00', to: '02:00' }] };
    expect(inSafeTime(plan, at('2026-11-01T05:30:00Z'), TORONTO)).toBe(true); // 01:30 EDT
    expect(inSafeTime(plan, at('2026-11-01T06:30:00Z'), TORONTO)).toBe(true); // 01:30 EST
    expect(inSafeTime(plan, at('2026-11-01T07:00:00Z'), TORONTO)).toBe(false); // 02:00 EST
    // The same UTC time a week earlier (EDT) is 01:00 + 1h = 02:00 local on 2026-10-25: outside.
    expect(inSafeTime(plan, at('2026-10-25T06:00:00Z'), TORONTO)).toBe(false);
  });

  it('malformed stored windows and dates never match; a good window beside them still does', () => {
    const plan = {
      safe_times: [
        { days: ['mon'], from: '25:00', to: '26:00' },
        { days: ['monday'], from: '09:00', to: '10:00' },
        { days: ['mon'], from: '09:00', to: '09:00' },
        { days: 'mon', from: '09:00', to: '10:00' },
        { days: ['mon'], from: '9:00', to: '10:00' },
      ],
    } as unknown as SafetyPlan;
    expect(inSafeTime(plan, at('2026-06-08T13:30:00Z'), TORONTO)).toBe(false);
    plan.safe_times!.push({ days: ['mon'], from: '09:00', to: '10:00' });
    expect(inSafeTime(plan, at('2026-06-08T13:30:00Z'), TORONTO)).toBe(true);
    expect(inSafeTime(plan, new Date('not a date'), TORONTO)).toBe(false);
  });
});

describe('isSafeNumber', () => {
  it('contact only when the plan says exactly true', () => {
    for (const v of [true, false, 'declined', 'unknown', undefined] as const)
      expect(isSafeNumber({ contact_number_safe: v }, 'contact')).toBe(v === true);
  });

  it('safe:<n> is a 0-based index into safe_numbers; anything else is refused', () => {
    const plan: SafetyPlan = {
      safe_numbers: [
        { number: '+1 555 010 0101' },
        { label: 'Sister (fictional)', number: '+1 555 010 0102' },
      ],
    };
    expect(isSafeNumber(plan, 'safe:0')).toBe(true);
    expect(isSafeNumber(plan, 'safe:1')).toBe(true);
    for (const ref of [
      'safe:2',
      'safe:-1',
      'safe:01',
      'safe:1.0',
      'safe:',
      'safe:abc',
      'SAFE:0',
      ' safe:0',
      'safe:0 ',
      'safe:99999999999999999999',
      'contact ',
      'Contact',
      '',
      'safe:__proto__',
      '+1 555 010 0101',
    ])
      expect(isSafeNumber(plan, ref), ref).toBe(false);
    expect(isSafeNumber({}, 'safe:0')).toBe(false);
    expect(isSafeNumber({ contact_number_safe: true }, 'safe:0')).toBe(false);
  });
});

describe('checkCallBack', () => {
  const monday10 = at('2026-06-08T14:00:00Z');
  const saturday10 = at('2026-06-06T14:00:00Z');

  it('the matrix: plan, window, number, in that order', () => {
    const cases: [SafetyPlan | null, Date, string, string][] = [
      [null, monday10, 'contact', 'CALLBACK_NO_SAFETY_PLAN'],
      [{}, monday10, 'contact', 'CALLBACK_NO_SAFETY_PLAN'],
      [{ ...weekdays, safe_times: [] }, monday10, 'contact', 'CALLBACK_NO_SAFETY_PLAN'],
      [weekdays, saturday10, 'contact', 'CALLBACK_OUTSIDE_SAFE_WINDOW'],
      [weekdays, saturday10, 'nonsense', 'CALLBACK_OUTSIDE_SAFE_WINDOW'],
      [weekdays, new Date(Number.NaN), 'contact', 'CALLBACK_OUTSIDE_SAFE_WINDOW'],
      [weekdays, monday10, 'nonsense', 'CALLBACK_NUMBER_NOT_SAFE'],
      [weekdays, monday10, 'safe:1', 'CALLBACK_NUMBER_NOT_SAFE'],
      [{ ...weekdays, contact_number_safe: 'unknown' }, monday10, 'contact', 'CALLBACK_NUMBER_NOT_SAFE'],
      [{ ...weekdays, contact_number_safe: 'declined' }, monday10, 'contact', 'CALLBACK_NUMBER_NOT_SAFE'],
      [{ ...weekdays, contact_number_safe: false }, monday10, 'contact', 'CALLBACK_NUMBER_NOT_SAFE'],
      [{ ...weekdays, contact_number_safe: false }, monday10, 'safe:0', 'ok'],
      [weekdays, monday10, 'contact', 'ok'],
      [weekdays, monday10, 'safe:0', 'ok'],
    ];
    for (const [plan, dueAt, ref, expected] of cases)
      expect(
        outcome(() => checkCallBack(plan, dueAt, ref, TORONTO)),
        `${ref} ${dueAt.getTime()}`,
      ).toBe(expected);
  });

  it('the errors are 422s', () => {
    try {
      checkCallBack(null, monday10, 'contact', TORONTO);
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).statusCode).toBe(422);
    }
  });

  it('voicemail only when the plan says exactly true', () => {
    for (const v of [true, false, 'declined', 'unknown', undefined] as const)
      expect(checkCallBack({ ...weekdays, voicemail_allowed: v }, monday10, 'contact', TORONTO)).toEqual({
        voicemailAllowed: v === true,
      });
  });
});

describe('validateSafetyPlan', () => {
  it('accepts real zones and non-empty windows', () => {
    expect(isTimeZone('America/Toronto')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(() => validateSafetyPlan({ ...weekdays, time_zone: 'America/St_Johns' })).not.toThrow();
  });

  it('refuses an unknown zone and a from = to window, naming the field only', () => {
    for (const zone of ['Mars/Olympus_Mons', '', 'America/Toronto<script>', 'x'.repeat(100)])
      expect(isTimeZone(zone), zone).toBe(false);
    try {
      validateSafetyPlan({
        time_zone: 'Mars/Olympus_Mons',
        safe_times: [
          { days: ['mon'], from: '09:00', to: '10:00' },
          { days: ['tue'], from: '09:00', to: '09:00' },
        ],
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).code).toBe('VALIDATION_FAILED');
      expect((err as AppError).values).toEqual({ fields: 'safety_plan.time_zone, safety_plan.safe_times.1' });
    }
  });
});
