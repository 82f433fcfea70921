import { and, asc, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import {
  type ChannelDeliveryRow,
  channelDelivery,
  type DeliveryStatus,
  signal,
  signalMessage,
} from '../../db/schema.js';
import { publish } from '../../platform/bus.js';
import { decrypt } from '../../platform/crypto.js';
import { recordSignalEvent } from '../queue/signals.service.js';
import type { ChannelsDeps } from './channels.module.js';
import { openAddress } from './contact.js';
import { sendErrorCode } from './messaging.sender.js';
import { type ChannelSender, PermanentSendError } from './sender.js';

/**
 * The outbox worker (docs/api/channels.md): every outgoing staff/system message on SMS, WhatsApp and e-mail is a
 * `channel_delivery` row written with the message (signals.appendMessage). Each process runs this worker (1 s tick
 * + the `outbox` bus topic); any number of them share the table safely:
 *
 * - claim: `for update skip locked` on due rows (`pending`, or `sending` whose lease ran out because its worker
 *   died), set `sending`, attempts + 1 and a lease (`next_attempt_at` = now + lease) in one short transaction;
 *   only the oldest unfinished delivery of a signal is due, so a conversation's messages leave in order;
 * - send outside any transaction (the channel's sender: Twilio REST or SMTP);
 * - finish: `sent` + the provider's id, or back to `pending` with a back-off, or `failed` after MAX_ATTEMPTS (at
 *   once for a PermanentSendError). Each finish only applies while the row is still ours (same status and
 *   attempt), records a `delivery` event and publishes `{topic:'delivery'}` in its transaction.
 *
 * At least once: a crash between the provider's answer and the commit sends that message again after the lease.
 * Nothing personal is logged (ids, seq, error codes only).
 */

export const MAX_ATTEMPTS = 5;
/** How long a claimed delivery belongs to its worker (longer than any sender's time-out). */
export const LEASE_MS = 2 * 60_000;
const TICK_MS = 1000;
const BATCH = 20;

type OutboxChannel = 'sms' | 'whatsapp' | 'email';

/** 5 s, 20 s, 80 s, 320 s (± 20 %): Twilio or the relay gets time to recover; about 7 minutes in all. */
export function defaultBackoffMs(attempt: number): number {
  const base = 5000 * 4 ** Math.max(0, attempt - 1);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export interface OutboxOptions {
  senders: Partial<Record<OutboxChannel, ChannelSender>>;
  backoffMs?: (attempt: number) => number;
  leaseMs?: number;
  tickMs?: number;
  now?: () => Date;
  /**
   * Tests and tools only: an extra condition on the rows this worker may claim (e.g. its own signals), so that
   * workers of differently configured apps sharing one test database do not send each other's messages.
   */
  claimWhere?: () => SQL | undefined;
}

export function createOutbox(deps: ChannelsDeps & OutboxOptions): {
  start(): void;
  stop(): Promise<void>;
  runOnce(): Promise<number>;
} {
  const { db } = deps;
  const key = deps.config.encryptionKey;
  const now = deps.now ?? (() => new Date());
  const backoff = deps.backoffMs ?? defaultBackoffMs;
  const leaseMs = deps.leaseMs ?? LEASE_MS;

  /** Channels this process can send now: SMS/WhatsApp wait (pending) while Twilio is not configured. */
  const channels = (): OutboxChannel[] =>
    (Object.keys(deps.senders) as OutboxChannel[]).filter(
      (c) => deps.senders[c] && (c === 'email' || Boolean(deps.config.twilio)),
    );

  const logFailure = (err: unknown, what: string, extra: Record<string, unknown> = {}) =>
    deps.log.warn({ err: { type: (err as Error)?.name, code: sendErrorCode(err) }, ...extra }, what);

  async function claim(): Promise<ChannelDeliveryRow[]> {
    const open = channels();
    if (open.length === 0) return [];
    return db.transaction(async (tx) => {
      const at = now();
      const due = await tx
        .select({ id: channelDelivery.id })
        .from(channelDelivery)
        .innerJoin(signal, eq(signal.id, channelDelivery.signalId))
        .where(
          and(
            inArray(channelDelivery.status, ['pending', 'sending']),
            lte(channelDelivery.nextAttemptAt, at),
            inArray(signal.channel, open),
            sql`not exists (select 1 from channel_delivery earlier where earlier.signal_id = ${channelDelivery.signalId} and earlier.seq < ${channelDelivery.seq} and earlier.status in ('pending', 'sending'))`,
            deps.claimWhere?.(),
          ),
        )
        .orderBy(asc(channelDelivery.nextAttemptAt))
        .limit(BATCH)
        .for('update', { of: channelDelivery, skipLocked: true });
      if (due.length === 0) return [];
      const claimed = await tx
        .update(channelDelivery)
        .set({
          status: 'sending',
          attempts: sql`${channelDelivery.attempts} + 1`,
          nextAttemptAt: new Date(at.getTime() + leaseMs),
          updatedAt: at,
        })
        .where(
          inArray(
            channelDelivery.id,
            due.map((d) => d.id),
          ),
        )
        .returning();
      for (const row of claimed)
        await publish(tx, { topic: 'delivery', signal: row.signalId, seq: row.seq, status: 'sending' });
      return claimed;
    });
  }

  /** Applies a finish to a delivery we still hold; false when the lease was lost (another worker has it). */
  async function finish(
    row: ChannelDeliveryRow,
    values: { status: DeliveryStatus; providerId?: string; errorCode?: string | null; nextAttemptAt?: Date },
  ): Promise<boolean> {
    return db.transaction(async (tx) => {
      const at = now();
      const updated = await tx
        .update(channelDelivery)
        .set({
          status: values.status,
          ...(values.providerId !== undefined ? { providerId: values.providerId } : {}),
          ...(values.errorCode !== undefined ? { errorCode: values.errorCode } : {}),
          ...(values.nextAttemptAt ? { nextAttemptAt: values.nextAttemptAt } : {}),
          updatedAt: at,
        })
        .where(
          and(
            eq(channelDelivery.id, row.id),
            eq(channelDelivery.status, 'sending'),
            eq(channelDelivery.attempts, row.attempts),
          ),
        )
        .returning({ id: channelDelivery.id });
      if (updated.length === 0) return false;
      if (values.status !== 'pending')
        await recordSignalEvent(tx, row.signalId, 'delivery', null, { seq: row.seq, status: values.status });
      await publish(tx, { topic: 'delivery', signal: row.signalId, seq: row.seq, status: values.status });
      return true;
    });
  }

  /** Extends this worker's lease on a row it still holds (same attempt, still sending); false when it lost it. */
  async function renew(row: ChannelDeliveryRow): Promise<boolean> {
    const at = now();
    const renewed = await db
      .update(channelDelivery)
      .set({ nextAttemptAt: new Date(at.getTime() + leaseMs), updatedAt: at })
      .where(
        and(
          eq(channelDelivery.id, row.id),
          eq(channelDelivery.status, 'sending'),
          eq(channelDelivery.attempts, row.attempts),
        ),
      )
      .returning({ id: channelDelivery.id });
    return renewed.length > 0;
  }

  const fail = (row: ChannelDeliveryRow, code: string) => finish(row, { status: 'failed', errorCode: code });

  async function deliver(row: ChannelDeliveryRow): Promise<void> {
    const log = { delivery: row.id, signal: row.signalId, seq: row.seq, attempt: row.attempts };
    if (row.attempts > MAX_ATTEMPTS) {
      // Its last worker died mid-send, MAX_ATTEMPTS times: give up rather than loop.
      await fail(row, row.errorCode ?? 'ATTEMPTS_EXHAUSTED');
      return;
    }
    const [s] = await db.select().from(signal).where(eq(signal.id, row.signalId)).limit(1);
    const [m] = await db
      .select({ bodySealed: signalMessage.bodySealed })
      .from(signalMessage)
      .where(and(eq(signalMessage.signalId, row.signalId), eq(signalMessage.seq, row.seq)))
      .limit(1);
    if (!s || !m) return void (await fail(row, 'MESSAGE_MISSING'));
    if (!s.addressSealed) return void (await fail(row, 'NO_ADDRESS'));
    const sender = deps.senders[s.channel as OutboxChannel];
    if (!sender) return void (await fail(row, 'NO_SENDER'));
    let text: string;
    let address: string;
    try {
      text = decrypt(key, m.bodySealed, s.id).toString('utf8');
      address = openAddress(key, s.id, s.addressSealed);
    } catch {
      return void (await fail(row, 'SEAL_INVALID'));
    }
    // Renew the lease just before sending (a batch is sent one by one): if another worker took the row over
    // meanwhile (its lease ran out), it sends and this worker does not.
    if (!(await renew(row))) {
      deps.log.warn(log, 'outbox: lease lost before sending, left to the worker that holds it');
      return;
    }
    let result: Awaited<ReturnType<ChannelSender['send']>>;
    try {
      result = await sender.send({ signal: s, address, seq: row.seq, text, deliveryId: row.id });
    } catch (err) {
      if (err instanceof PermanentSendError) {
        deps.log.warn({ ...log, code: err.code }, 'outbox: delivery refused, not retried');
        await fail(row, err.code.slice(0, 40));
        return;
      }
      const code = sendErrorCode(err);
      if (row.attempts >= MAX_ATTEMPTS) {
        logFailure(err, 'outbox: delivery failed after the last attempt', log);
        await fail(row, code);
        return;
      }
      logFailure(err, 'outbox: delivery failed, will retry', log);
      await finish(row, {
        status: 'pending',
        errorCode: code,
        nextAttemptAt: new Date(now().getTime() + backoff(row.attempts)),
      });
      return;
    }
    try {
      const ok = await finish(row, { status: 'sent', providerId: result.providerId, errorCode: null });
      if (!ok) deps.log.warn(log, 'outbox: sent after its lease ended');
    } catch (err) {
      // E.g. the provider id is already known: the row stays `sending` and its lease decides.
      logFailure(err, 'outbox: could not record a sent delivery', log);
    }
  }

  async function runOnce(): Promise<number> {
    const claimed = await claim();
    for (const row of claimed) {
      try {
        await deliver(row);
      } catch (err) {
        logFailure(err, 'outbox: delivery pass failed', { delivery: row.id });
      }
    }
    return claimed.length;
  }

  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const n = await runOnce();
          if (n >= BATCH) again = true;
        } while (again && !stopped);
      } catch (err) {
        logFailure(err, 'outbox pass failed');
      } finally {
        running = undefined;
      }
    })();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = deps.bus.subscribe((event) => {
        if (event.topic === 'outbox' || event.topic === 'resync') kick();
      });
      timer = setInterval(kick, deps.tickMs ?? TICK_MS);
      timer.unref?.();
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await running;
    },
    runOnce,
  };
}
