import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isolatedDatabase, onPostgres } from '../../../../test/helpers/db.js';
import { createUser } from '../../../../test/helpers/factories.js';
import {
  offer,
  presence,
  type SignalChannel,
  type SignalLanguage,
  signal,
  signalEvent,
} from '../../db/schema.js';
import type { Actor } from '../../platform/audit.js';
import { type Database, openPostgres } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { createPresenceService } from './presence.service.js';
import { createRouter } from './routing.service.js';
import { generateReference } from './signals.service.js';

// Routing looks at everyone available, so these tests run on a database of their own (no other test's
// advocates), and every test starts with everybody offline.
let iso: { database: Database; url?: string; drop(): Promise<void> };
let db: Database['db'];

beforeAll(async () => {
  iso = await isolatedDatabase();
  db = iso.database.db;
});
afterAll(async () => iso?.drop());
beforeEach(async () => {
  await db.update(presence).set({ status: 'offline' });
  await db.update(signal).set({ state: 'ended', endedAt: new Date() }).where(sql`${signal.state} <> 'ended'`);
  await db.update(offer).set({ outcome: 'cancelled' }).where(isNull(offer.outcome));
});

const T0 = new Date('2026-03-02T15:00:00Z');
/** A controllable clock: tests move it instead of sleeping. */
function clock(start = T0) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (s: number) => (t += s * 1000) };
}
const actor = (id: string): Actor => ({ id, label: 'test (fictional)' });

async function advocate(
  options: {
    languages?: SignalLanguage[];
    status?: 'available' | 'busy' | 'break' | 'offline';
    maxChats?: number;
    lastAssignedAt?: Date | null;
    role?: 'advocate' | 'supervisor';
  } = {},
) {
  const user = await createUser(db, { role: options.role ?? 'advocate' });
  await db.insert(presence).values({
    userId: user.id,
    status: options.status ?? 'available',
    languages: options.languages ?? ['en'],
    maxChats: options.maxChats ?? 3,
    lastAssignedAt: options.lastAssignedAt ?? null,
  });
  return user;
}

async function waiting(language: SignalLanguage = 'en', channel: SignalChannel = 'chat', queuedAt = T0) {
  const [row] = await db
    .insert(signal)
    .values({
      reference: generateReference(),
      channel,
      language,
      state: 'queued',
      arrivedAt: queuedAt,
      queuedAt,
    })
    .returning();
  return row!;
}

/** A live conversation already assigned to `userId`. */
async function activeFor(userId: string) {
  const [row] = await db
    .insert(signal)
    .values({
      reference: generateReference(),
      channel: 'chat',
      language: 'en',
      state: 'active',
      arrivedAt: T0,
      queuedAt: T0,
      answeredAt: T0,
      assignedUserId: userId,
    })
    .returning();
  return row!;
}

const pendingOffers = (signalId: string) =>
  db
    .select()
    .from(offer)
    .where(and(eq(offer.signalId, signalId), isNull(offer.outcome)));
const stateOf = async (id: string) =>
  (await db.select({ state: signal.state }).from(signal).where(eq(signal.id, id)))[0]?.state;

