import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { createUser } from '../../../../test/helpers/factories.js';
import { presence, type SignalChannel, type SignalLanguage, signal } from '../../db/schema.js';
import type { Database } from '../../platform/db.js';
import { generateReference } from './signals.service.js';
import { createWallboardService } from './wallboard.service.js';

// The wallboard counts everything in the database, so it gets a database of its own with known signals.
let iso: { database: Database; drop(): Promise<void> };
beforeAll(async () => {
  iso = await isolatedDatabase();
});
afterAll(async () => iso?.drop());

/** Noon in Toronto (EDT, UTC−4): the hotline's day began at 04:00 UTC. */
const NOW = new Date('2026-07-15T16:00:00Z');
const at = (iso: string, plusS = 0) => new Date(new Date(iso).getTime() + plusS * 1000);

async function seed(
  channel: SignalChannel,
  language: SignalLanguage,
  queuedAt: Date,
  outcome: { answeredAfterS?: number; endedAfterS?: number } = {},
) {
  const answeredAt =
    outcome.answeredAfterS !== undefined ? at(queuedAt.toISOString(), outcome.answeredAfterS) : null;
  const endedAt = outcome.endedAfterS !== undefined ? at(queuedAt.toISOString(), outcome.endedAfterS) : null;
  await iso.database.db.insert(signal).values({
    reference: generateReference(),
    channel,
    language,
    state: endedAt ? 'ended' : answeredAt ? 'active' : 'queued',
    arrivedAt: queuedAt,
    queuedAt,
    answeredAt,
    endedAt,
    endReason: endedAt ? (answeredAt ? 'completed' : 'visitor_left') : null,
  });
}

describe('wallboard', () => {
  it("computes waiting, staffing and today's service level from the signal times (Toronto day)", async () => {
    const db = iso.database.db;
    // Late yesterday evening in Toronto (already "today" in UTC): not today's.
    await seed('chat', 'en', at('2026-07-15T03:30:00Z'), { answeredAfterS: 100, endedAfterS: 400 });
    // Chats today: within 60 s, after 90 s, abandoned, and one still waiting for 120 s.
    await seed('chat', 'en', at('2026-07-15T10:00:00Z'), { answeredAfterS: 30, endedAfterS: 600 });
    await seed('chat', 'fr', at('2026-07-15T11:00:00Z'), { answeredAfterS: 90 });
    await seed('chat', 'en', at('2026-07-15T12:00:00Z'), { endedAfterS: 45 });
    await seed('chat', 'en', at('2026-07-15T15:58:00Z'));
    // Calls today: 10 s, exactly 20 s (within), 25 s.
    await seed('phone', 'en', at('2026-07-15T09:00:00Z'), { answeredAfterS: 10, endedAfterS: 300 });
    await seed('phone', 'fr', at('2026-07-15T09:30:00Z'), { answeredAfterS: 20, endedAfterS: 200 });
    await seed('phone', 'en', at('2026-07-15T09:45:00Z'), { answeredAfterS: 25 });
    // A report waiting for review since 08:00 UTC: counted, waiting, but no service level.
    await seed('report', 'fr', at('2026-07-15T08:00:00Z'));

    const staffWith = async (status: 'available' | 'busy' | 'break' | 'offline' | null, disabled = false) => {
      const u = await createUser(db, { role: 'advocate', disabled });
      if (status) await db.insert(presence).values({ userId: u.id, status, languages: ['en'] });
    };
    await staffWith('available');
    await staffWith('available');
    await staffWith('break');
    await staffWith('offline');
    await staffWith(null);
    await staffWith('available', true);
    const analyst = await createUser(db, { role: 'analyst' });
    await db.insert(presence).values({ userId: analyst.id, status: 'available', languages: ['en'] });

    const board = await createWallboardService({ db, now: () => NOW }).get();
    expect(board.waiting).toEqual([
      { channel: 'chat', language: 'en', count: 1, longestWaitS: 120 },
      { channel: 'report', language: 'fr', count: 1, longestWaitS: 8 * 3600 },
    ]);
    expect(board.waitingTotal).toBe(2);
    expect(board.longestWaitS).toBe(8 * 3600);
    expect(board.advocates).toEqual({ available: 2, busy: 0, break: 1, offline: 2 });
    expect(board.today.signals).toBe(8);
    expect(board.today.chats).toMatchObject({
      targetS: 60,
      queued: 4,
      answered: 2,
      answeredWithinTarget: 1,
      unanswered: 1,
      waitingPastTarget: 1,
      serviceLevel: 0.25,
      meanWaitS: 60,
    });
    expect(board.today.calls).toMatchObject({
      targetS: 20,
      queued: 3,
      answered: 3,
      answeredWithinTarget: 2,
      unanswered: 0,
      serviceLevel: 0.667,
      meanWaitS: 18.3,
    });
    expect(board.today.serviceLevel).toEqual({ calls: 0.667, chats: 0.25 });
    // (30 + 90 + 10 + 20 + 25) / 5 answered; 1 unanswered of 6 finished.
    expect(board.today.meanWaitS).toBe(35);
    expect(board.today.unansweredShare).toBe(0.167);
    expect(board.today.timeZone).toBe('America/Toronto');
    expect(board.generatedAt).toBe(NOW.toISOString());

    // At 23:59 Toronto time the same day is still "today"; one minute after midnight, a new day starts empty.
    const lateEvening = await createWallboardService({
      db,
      now: () => new Date('2026-07-16T03:59:00Z'),
    }).get();
    expect(lateEvening.today.signals).toBe(8);
    const nextDay = await createWallboardService({ db, now: () => new Date('2026-07-16T04:01:00Z') }).get();
    expect(nextDay.today.signals).toBe(0);
    expect(nextDay.today.serviceLevel).toEqual({ calls: null, chats: null });
    expect(nextDay.today.meanWaitS).toBeNull();
  });
});
