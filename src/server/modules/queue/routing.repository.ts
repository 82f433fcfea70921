import { and, asc, desc, eq, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import {
  type OfferOutcome,
  type OfferRow,
  offer,
  presence,
  type SignalEventType,
  type SignalRow,
  type SignalState,
  signal,
  signalEvent,
} from '../../db/schema.js';
import { type Db, rowsOf } from '../../platform/db.js';
import { SERVICE_TARGETS } from './wallboard.service.js';

/**
 * What an advocate is busy with, against `max_chats`: active conversations and pending offers count one each,
 * and a phone call (active or offered) fills them up — nobody is offered a second call, or a chat, while a caller is
 * on the line or ringing for them.
 */
/** Answer target of e-mail and reports (asynchronous): they wait behind live contacts, but not for long. */
export const ASYNC_TARGET_S = 15 * 60;

const LOAD = sql.raw(`((select count(*) + count(*) filter (where a.channel = 'phone') * p.max_chats
     from signal a where a.assigned_user_id = p.user_id and a.state = 'active')
   + (select count(*) + count(*) filter (where os.channel = 'phone') * p.max_chats
     from offer o join signal os on os.id = o.signal_id where o.user_id = p.user_id and o.outcome is null))`);

/**
 * When a waiting signal is due: queued_at + its channel's answer target (calls 20 s, text conversations 60 s —
 * the wallboard's service levels — e-mail and reports 15 min). The most urgent is offered first: a call that just
 * rang goes before a chat that arrived a few seconds earlier, but a chat that has waited 50 s goes before it.
 */
export const DUE = sql.raw(`(queued_at + make_interval(secs => case
    when channel in (${SERVICE_TARGETS.calls.channels.map((c) => `'${c}'`).join(',')}) then ${SERVICE_TARGETS.calls.targetS}
    when channel in (${SERVICE_TARGETS.chats.channels.map((c) => `'${c}'`).join(',')}) then ${SERVICE_TARGETS.chats.targetS}
    else ${ASYNC_TARGET_S} end))`);

export interface Candidate {
  userId: string;
  maxChats: number;
  load: number;
}

export interface ExpiredOffer {
  offerId: string;
  signalId: string;
  userId: string;
}

/**
 * All SQL of routing. Lock order everywhere in the queue: the signal row first, then its offers, then presence
 * rows, so that routers, offer answers and presence changes in several processes never deadlock.
 */
export const routingRepository = {
  /** Locks one signal (waiting for another writer to finish with it). */
  async lockSignal(tx: Db, id: string): Promise<SignalRow | undefined> {
    const [row] = await tx.select().from(signal).where(eq(signal.id, id)).for('update');
    return row;
  },

  async findSignal(db: Db, id: string): Promise<SignalRow | undefined> {
    const [row] = await db.select().from(signal).where(eq(signal.id, id)).limit(1);
    return row;
  },

  async findOffer(db: Db, id: string): Promise<OfferRow | undefined> {
    const [row] = await db.select().from(offer).where(eq(offer.id, id)).limit(1);
    return row;
  },

  async lockOffer(tx: Db, id: string): Promise<OfferRow | undefined> {
    const [row] = await tx.select().from(offer).where(eq(offer.id, id)).for('update');
    return row;
  },

  /** Pending offers past their expiry whose signal no other router holds right now. */
  async lockExpiredOffers(tx: Db, now: Date, limit: number): Promise<ExpiredOffer[]> {
    return tx
      .select({ offerId: offer.id, signalId: signal.id, userId: offer.userId })
      .from(signal)
      .innerJoin(offer, and(eq(offer.signalId, signal.id), isNull(offer.outcome)))
      .where(and(eq(signal.state, 'offered'), lte(offer.expiresAt, now)))
      .orderBy(asc(offer.expiresAt))
      .limit(limit)
      .for('update', { of: signal, skipLocked: true });
  },

  /** Pending offers whose signal is no longer offered (it ended meanwhile): they must not hold capacity. */
  async lockStaleOffers(tx: Db, limit: number): Promise<ExpiredOffer[]> {
    return tx
      .select({ offerId: offer.id, signalId: signal.id, userId: offer.userId })
      .from(signal)
      .innerJoin(offer, and(eq(offer.signalId, signal.id), isNull(offer.outcome)))
      .where(ne(signal.state, 'offered'))
      .limit(limit)
      .for('update', { of: signal, skipLocked: true });
  },

  /** Pending offers of a user, locked signal first (the lock order used everywhere in the queue). */
  async lockPendingOffersOf(tx: Db, userId: string): Promise<{ id: string; signalId: string }[]> {
    const pending = await tx
      .select({ signalId: offer.signalId })
      .from(offer)
      .where(and(eq(offer.userId, userId), isNull(offer.outcome)));
    if (pending.length === 0) return [];
    await tx
      .select({ id: signal.id })
      .from(signal)
      .where(
        inArray(
          signal.id,
          pending.map((p) => p.signalId),
        ),
      )
      .orderBy(asc(signal.id))
      .for('update');
    return tx
      .select({ id: offer.id, signalId: offer.signalId })
      .from(offer)
      .where(and(eq(offer.userId, userId), isNull(offer.outcome)))
      .for('update');
  },

  /** Queues (languages) that have at least one available advocate with room: the others need no pass. */
  async languagesWithCapacity(tx: Db): Promise<string[]> {
    const rows = await rowsOf<{ language: string }>(
      tx,
      sql`select distinct unnest(p.languages) as language
          from presence p join users u on u.id = p.user_id
          where p.status = 'available' and u.disabled_at is null
            and u.role in ('advocate', 'supervisor')
            and (${LOAD}) < p.max_chats`,
    );
    return rows.map((r) => r.language);
  },

  /**
   * Waiting signals of these languages, the most urgent first (earliest due time: queued + the channel's target),
   * that no other router holds right now (`skip locked`).
   */
  async lockQueued(tx: Db, limit: number, languages: string[]): Promise<SignalRow[]> {
    return tx
      .select()
      .from(signal)
      .where(and(eq(signal.state, 'queued'), inArray(signal.language, languages as SignalRow['language'][])))
      .orderBy(sql`${DUE} asc nulls last`, asc(signal.arrivedAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  },

  /**
   * Who may be offered this signal: available, taking its language, below their max_chats (active
   * conversations + pending offers), never someone who declined it or let it time out; fewest active first,
   * then longest idle (last assignment oldest, never assigned first).
   */
  async candidates(
    tx: Db,
    s: { id: string; language: string },
    roles: readonly string[],
    limit = 20,
  ): Promise<Candidate[]> {
    const roleList = sql.join(
      roles.map((r) => sql`${r}`),
      sql`, `,
    );
    return rowsOf<Candidate>(
      tx,
      sql`select c.user_id as "userId", c.max_chats as "maxChats", c.load
          from (
            select p.user_id, p.max_chats, p.last_assigned_at,
              (${LOAD})::int as load
            from presence p
            join users u on u.id = p.user_id
            where p.status = 'available'
              and ${s.language}::text = any(p.languages)
              and u.disabled_at is null
              and u.role in (${roleList})
              and not exists (
                select 1 from offer d
                where d.signal_id = ${s.id}::uuid and d.user_id = p.user_id and d.outcome in ('declined', 'timeout'))
          ) c
          where c.load < c.max_chats
          order by c.load asc, c.last_assigned_at asc nulls first, c.user_id asc
          limit ${limit}`,
    );
  },

  /** Locks a presence row unless another router holds it (it is offering that person something right now). */
  async tryLockPresence(tx: Db, userId: string): Promise<boolean> {
    const rows = await tx
      .select({ userId: presence.userId })
      .from(presence)
      .where(eq(presence.userId, userId))
      .for('update', { skipLocked: true });
    return rows.length > 0;
  },

  /** Active conversations + pending offers, read fresh (after the presence lock). */
  async loadOf(tx: Db, userId: string): Promise<{ load: number; maxChats: number; status: string }> {
    const [row] = await rowsOf<{ load: number; maxChats: number; status: string }>(
      tx,
      sql`select p.max_chats as "maxChats", p.status,
            (${LOAD})::int as load
          from presence p where p.user_id = ${userId}::uuid`,
    );
    return row ?? { load: 0, maxChats: 0, status: 'offline' };
  },

  async insertOffer(tx: Db, values: { signalId: string; userId: string; offeredAt: Date; expiresAt: Date }) {
    const [row] = await tx.insert(offer).values(values).returning();
    if (!row) throw new Error('insert offer returned nothing');
    return row;
  },

  /** Sets the outcome of a still-pending offer; undefined when it was already answered. */
  async closeOffer(tx: Db, id: string, outcome: OfferOutcome, at: Date): Promise<OfferRow | undefined> {
    const [row] = await tx
      .update(offer)
      .set({ outcome, respondedAt: at })
      .where(and(eq(offer.id, id), isNull(offer.outcome)))
      .returning();
    return row;
  },

  async pendingOfferOf(tx: Db, signalId: string): Promise<OfferRow | undefined> {
    const [row] = await tx
      .select()
      .from(offer)
      .where(and(eq(offer.signalId, signalId), isNull(offer.outcome)))
      .limit(1);
    return row;
  },

  async updateSignal(
    tx: Db,
    id: string,
    values: Partial<
      Pick<SignalRow, 'state' | 'firstOfferedAt' | 'answeredAt' | 'assignedUserId' | 'wantedRole'>
    > & { state?: SignalState },
    at: Date,
    bumpVersion = false,
  ): Promise<SignalRow> {
    const [row] = await tx
      .update(signal)
      .set({ ...values, updatedAt: at, ...(bumpVersion ? { version: sql`${signal.version} + 1` } : {}) })
      .where(eq(signal.id, id))
      .returning();
    if (!row) throw new Error('signal vanished');
    return row;
  },

  /** Whether the last `n` offers made to this person all timed out. */
  async missedInARow(tx: Db, userId: string, n: number): Promise<boolean> {
    const last = await tx
      .select({ outcome: offer.outcome })
      .from(offer)
      .where(eq(offer.userId, userId))
      .orderBy(desc(offer.offeredAt))
      .limit(n);
    return last.length === n && last.every((o) => o.outcome === 'timeout');
  },

  /** Available → busy (nothing else changes); false when they were not available. */
  async setBusyIfAvailable(tx: Db, userId: string, at: Date): Promise<boolean> {
    const rows = await tx
      .update(presence)
      .set({ status: 'busy', updatedAt: at })
      .where(and(eq(presence.userId, userId), eq(presence.status, 'available')))
      .returning({ userId: presence.userId });
    return rows.length > 0;
  },

  async markAssigned(tx: Db, userId: string, at: Date) {
    await tx.update(presence).set({ lastAssignedAt: at }).where(eq(presence.userId, userId));
  },

  async insertEvent(
    tx: Db,
    values: {
      signalId: string;
      type: SignalEventType;
      at: Date;
      userId?: string | null;
      data?: Record<string, unknown>;
    },
  ) {
    await tx.insert(signalEvent).values({
      signalId: values.signalId,
      type: values.type,
      at: values.at,
      userId: values.userId ?? null,
      data: values.data ?? {},
    });
  },
};
