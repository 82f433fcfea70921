import { describe, expect, it } from 'vitest';
import en from '../../i18n/en-CA.json';
import fr from '../../i18n/fr-CA.json';
import { callCheck, DUE_GROUPS, dueGroup, groupByDue, localDay } from './tasks.model';

// Overdue / due today / later on the advocate's own calendar, and the call-back line.

const task = (id: string, due_at: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  due_at,
  kind: 'task',
  ...extra,
});

describe('due groups', () => {
  // 2026-12-03 14:00 in Toronto (EST, UTC-5).
  const now = new Date('2026-12-03T19:00:00.000Z');
  const TORONTO = 'America/Toronto';

  it('overdue once its time has passed, even earlier today; today until local midnight; later after', () => {
    expect(dueGroup(task('a', '2026-12-01T15:00:00.000Z'), now, TORONTO)).toBe('overdue');
    expect(dueGroup(task('a', '2026-12-03T14:00:00.000Z'), now, TORONTO)).toBe('overdue'); // 09:00 today
    expect(dueGroup(task('a', '2026-12-03T18:59:59.000Z'), now, TORONTO)).toBe('overdue');
    expect(dueGroup(task('a', '2026-12-03T19:00:00.000Z'), now, TORONTO)).toBe('today'); // due this minute
    expect(dueGroup(task('a', '2026-12-04T04:59:00.000Z'), now, TORONTO)).toBe('today'); // 23:59 local
    expect(dueGroup(task('a', '2026-12-04T05:00:00.000Z'), now, TORONTO)).toBe('later'); // local midnight
    expect(dueGroup(task('a', '2027-01-10T15:00:00.000Z'), now, TORONTO)).toBe('later');
  });

  it('"today" is the calendar day where the advocate is, not UTC’s', () => {
    // 21:00 Toronto on the 3rd = 02:00 UTC on the 4th: still today in Toronto, tomorrow in Paris.
    const evening = task('a', '2026-12-04T02:00:00.000Z');
    expect(dueGroup(evening, now, TORONTO)).toBe('today');
    expect(dueGroup(evening, now, 'Europe/Paris')).toBe('later');
    // Vancouver (UTC-8): now is 11:00, and 16:30 local is later today.
    expect(dueGroup(task('a', '2026-12-04T00:30:00.000Z'), now, 'America/Vancouver')).toBe('today');
    expect(localDay(now, 'Asia/Tokyo')).toBe('2026-12-04');
    expect(localDay(now, TORONTO)).toBe('2026-12-03');
  });

  it('a day with a clock change still ends at local midnight', () => {
    // 2026-11-01: Toronto falls back from EDT to EST at 02:00; that day lasts 25 hours.
    const morning = new Date('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(dueGroup(task('a', '2026-11-02T04:59:00.000Z'), morning, TORONTO)).toBe('today'); // 23:59 EST
    expect(dueGroup(task('a', '2026-11-02T05:00:00.000Z'), morning, TORONTO)).toBe('later');
  });

  it('a task without a usable time is later, never lost', () => {
    expect(dueGroup(task('a', null), now, TORONTO)).toBe('later');
    expect(dueGroup(task('a', 'not a date'), now, TORONTO)).toBe('later');
  });

  it('groups keep every task once, due first, ties by id', () => {
    const items = [
      task('later-1', '2026-12-10T15:00:00.000Z'),
      task('none', null),
      task('over-2', '2026-12-02T15:00:00.000Z'),
      task('today-1', '2026-12-03T22:00:00.000Z'),
      task('over-1b', '2026-12-01T15:00:00.000Z'),
      task('over-1a', '2026-12-01T15:00:00.000Z'),
    ];
    const groups = groupByDue(items, now, TORONTO);
    expect(groups.overdue.map((t) => t.id)).toEqual(['over-1a', 'over-1b', 'over-2']);
    expect(groups.today.map((t) => t.id)).toEqual(['today-1']);
    expect(groups.later.map((t) => t.id)).toEqual(['later-1', 'none']);
    expect(DUE_GROUPS.flatMap((g) => groups[g])).toHaveLength(items.length);
    expect(groupByDue([], now, TORONTO)).toEqual({ overdue: [], today: [], later: [] });
  });

  it('the browser’s own zone when none is given', () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(localDay(now)).toBe(localDay(now, zone));
  });
});

describe('the call-back line', () => {
  const now = new Date('2026-12-03T19:00:00.000Z');
  const future = '2026-12-04T15:00:00.000Z';
  const past = '2026-12-03T15:00:00.000Z';

  it('a broken rule of the plan always wins; a passed time asks to check again; else the plan allows it', () => {
    expect(callCheck(task('a', future), now)).toBe('none');
    expect(callCheck(task('a', past, { kind: 'referral_follow_up' }), now)).toBe('none');
    expect(callCheck(task('a', future, { kind: 'call_back', plan_conflict: null }), now)).toBe('ok');
    expect(callCheck(task('a', past, { kind: 'call_back', plan_conflict: null }), now)).toBe('past_due');
    expect(callCheck(task('a', past, { kind: 'call_back', plan_conflict: null, safe_now: false }), now)).toBe(
      'past_due',
    );
    expect(callCheck(task('a', past, { kind: 'call_back', plan_conflict: null, safe_now: true }), now)).toBe(
      'past_due_safe_now',
    );
    // Safe now never hides a conflict with the plan.
    expect(
      callCheck(
        task('a', past, { kind: 'call_back', plan_conflict: 'CALLBACK_NUMBER_NOT_SAFE', safe_now: true }),
        now,
      ),
    ).toBe('conflict');
    for (const code of [
      'CALLBACK_NO_SAFETY_PLAN',
      'CALLBACK_OUTSIDE_SAFE_WINDOW',
      'CALLBACK_NUMBER_NOT_SAFE',
    ])
      for (const due of [past, future])
        expect(callCheck(task('a', due, { kind: 'call_back', plan_conflict: code }), now)).toBe('conflict');
  });
});

describe('catalogues', () => {
  it('every tasks.* string exists in both languages', () => {
    const keys = (c: Record<string, string>) => Object.keys(c).filter((k) => k.startsWith('tasks.'));
    expect(keys(en).length).toBeGreaterThan(10);
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const k of keys(fr)) expect((fr as Record<string, string>)[k]).not.toBe('');
  });
});
