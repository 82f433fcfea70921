import { describe, expect, it } from 'vitest';
import { formatDayText, proposalRows } from './format';
import { dayName, dayText, hoursChanges, hoursDraftOf } from './hours.model';
import type { WeeklyHours } from './types';

// The partner's weekly-hours form and how a proposal of hours reads for the reviewer.

const weekdays: WeeklyHours = {
  timezone: 'America/Toronto',
  hours: (['MO', 'TU', 'WE', 'TH', 'FR'] as const).map((day) => ({ day, opens: '09:00', closes: '17:00' })),
};

describe('hours form', () => {
  it('starts from the hours as they are, every other day closed', () => {
    const draft = hoursDraftOf(weekdays);
    expect(draft.timezone).toBe('America/Toronto');
    expect(draft.days.MO).toEqual([{ opens: '09:00', closes: '17:00' }]);
    expect(draft.days.SA).toEqual([]);
    expect(hoursDraftOf(null)).toMatchObject({ timezone: 'America/Toronto', days: { MO: [], SU: [] } });
  });

  it('sends the whole week in week order, in the chosen zone', () => {
    const draft = hoursDraftOf(weekdays);
    draft.timezone = 'America/Halifax';
    draft.days.SA = [
      { opens: '13:00', closes: '16:00' },
      { opens: '09:00', closes: '12:00' },
    ];
    draft.days.FR = [];
    const result = hoursChanges(draft, weekdays);
    expect(result).toEqual({
      changes: {
        timezone: 'America/Halifax',
        hours: [
          ...(['MO', 'TU', 'WE', 'TH'] as const).map((day) => ({ day, opens: '09:00', closes: '17:00' })),
          { day: 'SA', opens: '09:00', closes: '12:00' },
          { day: 'SA', opens: '13:00', closes: '16:00' },
        ],
      },
    });
  });

  it('says what is wrong, and on which day', () => {
    const draft = () => hoursDraftOf(weekdays);
    const missing = draft();
    missing.days.TU = [{ opens: '09:00', closes: '' }];
    expect(hoursChanges(missing, weekdays)).toEqual({ problem: 'time', day: 'TU' });
    const same = draft();
    same.days.WE = [{ opens: '09:00', closes: '09:00' }];
    expect(hoursChanges(same, weekdays)).toEqual({ problem: 'same', day: 'WE' });
    const overlap = draft();
    overlap.days.TH = [
      { opens: '09:00', closes: '13:00' },
      { opens: '12:00', closes: '17:00' },
    ];
    expect(hoursChanges(overlap, weekdays)).toEqual({ problem: 'overlap', day: 'TH' });
    const night = draft();
    night.days.SU = [{ opens: '22:00', closes: '10:00' }];
    expect(hoursChanges(night, weekdays)).toEqual({ problem: 'overlap', day: 'SU' });
    expect(hoursChanges(draft(), weekdays)).toEqual({ problem: 'nothingChanged' });
    expect(hoursChanges(hoursDraftOf(null), null)).toEqual({ problem: 'nothingChanged' });
  });

  it('accepts a period past midnight that ends before the next day opens', () => {
    const draft = hoursDraftOf(weekdays);
    draft.days.FR = [{ opens: '20:00', closes: '08:00' }];
    expect('changes' in hoursChanges(draft, weekdays)).toBe(true);
  });
});

describe('hours in a proposal', () => {
  it('lists only the days that change, as canonical text', () => {
    const proposed = {
      timezone: 'America/Toronto',
      hours: [...weekdays.hours.slice(0, 4), { day: 'SA', opens: '10:00', closes: '14:00' }],
    };
    expect(proposalRows(proposed, { timezone: 'America/Toronto', hours: weekdays.hours })).toEqual([
      { field: 'hours.FR', before: '09:00–17:00', after: '' },
      { field: 'hours.SA', before: '', after: '10:00–14:00' },
    ]);
    // Without the listing to compare with, every day is shown (closed ones as '').
    expect(proposalRows(proposed, undefined).map((r) => r.field)).toEqual([
      'timezone',
      'hours.MO',
      'hours.TU',
      'hours.WE',
      'hours.TH',
      'hours.FR',
      'hours.SA',
      'hours.SU',
    ]);
    expect(dayText(proposed.hours, 'SU')).toBe('');
  });

  it('reads in the UI language: clock times, all day, past midnight, day names', () => {
    const words = { allDay: 'Open 24 hours', nextDay: '(next day)' };
    expect(formatDayText('09:00–12:00, 13:00–17:00', 'en-CA', words)).toMatch(
      /^9:00\sa\.m\.\s–\s12:00\sp\.m\., 1:00\sp\.m\.\s–\s5:00\sp\.m\.$/,
    );
    expect(formatDayText('09:00–17:00', 'fr-CA', { allDay: 'x', nextDay: 'y' })).toMatch(
      /^9\sh\s00\s–\s17\sh\s00$/,
    );
    expect(formatDayText('00:00–23:59', 'en-CA', words)).toBe('Open 24 hours');
    expect(formatDayText('20:00–08:00', 'en-CA', words)).toMatch(/\(next day\)$/);
    expect(formatDayText('', 'en-CA', words)).toBe('');
    expect(dayName('MO', 'en-CA')).toBe('Monday');
    expect(dayName('MO', 'fr-CA')).toBe('Lundi');
    expect(dayName('SU', 'fr-CA', false)).toBe('dimanche');
  });
});