describe('routing', () => {
  it('offers a waiting signal only to an available advocate who takes its language', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const en = await advocate({ languages: ['en'] });
    const fr = await advocate({ languages: ['fr'] });
    await advocate({ languages: ['en', 'fr', 'other'], status: 'break' });
    await advocate({ languages: ['other'], status: 'offline' });
    const sEn = await waiting('en');
    const sFr = await waiting('fr');
    const sOther = await waiting('other');

    const pass = await router.runOnce();
    expect(pass.offered).toHaveLength(2);
    expect((await pendingOffers(sEn.id)).map((o) => o.userId)).toEqual([en.id]);
    expect((await pendingOffers(sFr.id)).map((o) => o.userId)).toEqual([fr.id]);
    expect(await pendingOffers(sOther.id)).toEqual([]);
    expect(await stateOf(sEn.id)).toBe('offered');
    expect(await stateOf(sOther.id)).toBe('queued');
    const [o] = await pendingOffers(sEn.id);
    expect(o!.expiresAt.getTime() - o!.offeredAt.getTime()).toBe(20_000);
    const [row] = await db.select().from(signal).where(eq(signal.id, sEn.id));
    expect(row!.firstOfferedAt?.toISOString()).toBe(T0.toISOString());
  });

  it('offers to the advocate with the fewest active conversations, then the longest idle', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const busyOne = await advocate({ lastAssignedAt: new Date('2026-03-02T10:00:00Z') });
    await activeFor(busyOne.id);
    const recent = await advocate({ lastAssignedAt: new Date('2026-03-02T14:59:00Z') });
    const idlest = await advocate({ lastAssignedAt: new Date('2026-03-02T12:00:00Z') });

    const first = await waiting('en', 'chat', new Date(T0.getTime() - 5000));
    const second = await waiting('en', 'chat', new Date(T0.getTime() - 4000));
    const third = await waiting('en', 'chat', new Date(T0.getTime() - 3000));
    await router.runOnce();
    // Oldest signal first, to the idlest of those with no conversation; then the other one with none; then
    // everyone has one (busyOne's active chat, the others' pending offers) and busyOne has been idle longest.
    expect((await pendingOffers(first.id))[0]?.userId).toBe(idlest.id);
    expect((await pendingOffers(second.id))[0]?.userId).toBe(recent.id);
    expect((await pendingOffers(third.id))[0]?.userId).toBe(busyOne.id);
  });

  it('an offer that times out goes to the next advocate, and never back to one who let it lapse', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const a = await advocate({ lastAssignedAt: new Date('2026-03-01T00:00:00Z') });
    const b = await advocate({ lastAssignedAt: new Date('2026-03-02T00:00:00Z') });
    const s = await waiting('en');

    await router.runOnce();
    expect((await pendingOffers(s.id))[0]?.userId).toBe(a.id);
    c.advance(19);
    expect((await router.runOnce()).expired).toBe(0);
    c.advance(1);
    const pass = await router.runOnce();
    expect(pass.expired).toBe(1);
    expect((await pendingOffers(s.id))[0]?.userId).toBe(b.id);
    c.advance(20);
    await router.runOnce();
    // Both let it lapse: it waits (for someone else to become available), offered to neither again.
    expect(await pendingOffers(s.id)).toEqual([]);
    expect(await stateOf(s.id)).toBe('queued');
    const outcomes = await db
      .select({ userId: offer.userId, outcome: offer.outcome })
      .from(offer)
      .where(eq(offer.signalId, s.id));
    expect(outcomes).toHaveLength(2);
    expect(outcomes.every((o) => o.outcome === 'timeout')).toBe(true);
    const events = await db
      .select({ type: signalEvent.type })
      .from(signalEvent)
      .where(eq(signalEvent.signalId, s.id));
    expect(events.map((e) => e.type)).toEqual(['offered', 'offer_timeout', 'offered', 'offer_timeout']);

    const fresh = await advocate();
    await router.runOnce();
    expect((await pendingOffers(s.id))[0]?.userId).toBe(fresh.id);
  });

  it('a declined offer goes to the next advocate; accepting makes the signal active, answered and assigned', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const a = await advocate({ lastAssignedAt: new Date('2026-03-01T00:00:00Z') });
    const b = await advocate({ lastAssignedAt: new Date('2026-03-02T00:00:00Z') });
    const s = await waiting('en', 'chat', new Date(T0.getTime() - 7000));

    await router.runOnce();
    const [first] = await pendingOffers(s.id);
    expect(first?.userId).toBe(a.id);
    // Only the person offered may answer it.
    await expect(router.decline(first!.id, b.id, actor(b.id))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await router.decline(first!.id, a.id, actor(a.id));
    expect(await stateOf(s.id)).toBe('queued');
    await expect(router.accept(first!.id, a.id, actor(a.id))).rejects.toMatchObject({ code: 'OFFER_CLOSED' });

    c.advance(3);
    await router.runOnce();
    const [second] = await pendingOffers(s.id);
    expect(second?.userId).toBe(b.id);
    c.advance(2);
    const accepted = await router.accept(second!.id, b.id, actor(b.id));
    expect(accepted).toMatchObject({ state: 'active', assignedUserId: b.id });
    // Wait = answered − queued: 7 s before T0, answered 5 s after it.
    expect(accepted.answeredAt!.getTime() - accepted.queuedAt!.getTime()).toBe(12_000);
    expect(await pendingOffers(s.id)).toEqual([]);
    // Declined: never offered to `a` again, even when `b` gives it back.
    expect((await router.runOnce()).offered).toEqual([]);
  });

  it('an offer accepted after its expiry is refused and goes to the next advocate', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const a = await advocate();
    const s = await waiting('fr');
    await db
      .update(presence)
      .set({ languages: ['fr'] })
      .where(eq(presence.userId, a.id));
    await router.runOnce();
    const [o] = await pendingOffers(s.id);
    c.advance(21);
    const err = await router.accept(o!.id, a.id, actor(a.id)).catch((e: AppError) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('OFFER_EXPIRED');
    expect((await router.runOnce()).expired).toBe(1);
  });

  it('never goes past max_chats: active conversations and pending offers both count', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const full = await advocate({ maxChats: 2 });
    await activeFor(full.id);
    await activeFor(full.id);
    const one = await advocate({ maxChats: 1 });
    const s1 = await waiting('en', 'chat', new Date(T0.getTime() - 2000));
    const s2 = await waiting('en', 'chat', new Date(T0.getTime() - 1000));

    await router.runOnce();
    expect((await pendingOffers(s1.id))[0]?.userId).toBe(one.id);
    expect(await pendingOffers(s2.id)).toEqual([]);
    const [o] = await pendingOffers(s1.id);
    await router.accept(o!.id, one.id, actor(one.id));
    await router.runOnce();
    expect(await pendingOffers(s2.id)).toEqual([]);

    // One more seat for `one`: the second signal goes to them.
    await db.update(presence).set({ maxChats: 2 }).where(eq(presence.userId, one.id));
    await router.runOnce();
    expect((await pendingOffers(s2.id))[0]?.userId).toBe(one.id);
  });

  it('a phone call fills an advocate up: nothing else is offered while a caller is on the line or ringing', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const a = await advocate({ maxChats: 3 });
    const call = await waiting('en', 'phone', new Date(T0.getTime() - 3000));
    const secondCall = await waiting('en', 'phone', new Date(T0.getTime() - 2000));
    const chat = await waiting('en', 'chat', new Date(T0.getTime() - 1000));

    // Ringing for them: the other call and the chat wait, although 2 of their 3 seats look free.
    await router.runOnce();
    expect((await pendingOffers(call.id))[0]?.userId).toBe(a.id);
    expect(await pendingOffers(secondCall.id)).toEqual([]);
    expect(await pendingOffers(chat.id)).toEqual([]);
    // On the call: still nothing.
    const [o] = await pendingOffers(call.id);
    await router.accept(o!.id, a.id, actor(a.id));
    await router.runOnce();
    expect(await pendingOffers(secondCall.id)).toEqual([]);
    expect(await pendingOffers(chat.id)).toEqual([]);
    // A colleague with two chats going still takes the waiting call (fewest first, below max_chats).
    const b = await advocate({ maxChats: 3 });
    await activeFor(b.id);
    await activeFor(b.id);
    await router.runOnce();
    expect((await pendingOffers(secondCall.id))[0]?.userId).toBe(b.id);
    expect(await pendingOffers(chat.id)).toEqual([]);
    // The call ends: the first advocate takes the chat.
    await db.update(signal).set({ state: 'ended', endedAt: c.now() }).where(eq(signal.id, call.id));
    await router.runOnce();
    expect((await pendingOffers(chat.id))[0]?.userId).toBe(a.id);
  });

  it('offers the most urgent first: due = queued + the channel target (calls 20 s, chats 60 s, e-mail 15 min)', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const a = await advocate({ maxChats: 1 });
    const ago = (s: number) => new Date(T0.getTime() - s * 1000);
    const email = await waiting('en', 'email', ago(600));
    const chat = await waiting('en', 'chat', ago(5));
    const call = await waiting('en', 'phone', ago(1));
    // The call just rang (due in 19 s) and goes before the chat of 5 s ago (due in 55 s) and the e-mail.
    await router.runOnce();
    expect((await pendingOffers(call.id))[0]?.userId).toBe(a.id);
    expect(await pendingOffers(chat.id)).toEqual([]);
    expect(await pendingOffers(email.id)).toEqual([]);
    await db.update(signal).set({ state: 'ended', endedAt: c.now() }).where(eq(signal.id, call.id));
    await db.update(offer).set({ outcome: 'cancelled' }).where(eq(offer.signalId, call.id));
    // A chat that has waited 50 s (due in 10 s) goes before a call that rings now (due in 20 s).
    const lateChat = await waiting('en', 'chat', ago(50));
    const newCall = await waiting('en', 'phone', ago(0));
    await db.update(signal).set({ state: 'ended', endedAt: c.now() }).where(eq(signal.id, chat.id));
    await router.runOnce();
    expect((await pendingOffers(lateChat.id))[0]?.userId).toBe(a.id);
    expect(await pendingOffers(newCall.id)).toEqual([]);
  });

  it('going on break hands pending offers back at once; live conversations stay assigned', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const presenceSvc = createPresenceService({ db, now: c.now });
    const a = await advocate({ maxChats: 3 });
    const live = await activeFor(a.id);
    const s = await waiting('en');
    await router.runOnce();
    expect((await pendingOffers(s.id))[0]?.userId).toBe(a.id);

    const after = await presenceSvc.set({ id: a.id, locale: 'en-CA' }, { status: 'break' }, actor(a.id));
    expect(after).toMatchObject({ status: 'break', active: 1 });
    expect(await pendingOffers(s.id)).toEqual([]);
    expect(await stateOf(s.id)).toBe('queued');
    const [row] = await db.select().from(signal).where(eq(signal.id, live.id));
    expect(row).toMatchObject({ state: 'active', assignedUserId: a.id });

    // A cancel is not a decline: back from break, the same advocate may get it.
    await presenceSvc.set({ id: a.id, locale: 'en-CA' }, { status: 'available' }, actor(a.id));
    await router.runOnce();
    expect((await pendingOffers(s.id))[0]?.userId).toBe(a.id);
  });

  it('someone available who lets two offers in a row lapse is set to busy (the next visitors do not wait on them)', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    const away = await advocate({ maxChats: 3 });
    const s1 = await waiting('en', 'chat', new Date(T0.getTime() - 2000));
    await router.runOnce();
    c.advance(21);
    await router.runOnce();
    // One lapse: still available, and the next signal is offered to them.
    const s2 = await waiting('en', 'chat', c.now());
    await router.runOnce();
    expect((await pendingOffers(s2.id))[0]?.userId).toBe(away.id);
    const [p1] = await db.select().from(presence).where(eq(presence.userId, away.id));
    expect(p1!.status).toBe('available');
    c.advance(21);
    await router.runOnce();
    const [p2] = await db.select().from(presence).where(eq(presence.userId, away.id));
    expect(p2!.status).toBe('busy');
    expect(await pendingOffers(s1.id)).toEqual([]);
    expect(await stateOf(s2.id)).toBe('queued');
    // Someone who is there takes them.
    const there = await advocate();
    await router.runOnce();
    expect((await pendingOffers(s1.id))[0]?.userId).toBe(there.id);
    expect((await pendingOffers(s2.id))[0]?.userId).toBe(there.id);
  });

  it('a pending offer left on a signal that is no longer offered is cancelled and recorded', async () => {
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0 });
    const a = await advocate({ status: 'break' });
    const s = await waiting('en');
    await db
      .update(signal)
      .set({ state: 'ended', endedAt: new Date(), endReason: 'visitor_left' })
      .where(eq(signal.id, s.id));
    const [o] = await db
      .insert(offer)
      .values({ signalId: s.id, userId: a.id, expiresAt: new Date(Date.now() + 20_000) })
      .returning();
    await router.runOnce();
    const [after] = await db.select().from(offer).where(eq(offer.id, o!.id));
    expect(after!.outcome).toBe('cancelled');
    const events = await db
      .select({ type: signalEvent.type, userId: signalEvent.userId })
      .from(signalEvent)
      .where(eq(signalEvent.signalId, s.id));
    expect(events).toEqual([{ type: 'offer_cancelled', userId: a.id }]);
  });

  it('a transfer to "any supervisor" stays with supervisors (wanted role)', async () => {
    const c = clock();
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 0, now: c.now });
    await advocate();
    const sup = await advocate({ role: 'supervisor' });
    const [s] = await db
      .insert(signal)
      .values({
        reference: generateReference(),
        channel: 'chat',
        language: 'en',
        state: 'queued',
        queuedAt: T0,
        wantedRole: 'supervisor',
      })
      .returning();
    await router.runOnce();
    expect((await pendingOffers(s!.id))[0]?.userId).toBe(sup.id);
  });

  it('starts on bus events and its tick, and stops cleanly', async () => {
    const router = createRouter({ db, offerTimeoutMs: 20_000, tickMs: 20 });
    await advocate();
    const s = await waiting('en', 'chat', new Date());
    router.start();
    for (let i = 0; i < 100 && (await pendingOffers(s.id)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await router.stop();
    expect(await pendingOffers(s.id)).toHaveLength(1);
    // Stopped: nothing runs any more.
    const later = await waiting('en', 'chat', new Date());
    await advocate();
    await new Promise((r) => setTimeout(r, 60));
    expect(await pendingOffers(later.id)).toEqual([]);
  });
});

