import { and, asc, eq, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { offer, presence, type SignalRow, sessions, signal, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

export interface WaitingRow {
  id: string;
  channel: SignalRow['channel'];
  language: SignalRow['language'];
  queuedAt: Date;
}

export interface MyOfferRow {
  id: string;
  signalId: string;
  channel: SignalRow['channel'];
  language: SignalRow['language'];
  interpreterLanguage: string | null;
  queuedAt: Date;
  offeredAt: Date;
  expiresAt: Date;
}

export interface WrapUpValues {
  callerType: string;
  region: string;
  wrapUpLanguage: string;
  heardAbout: string;
}

/** How long an ended conversation stays on its advocate's list waiting for its wrap-up. */
const WRAP_UP_WINDOW_HOURS = 24;

/** All SQL of the staff side of the queue (queue snapshot, transfer, wrap-up). */
export const staffRepository = {
  /** Signals waiting (queued or offered), oldest first: routing facts only, never content. */
  async waiting(db: Db, limit = 200): Promise<WaitingRow[]> {
    const rows = await db
      .select({
        id: signal.id,
        channel: signal.channel,
        language: signal.language,
        queuedAt: sql<Date>`coalesce(${signal.queuedAt}, ${signal.arrivedAt})`.mapWith(signal.arrivedAt),
      })
      .from(signal)
      .where(inArray(signal.state, ['queued', 'offered']))
      .orderBy(sql`coalesce(${signal.queuedAt}, ${signal.arrivedAt}) asc`)
      .limit(limit);
    return rows;
  },

  async pendingOffersOf(db: Db, userId: string): Promise<MyOfferRow[]> {
    return db
      .select({
        id: offer.id,
        signalId: offer.signalId,
        channel: signal.channel,
        language: signal.language,
        interpreterLanguage: signal.interpreterLanguage,
        queuedAt: sql<Date>`coalesce(${signal.queuedAt}, ${signal.arrivedAt})`.mapWith(signal.arrivedAt),
        offeredAt: offer.offeredAt,
        expiresAt: offer.expiresAt,
      })
      .from(offer)
      .innerJoin(signal, eq(signal.id, offer.signalId))
      .where(and(eq(offer.userId, userId), isNull(offer.outcome), eq(signal.state, 'offered')))
      .orderBy(asc(offer.offeredAt));
  },

  /** My live conversations, and the ones that ended recently without a wrap-up. */
  async mine(db: Db, userId: string, now: Date): Promise<SignalRow[]> {
    const since = new Date(now.getTime() - WRAP_UP_WINDOW_HOURS * 3600_000);
    return db
      .select()
      .from(signal)
      .where(
        and(
          eq(signal.assignedUserId, userId),
          or(
            eq(signal.state, 'active'),
            and(eq(signal.state, 'ended'), isNull(signal.wrappedUpAt), gt(signal.endedAt, since)),
          ),
        ),
      )
      .orderBy(asc(signal.state), asc(signal.answeredAt)); // active before ended
  },

  async findUser(db: Db, id: string) {
    const [row] = await db
      .select({
        id: users.id,
        role: users.role,
        disabledAt: users.disabledAt,
        displayName: users.displayName,
      })
      .from(users)
      .where(eq(users.id, id))
      .limit(1);
    return row;
  },

  async displayNames(db: Db, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .where(inArray(users.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  },

  /**
   * A supervisor to hand a conversation to: signed in (not offline), available first, then the fewest active
   * conversations, then the longest idle; never the person transferring.
   */
  async pickSupervisor(db: Db, exceptUserId: string): Promise<string | undefined> {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .innerJoin(presence, eq(presence.userId, users.id))
      .where(
        and(
          eq(users.role, 'supervisor'),
          isNull(users.disabledAt),
          ne(presence.status, 'offline'),
          ne(users.id, exceptUserId),
        ),
      )
      .orderBy(
        sql`case when ${presence.status} = 'available' then 0 else 1 end`,
        sql`(select count(*) from signal a where a.assigned_user_id = ${users.id} and a.state = 'active')`,
        sql`${presence.lastAssignedAt} asc nulls first`,
        asc(users.id),
      )
      .limit(1);
    return row?.id;
  },

  async reassign(tx: Db, id: string, userId: string, at: Date): Promise<SignalRow> {
    const [row] = await tx
      .update(signal)
      .set({ assignedUserId: userId, updatedAt: at, version: sql`${signal.version} + 1` })
      .where(eq(signal.id, id))
      .returning();
    if (!row) throw new Error('signal vanished');
    return row;
  },

  async markAssigned(tx: Db, userId: string, at: Date) {
    await tx.update(presence).set({ lastAssignedAt: at }).where(eq(presence.userId, userId));
  },

  /** Saves the wrap-up only if nobody changed the signal since `version`; undefined on a stale version. */
  async wrapUp(
    tx: Db,
    id: string,
    version: number,
    values: WrapUpValues & { wrappedUpBy: string; at: Date },
  ): Promise<SignalRow | undefined> {
    const [row] = await tx
      .update(signal)
      .set({
        callerType: values.callerType,
        region: values.region,
        wrapUpLanguage: values.wrapUpLanguage,
        heardAbout: values.heardAbout,
        wrappedUpAt: values.at,
        wrappedUpBy: values.wrappedUpBy,
        updatedAt: values.at,
        version: sql`${signal.version} + 1`,
      })
      .where(and(eq(signal.id, id), eq(signal.version, version)))
      .returning();
    return row;
  },

  /** Who holds a signal now (the staff socket sends its live events to them). */
  async assignedUser(db: Db, id: string): Promise<string | null | undefined> {
    const [row] = await db
      .select({ userId: signal.assignedUserId })
      .from(signal)
      .where(eq(signal.id, id))
      .limit(1);
    return row ? row.userId : undefined;
  },

  /**
   * Whether a session behind an open staff socket is still good (not signed out, expired, or its user disabled),
   * read without touching `last_seen_at`: an open socket alone must not keep an idle session alive.
   */
  async sessionActive(db: Db, sessionId: string, at: Date, idleMinutes: number): Promise<boolean> {
    const [row] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.stage, 'active'),
          gt(sessions.expiresAt, at),
          gt(sessions.lastSeenAt, new Date(at.getTime() - idleMinutes * 60_000)),
          isNull(users.disabledAt),
        ),
      )
      .limit(1);
    return row !== undefined;
  },
};
