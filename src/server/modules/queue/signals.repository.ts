import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import {
  type MessageSender,
  offer,
  presence,
  type SignalEventType,
  type SignalLanguage,
  type SignalMessageRow,
  type SignalRow,
  signal,
  signalEvent,
  signalMessage,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/** All SQL of the signal/message store. A missing row is `undefined`; the service decides what it means. */
export const signalsRepository = {
  /** Inserts a signal unless its reference is taken (then `undefined`: draw another reference). */
  async insertSignal(db: Db, values: typeof signal.$inferInsert): Promise<SignalRow | undefined> {
    const [row] = await db.insert(signal).values(values).onConflictDoNothing().returning();
    return row;
  },

  async findSignal(db: Db, id: string): Promise<SignalRow | undefined> {
    const [row] = await db.select().from(signal).where(eq(signal.id, id)).limit(1);
    return row;
  },

  async findByReference(db: Db, reference: string): Promise<SignalRow | undefined> {
    const [row] = await db.select().from(signal).where(eq(signal.reference, reference)).limit(1);
    return row;
  },

  async findByTokenHash(db: Db, tokenHash: string): Promise<SignalRow | undefined> {
    const [row] = await db.select().from(signal).where(eq(signal.visitorTokenHash, tokenHash)).limit(1);
    return row;
  },

  /** Locks the signal row until the transaction ends: serialises the seq of its messages. */
  async lockSignal(tx: Db, id: string): Promise<SignalRow | undefined> {
    const [row] = await tx.select().from(signal).where(eq(signal.id, id)).for('update').limit(1);
    return row;
  },

  async findMessageByClientId(
    db: Db,
    signalId: string,
    sender: MessageSender,
    clientId: string,
  ): Promise<SignalMessageRow | undefined> {
    const [row] = await db
      .select()
      .from(signalMessage)
      .where(
        and(
          eq(signalMessage.signalId, signalId),
          eq(signalMessage.sender, sender),
          eq(signalMessage.clientId, clientId),
        ),
      )
      .limit(1);
    return row;
  },

  async insertMessage(tx: Db, values: typeof signalMessage.$inferInsert): Promise<SignalMessageRow> {
    const [row] = await tx.insert(signalMessage).values(values).returning();
    if (!row) throw new Error('insert signal_message returned nothing');
    return row;
  },

  async setLastSeq(tx: Db, id: string, seq: number, now: Date): Promise<void> {
    await tx.update(signal).set({ lastSeq: seq, updatedAt: now }).where(eq(signal.id, id));
  },

  /** Messages with seq > after, in order. */
  async messagesAfter(db: Db, signalId: string, after: number, limit: number): Promise<SignalMessageRow[]> {
    return db
      .select()
      .from(signalMessage)
      .where(and(eq(signalMessage.signalId, signalId), gt(signalMessage.seq, after)))
      .orderBy(asc(signalMessage.seq))
      .limit(limit);
  },

  /** Raises a read mark (never lowers it, never past the last message); returns the mark now stored. */
  async raiseRead(db: Db, id: string, who: 'visitor' | 'staff', seq: number): Promise<number | undefined> {
    const column = who === 'visitor' ? signal.visitorReadSeq : signal.staffReadSeq;
    const key = who === 'visitor' ? 'visitorReadSeq' : 'staffReadSeq';
    const [row] = await db
      .update(signal)
      .set({ [key]: sql`greatest(${column}, least(${seq}, ${signal.lastSeq}))` })
      .where(eq(signal.id, id))
      .returning({ seq: column });
    return row?.seq;
  },

  async endSignal(
    tx: Db,
    id: string,
    values: { endReason: NonNullable<SignalRow['endReason']>; now: Date },
  ): Promise<SignalRow | undefined> {
    const [row] = await tx
      .update(signal)
      .set({
        state: 'ended',
        endReason: values.endReason,
        endedAt: values.now,
        updatedAt: values.now,
        version: sql`${signal.version} + 1`,
      })
      .where(and(eq(signal.id, id), sql`${signal.state} <> 'ended'`))
      .returning();
    return row;
  },

  /** Cancels the pending offers of a signal that ended; returns them (id, user) for the bus. */
  async cancelPendingOffers(
    tx: Db,
    signalId: string,
    now: Date,
  ): Promise<Array<{ id: string; userId: string }>> {
    return tx
      .update(offer)
      .set({ outcome: 'cancelled', respondedAt: now })
      .where(and(eq(offer.signalId, signalId), isNull(offer.outcome)))
      .returning({ id: offer.id, userId: offer.userId });
  },

  async insertEvent(
    tx: Db,
    values: {
      signalId: string;
      type: SignalEventType;
      userId?: string | null;
      data?: Record<string, unknown>;
    },
  ): Promise<void> {
    await tx.insert(signalEvent).values({
      signalId: values.signalId,
      type: values.type,
      userId: values.userId ?? null,
      data: values.data ?? {},
    });
  },

  /** Whether the visitor resumed or wrote since `since` (another process may hold their socket now). */
  async visitorSeenSince(db: Db, signalId: string, since: Date): Promise<boolean> {
    const [row] = await db
      .select({
        seen: sql<boolean>`exists (select 1 from ${signalEvent} where ${signalEvent.signalId} = ${signalId}
            and ${signalEvent.type} = 'visitor_resumed' and ${signalEvent.at} > ${since})
          or exists (select 1 from ${signalMessage} where ${signalMessage.signalId} = ${signalId}
            and ${signalMessage.sender} = 'visitor' and ${signalMessage.createdAt} > ${since})`,
      })
      .from(signal)
      .where(eq(signal.id, signalId));
    return Boolean(row?.seen);
  },

  async events(db: Db, signalId: string) {
    return db
      .select()
      .from(signalEvent)
      .where(eq(signalEvent.signalId, signalId))
      .orderBy(asc(signalEvent.at), asc(signalEvent.id));
  },

  /**
   * Place in its language's queue of every waiting signal (1 = next), for the visitors' "waiting" status.
   * One statement for the whole process, not one per socket.
   */
  async waitingPositions(db: Db, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select({
        id: signal.id,
        position: sql<number>`(
          select count(*)::int from ${signal} s2
          where s2.language = ${signal.language} and s2.state in ('queued','offered')
            and (s2.queued_at, s2.id) <= (${signal.queuedAt}, ${signal.id})
        )`,
      })
      .from(signal)
      .where(and(inArray(signal.id, ids), inArray(signal.state, ['queued', 'offered'])));
    return new Map(rows.map((r) => [r.id, r.position]));
  },

  /** The queue languages that have at least one advocate whose presence is `available` right now. */
  async availableLanguages(db: Db): Promise<Set<SignalLanguage>> {
    const rows = await db
      .select({ language: sql<SignalLanguage>`unnest(${presence.languages})` })
      .from(presence)
      .where(eq(presence.status, 'available'));
    return new Set(rows.map((r) => r.language));
  },
};
