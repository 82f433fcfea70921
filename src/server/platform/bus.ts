import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from './db.js';

/**
 * Realtime fan-out between Harbour processes (docs/api/live-queue.md, ADR 0005).
 *
 * Writers call `publish(tx, event)` inside their transaction: it is `select pg_notify('harbour', json)`, so the
 * notification leaves only when the transaction commits (and never after a rollback). Every process LISTENs
 * (`createBus(db)`: PostgreSQL through one dedicated pg.Client that reconnects, PGlite through its `listen()`)
 * and hands each event to its subscribers, which fetch what they need from the database.
 *
 * Payloads carry ids and small counters only: never message text or personal data (NOTIFY payloads are
 * visible to any session on the server, limited to 8,000 bytes, and may be logged by PostgreSQL).
 *
 * One bus per app: app.ts creates it (`const bus = await createBus(db)`) and passes it to the queue modules.
 */

export const BUS_CHANNEL = 'harbour';

export type BusEvent =
  /** A signal changed state (created, offered, answered, transferred, ended…). */
  | { topic: 'signal'; id: string; state: string }
  /** A message was committed with this seq. */
  | { topic: 'message'; signal: string; seq: number; sender: 'visitor' | 'staff' | 'system' }
  /** Someone started or stopped typing in a conversation. */
  | { topic: 'typing'; signal: string; who: 'visitor' | 'staff'; on: boolean }
  /** Someone read up to seq. */
  | { topic: 'read'; signal: string; who: 'visitor' | 'staff'; seq: number }
  /** An offer was made or answered (user = the advocate offered). */
  | { topic: 'offer'; id: string; user: string; signal: string }
  /** A staff member's presence changed. */
  | { topic: 'presence'; user: string }
  /** Channels (docs/api/channels.md): an outgoing message waits in the outbox. */
  | { topic: 'outbox'; signal: string }
  /** The delivery status of an outgoing SMS / WhatsApp / e-mail message changed. */
  | { topic: 'delivery'; signal: string; seq: number; status: string }
  /** A phone call's card changed (connected, hold, mute, interpreter…). */
  | { topic: 'call'; signal: string }
  /** A case changed (issue 6): `kind` = the timeline event type (e.g. break_glass, referral_status). Ids only. */
  | { topic: 'case'; id: string; kind: string }
  /**
   * Local only, never published: the listening connection was re-established after a break, so events may have
   * been missed; subscribers should re-read what they show.
   */
  | { topic: 'resync' };

export type BusTopic = BusEvent['topic'];
export type BusListener = (event: BusEvent) => void;

const TOPICS = new Set<string>([
  'signal',
  'message',
  'typing',
  'read',
  'offer',
  'presence',
  'outbox',
  'delivery',
  'call',
  'case',
]);

/**
 * Publishes an event when `tx` commits. Pass the transaction of the write the event describes; with the plain
 * database (not a transaction) the event leaves at once (typing indicators, which write nothing).
 */
export async function publish(tx: Db, event: Exclude<BusEvent, { topic: 'resync' }>): Promise<void> {
  await tx.execute(sql`select pg_notify(${BUS_CHANNEL}, ${JSON.stringify(event)})`);
}

/** Parses a payload from the channel; anything unexpected is ignored rather than trusted. */
export function parseBusPayload(payload: string): BusEvent | undefined {
  try {
    const value = JSON.parse(payload) as { topic?: unknown };
    if (value && typeof value === 'object' && typeof value.topic === 'string' && TOPICS.has(value.topic))
      return value as BusEvent;
  } catch {
    // not ours
  }
  return undefined;
}

export interface Bus {
  /** Calls `listener` for every event of every process (including this one); returns the unsubscribe function. */
  subscribe(listener: BusListener): () => void;
  /** Stops listening (app close). */
  close(): Promise<void>;
  /** True while the listening connection is up (PostgreSQL); always true on PGlite. */
  connected(): boolean;
}

interface BusOptions {
  /** First reconnect delay (doubles up to 5 s). */
  reconnectMs?: number;
  onError?: (err: unknown) => void;
  /** PostgreSQL application_name of the listening connection (visible in pg_stat_activity). */
  applicationName?: string;
}

/** Starts listening on the database behind `db` (PGlite or a PostgreSQL pool). */
export async function createBus(db: Db, options: BusOptions = {}): Promise<Bus> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client instanceof pg.Pool) return createPostgresBus(client, options);
  if (client && typeof (client as PGlite).listen === 'function') return createPgliteBus(client as PGlite);
  throw new Error('createBus: unknown database client');
}

function fanOut(listeners: Set<BusListener>, event: BusEvent) {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch {
      // one subscriber's failure must not starve the others
    }
  }
}

async function createPgliteBus(pglite: PGlite): Promise<Bus> {
  const listeners = new Set<BusListener>();
  const unlisten = await pglite.listen(BUS_CHANNEL, (payload) => {
    const event = parseBusPayload(payload);
    // PGlite calls back while finishing the query that committed; let the writer's code finish first.
    if (event) queueMicrotask(() => fanOut(listeners, event));
  });
  let closed = false;
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await unlisten().catch(() => {});
    },
    connected: () => !closed,
  };
}

async function createPostgresBus(pool: pg.Pool, options: BusOptions): Promise<Bus> {
  const listeners = new Set<BusListener>();
  const base = options.reconnectMs ?? 100;
  let delay = base;
  let client: pg.Client | undefined;
  let up = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({
      ...(pool.options as pg.ClientConfig),
      application_name: options.applicationName ?? 'harbour-bus',
    });
    client = c;
    const broken = (err?: unknown) => {
      if (client !== c) return;
      up = false;
      client = undefined;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      if (err) options.onError?.(err);
      schedule();
    };
    c.on('error', broken);
    c.on('end', () => broken());
    c.on('notification', (msg) => {
      if (msg.channel !== BUS_CHANNEL || !msg.payload) return;
      const event = parseBusPayload(msg.payload);
      if (event) fanOut(listeners, event);
    });
    await c.connect();
    await c.query(`listen ${BUS_CHANNEL}`);
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    up = true;
    delay = base;
    if (everConnected) fanOut(listeners, { topic: 'resync' });
    everConnected = true;
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((err) => {
        options.onError?.(err);
        if (client) {
          const c = client;
          client = undefined;
          c.removeAllListeners();
          c.on('error', () => {});
          c.end().catch(() => {});
        }
        delay = Math.min(delay * 2, 5000);
        schedule();
      });
    }, delay);
    timer.unref?.();
  };

  await connect();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      up = false;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
    connected: () => up,
  };
}
