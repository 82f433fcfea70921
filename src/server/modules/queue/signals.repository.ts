import { and, asc, eq, getTableColumns, gt, isNull, sql } from 'drizzle-orm';
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
import { type Db, rowsOf } from '../../platform/db.js';
import { DUE } from './routing.repository.js';

const SIGNAL_COLUMNS = Object.entries(getTableColumns(signal));

/** A raw `signal` row (snake_case, driver values) as Drizzle would return it. */
function mapSignal(raw: Record<string, unknown>): SignalRow {
  return Object.fromEntries(
    SIGNAL_COLUMNS.map(([key, column]) => {
      const value = raw[column.name];
      return [key, value === null || value === undefined ? null : column.mapFromDriverValue(value)];
    }),
  ) as SignalRow;
}

/** All SQL of the signal/message store. A missing row is `undefined`; the service decides what it means. */
export const signalsRepository = {
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

  /**
   * The first statement of an append, in one round trip: locks the signal row (serialising its seqs) and looks up
   * this sender's client id. Undefined when the signal does not exist.
   */
  async lockForAppend(
    tx: Db,
    signalId: string,
    sender: MessageSender,
    clientId: string,
  ): Promise<
    | {
        lastSeq: number;
        state: SignalRow['state'];
        channel: SignalRow['channel'];
        windowEndsAt: Date | null;
        existingSeq: number | null;
        existingAt: Date | null;
      }
    | undefined
  > {
    const [row] = await rowsOf<{
      last_seq: number;
      state: SignalRow['state'];
      channel: SignalRow['channel'];
      window_ends_at: string | Date | null;
      existing_seq: number | null;
      existing_at: string | Date | null;
    }>(
      tx,
      sql`select s.last_seq, s.state, s.channel, s.window_ends_at, m.seq as existing_seq, m.created_at as existing_at
          from ${signal} s
          left join ${signalMessage} m on m.signal_id = s.id and m.sender = ${sender} and m.client_id = ${clientId}
          where s.id = ${signalId}
          for update of s`,
    );
    if (!row) return undefined;
    return {
      lastSeq: Number(row.last_seq),
      state: row.state,
      channel: row.channel,
      windowEndsAt: row.window_ends_at === null ? null : new Date(row.window_ends_at),
      existingSeq: row.existing_seq === null ? null : Number(row.existing_seq),
      existingAt: row.existing_at === null ? null : new Date(row.existing_at),
    };
  },

  /**
   * The second statement of an append: inserts the message, raises the signal's last_seq and queues the bus
   * notification (sent at commit), in one round trip.
   */
  async insertMessageAdvance(
    tx: Db,
    values: {
      signalId: string;
      seq: number;
      sender: MessageSender;
      authorUserId: string | null;
      clientId: string;
      bodySealed: string;
      at: Date;
    },
    channel: string,
    payload: string,
  ): Promise<boolean> {
    // ON CONFLICT sees a concurrent writer's committed resend of the same client id (the first statement's join
    // may not: PostgreSQL re-checks only the locked signal row after waiting for the lock); then nothing is
    // written, last_seq stays, no notification, and the caller reads the stored seq.
    const rows = await rowsOf<{ inserted: number | string }>(
      tx,
      sql`with inserted as (
          insert into ${signalMessage} (signal_id, seq, sender, author_user_id, client_id, body_sealed, created_at)
          values (${values.signalId}, ${values.seq}, ${values.sender}, ${values.authorUserId}, ${values.clientId},
                  ${values.bodySealed}, ${values.at})
          on conflict (signal_id, sender, client_id) do nothing
          returning seq
        ), advanced as (
          update ${signal} set last_seq = ${values.seq}, updated_at = ${values.at}
          where id = ${values.signalId} and exists (select 1 from inserted)
          returning id
        ), notified as (
          select pg_notify(${channel}, ${payload}) from inserted
        )
        select (select count(*) from inserted) as inserted, (select count(*) from advanced) as a,
               (select count(*) from notified) as n`,
    );
    return Number(rows[0]?.inserted ?? 0) === 1;
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

  /**
   * A new queued signal, its arrival on the timeline (`arrived`, `queued`) and its bus notification, as ONE
   * statement (atomic on its own, no transaction round trips). Undefined when the reference was taken: draw another.
   */
  async insertArrival(
    db: Db,
    values: {
      id: string;
      reference: string;
      channel: string;
      language: string;
      interpreterLanguage: string | null;
      visitorTokenHash: string | null;
      reportSealed: string | null;
      contactSealed: string | null;
      at: Date;
    },
    busChannel: string,
    payload: string,
  ): Promise<SignalRow | undefined> {
    const v = values;
    const [raw] = await rowsOf<Record<string, unknown>>(
      db,
      sql`with s as (
          insert into ${signal} (id, reference, channel, language, interpreter_language, state, arrived_at, queued_at,
                                 visitor_token_hash, report_sealed, contact_sealed, created_at, updated_at)
          values (${v.id}, ${v.reference}, ${v.channel}, ${v.language}, ${v.interpreterLanguage}, 'queued', ${v.at},
                  ${v.at}, ${v.visitorTokenHash}, ${v.reportSealed}, ${v.contactSealed}, ${v.at}, ${v.at})
          on conflict do nothing
          returning *
        ), e as (
          insert into ${signalEvent} (signal_id, type, data)
          select s.id, t.type, t.data::jsonb from s,
            (values ('arrived', ${JSON.stringify({ channel: v.channel })}),
                    ('queued', ${JSON.stringify({ language: v.language })})) as t(type, data)
        ), n as (
          select pg_notify(${busChannel}, ${payload}) from s
        )
        select s.*, (select count(*) from n) as notified from s`,
    );
    return raw ? mapSignal(raw) : undefined;
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
   * One statement for the whole process, not one per socket. The order is the router's (most urgent first).
   */
  async waitingPositions(db: Db, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await rowsOf<{ id: string; position: number | string }>(
      db,
      sql`select id, position from (
          select id, row_number() over (partition by language order by ${DUE} asc nulls last, arrived_at, id) as position
          from ${signal} where state in ('queued','offered')
        ) w
        where id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
    );
    return new Map(rows.map((r) => [r.id, Number(r.position)]));
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
