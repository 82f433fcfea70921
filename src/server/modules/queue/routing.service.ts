import { type Actor, recordAudit } from '../../platform/audit.js';
import { type Bus, type BusEvent, publish } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import { HANDLER_ROLES } from './presence.repository.js';
import { routingRepository as repo } from './routing.repository.js';

export const DEFAULT_OFFER_TIMEOUT_S = 20;
const DEFAULT_TICK_MS = 1000;
const DEFAULT_BATCH = 50;
/** Offers in a row an available person may let time out before they are set to busy. */
export const MISSED_OFFERS_BEFORE_BUSY = 2;
const SYSTEM_ACTOR: Actor = { id: null, label: 'system' };

export interface RouterDeps {
  db: Db;
  /** Events that may free or need an advocate (new signal, presence, offer answered) trigger a pass. */
  bus?: Bus;
  /** How long an offer waits for an answer before it goes to the next advocate. */
  offerTimeoutMs: number;
  /** Period of the safety tick (offer time-outs, missed events); 0 disables it (tests drive `runOnce`). */
  tickMs?: number;
  /** Signals routed per transaction. */
  batch?: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

export interface PassResult {
  expired: number;
  offered: { signalId: string; userId: string; offerId: string }[];
}

/** Triggers: every topic that can make a waiting signal routable or an advocate free. */
const TRIGGERS = new Set<BusEvent['topic']>(['signal', 'offer', 'presence', 'resync']);

/**
 * The router: one queue per language, offers to the available advocate with the fewest active conversations
 * (below max_chats), longest idle first; an unanswered offer times out and goes to the next advocate, never back
 * to one who declined or let it time out. Every step is a transaction with `for update skip locked` on the
 * signal rows (and the advocate's presence row), so any number of routers on one PostgreSQL share the queue
 * without offering a signal twice or overfilling an advocate.
 */
export function createRouter(deps: RouterDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const batch = deps.batch ?? DEFAULT_BATCH;

  /** Pending offers past their expiry become time-outs; the signal waits again (and goes to the next one). */
  async function expireOffers(): Promise<number> {
    return db.transaction(async (tx) => {
      const at = now();
      const expired = await repo.lockExpiredOffers(tx, at, batch);
      const lapsed = new Set<string>();
      let n = 0;
      for (const e of expired) {
        const closed = await repo.closeOffer(tx, e.offerId, 'timeout', at);
        if (!closed) continue;
        await repo.updateSignal(tx, e.signalId, { state: 'queued' }, at);
        await repo.insertEvent(tx, { signalId: e.signalId, type: 'offer_timeout', at, userId: e.userId });
        await publish(tx, { topic: 'offer', id: e.offerId, user: e.userId, signal: e.signalId });
        await publish(tx, { topic: 'signal', id: e.signalId, state: 'queued' });
        n++;
        lapsed.add(e.userId);
      }
      // Someone available who let two offers in a row lapse is probably not at their desk: they are set to busy,
      // so the next visitors are not each kept waiting for a time-out (they set themselves available again).
      for (const userId of lapsed) {
        if (!(await repo.missedInARow(tx, userId, MISSED_OFFERS_BEFORE_BUSY))) continue;
        if (!(await repo.setBusyIfAvailable(tx, userId, at))) continue;
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: 'presence.update',
          targetType: 'user',
          targetId: userId,
          details: { status: 'busy', missedOffers: MISSED_OFFERS_BEFORE_BUSY },
        });
        await publish(tx, { topic: 'presence', user: userId });
      }
      // Offers left pending on a signal that ended meanwhile (the visitor left) hold nobody's capacity.
      const stale = await repo.lockStaleOffers(tx, batch);
      for (const o of stale) {
        const closed = await repo.closeOffer(tx, o.offerId, 'cancelled', at);
        if (!closed) continue;
        await repo.insertEvent(tx, {
          signalId: o.signalId,
          type: 'offer_cancelled',
          at,
          userId: o.userId,
          data: { offer: o.offerId },
        });
        await publish(tx, { topic: 'offer', id: o.offerId, user: o.userId, signal: o.signalId });
      }
      return n;
    });
  }

  /** Offers waiting signals, oldest first, to the best advocate each; returns the offers made. */
  async function routeQueued(): Promise<PassResult['offered']> {
    return db.transaction(async (tx) => {
      const open = new Set(await repo.languagesWithCapacity(tx));
      if (open.size === 0) return [];
      const waiting = await repo.lockQueued(tx, batch, [...open]);
      const offered: PassResult['offered'] = [];
      const at = now();
      for (const s of waiting) {
        const roles = s.wantedRole ? [s.wantedRole] : HANDLER_ROLES;
        const candidates = await repo.candidates(tx, s, roles);
        for (const c of candidates) {
          // Another router is offering this person something right now: try the next one.
          if (!(await repo.tryLockPresence(tx, c.userId))) continue;
          const fresh = await repo.loadOf(tx, c.userId);
          if (fresh.status !== 'available' || fresh.load >= fresh.maxChats) continue;
          const o = await repo.insertOffer(tx, {
            signalId: s.id,
            userId: c.userId,
            offeredAt: at,
            expiresAt: new Date(at.getTime() + deps.offerTimeoutMs),
          });
          await repo.updateSignal(tx, s.id, { state: 'offered', firstOfferedAt: s.firstOfferedAt ?? at }, at);
          await repo.markAssigned(tx, c.userId, at);
          await repo.insertEvent(tx, {
            signalId: s.id,
            type: 'offered',
            at,
            userId: c.userId,
            data: { offer: o.id },
          });
          await publish(tx, { topic: 'offer', id: o.id, user: c.userId, signal: s.id });
          await publish(tx, { topic: 'signal', id: s.id, state: 'offered' });
          offered.push({ signalId: s.id, userId: c.userId, offerId: o.id });
          break;
        }
      }
      return offered;
    });
  }

  /** One full pass: time-outs first (they free signals for the next advocate), then offers. */
  async function runOnce(): Promise<PassResult> {
    const expired = await expireOffers();
    const offered = await routeQueued();
    return { expired, offered };
  }

  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  /** Runs a pass soon; passes never overlap in one process (a trigger during a pass runs one more after it). */
  function trigger(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await runOnce();
        } catch (err) {
          // A lost race (deadlock, serialisation, a connection blip) is retried by the next trigger or tick.
          deps.onError?.(err);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  }

  return {
    runOnce,
    trigger,

    /** Starts the tick and listens to the bus. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      const tickMs = deps.tickMs ?? DEFAULT_TICK_MS;
      if (tickMs > 0) {
        timer = setInterval(trigger, tickMs);
        timer.unref?.();
      }
      unsubscribe = deps.bus?.subscribe((event) => {
        if (TRIGGERS.has(event.topic)) trigger();
      });
      trigger();
    },

    /** Stops the tick and the bus subscription and waits for the pass in progress (app close). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await running;
    },

    /** The advocate takes the signal: it becomes active and theirs; wait ends now (answered_at). */
    async accept(offerId: string, userId: string, actor: Actor) {
      return db.transaction(async (tx) => {
        const found = await repo.findOffer(tx, offerId);
        if (!found || found.userId !== userId) throw notFound();
        const s = await repo.lockSignal(tx, found.signalId);
        const o = await repo.lockOffer(tx, offerId);
        if (!s || !o) throw notFound();
        const at = now();
        if (o.outcome !== null || s.state !== 'offered') throw new AppError('OFFER_CLOSED', 409);
        if (o.expiresAt <= at) throw new AppError('OFFER_EXPIRED', 409);
        await repo.closeOffer(tx, o.id, 'accepted', at);
        const updated = await repo.updateSignal(
          tx,
          s.id,
          { state: 'active', answeredAt: s.answeredAt ?? at, assignedUserId: userId, wantedRole: null },
          at,
          true,
        );
        await repo.insertEvent(tx, { signalId: s.id, type: 'accepted', at, userId, data: { offer: o.id } });
        await recordAudit(tx, actor, { action: 'signal.accept', targetType: 'signal', targetId: s.id });
        await publish(tx, { topic: 'offer', id: o.id, user: userId, signal: s.id });
        await publish(tx, { topic: 'signal', id: s.id, state: 'active' });
        return updated;
      });
    },

    /** The advocate passes: the signal waits again and is never offered to them again. */
    async decline(offerId: string, userId: string, actor: Actor) {
      return db.transaction(async (tx) => {
        const found = await repo.findOffer(tx, offerId);
        if (!found || found.userId !== userId) throw notFound();
        const s = await repo.lockSignal(tx, found.signalId);
        const o = await repo.lockOffer(tx, offerId);
        if (!s || !o) throw notFound();
        if (o.outcome !== null || s.state !== 'offered') throw new AppError('OFFER_CLOSED', 409);
        const at = now();
        await repo.closeOffer(tx, o.id, 'declined', at);
        await repo.updateSignal(tx, s.id, { state: 'queued' }, at);
        await repo.insertEvent(tx, {
          signalId: s.id,
          type: 'offer_declined',
          at,
          userId,
          data: { offer: o.id },
        });
        await recordAudit(tx, actor, { action: 'signal.decline', targetType: 'signal', targetId: s.id });
        await publish(tx, { topic: 'offer', id: o.id, user: userId, signal: s.id });
        await publish(tx, { topic: 'signal', id: s.id, state: 'queued' });
      });
    },
  };
}

export type Router = ReturnType<typeof createRouter>;

/**
 * Cancels the pending offers of someone who stops being available (break, busy, offline): their signals wait
 * again at once instead of until the time-out, and may be offered to them again later (a cancel is not a
 * decline). Runs in the caller's transaction.
 */
export async function cancelOffersOf(tx: Db, userId: string, at: Date): Promise<number> {
  const pending = await repo.lockPendingOffersOf(tx, userId);
  let n = 0;
  for (const p of pending) {
    const closed = await repo.closeOffer(tx, p.id, 'cancelled', at);
    if (!closed) continue;
    const s = await repo.findSignal(tx, p.signalId);
    if (s?.state === 'offered') {
      await repo.updateSignal(tx, p.signalId, { state: 'queued' }, at);
      await publish(tx, { topic: 'signal', id: p.signalId, state: 'queued' });
    }
    await repo.insertEvent(tx, { signalId: p.signalId, type: 'offer_cancelled', at, userId });
    await publish(tx, { topic: 'offer', id: p.id, user: userId, signal: p.signalId });
    n++;
  }
  return n;
}