describe('routing: several processes on one PostgreSQL', () => {
  it('two routers racing never offer the same signal twice nor overfill an advocate', async () => {
    // Two Database handles (two pools), as two Harbour processes would have. On PGlite both are the same
    // embedded instance, so the test still checks the rules, but the locks only race on PostgreSQL.
    const second = iso.url ? await openPostgres(iso.url, { max: 4 }) : iso.database;
    try {
      const r1 = createRouter({ db, offerTimeoutMs: 60_000, tickMs: 0, batch: 5 });
      const r2 = createRouter({ db: second.db, offerTimeoutMs: 60_000, tickMs: 0, batch: 5 });
      const advocates = await Promise.all(Array.from({ length: 6 }, () => advocate({ maxChats: 3 })));
      const signals = [];
      for (let i = 0; i < 30; i++) signals.push(await waiting('en', 'chat', new Date(T0.getTime() + i)));
      for (let round = 0; round < 6; round++) await Promise.all([r1.runOnce(), r2.runOnce(), r1.runOnce()]);

      const ids = signals.map((s) => s.id);
      const offers = await db
        .select({ signalId: offer.signalId, userId: offer.userId })
        .from(offer)
        .where(sql`${offer.signalId} in ${ids}`);
      const perSignal = new Map<string, number>();
      for (const o of offers) perSignal.set(o.signalId, (perSignal.get(o.signalId) ?? 0) + 1);
      expect(Math.max(...perSignal.values())).toBe(1);
      const perUser = new Map<string, number>();
      for (const o of offers) perUser.set(o.userId, (perUser.get(o.userId) ?? 0) + 1);
      // 6 advocates × 3 seats: exactly 18 offered, nobody above 3.
      expect(offers).toHaveLength(18);
      expect([...perUser.values()].every((n) => n === 3)).toBe(true);
      expect(new Set(perUser.keys())).toEqual(new Set(advocates.map((a) => a.id)));
      void onPostgres;
    } finally {
      if (second !== iso.database) await second.close();
    }
  });
});

void randomUUID;
