import { eq, inArray } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testConfig } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import {
  HOTLINE_EN,
  personNumber,
  TEST_ACCOUNT_SID,
  TEST_PUBLIC_URL,
  TEST_WHATSAPP_FROM,
  twilioTestSetup,
  usedNumbers,
} from '../../../../test/helpers/twilio.js';
import type { StandinRequest, TwilioStandin } from '../../../cli/twilio-standin.js';
import type { Config } from '../../config.js';
import { channelDelivery, type SignalRow, signal, signalEvent } from '../../db/schema.js';
import { type Bus, createBus } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { createSignalsService, type SignalsService } from '../queue/signals.service.js';
import type { ChannelsDeps } from './channels.module.js';
import { contactHash } from './contact.js';
import { createTwilioSender } from './messaging.sender.js';
import { createOutbox, MAX_ATTEMPTS } from './outbox.js';
import { type ChannelSender, type OutgoingMessage, PermanentSendError } from './sender.js';
import { createTwilioClient } from './twilio.js';

/*
 * The outbox on its own: real database, the real Twilio sender against the local stand-in. The test database may
 * be shared with other test files' apps (PostgreSQL runs files in parallel), whose outboxes claim every due row:
 * so this file lives in its own time (its messages are written and due in 2100, never due for them) and its
 * workers only claim its own signals.
 */
const FUTURE = Date.UTC(2100, 0, 1);
const START = Date.now();
/** This file's clock: 2100, moving forward with real time. */
const clock = () => new Date(FUTURE + (Date.now() - START));
const mine = new Set<string>();

let standin: TwilioStandin;
let overrides: Partial<Config>;
let db: Db;
let signals: SignalsService;
const warnings: unknown[] = [];
const MESSAGES_PATH = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`;

const log = {
  warn: (...args: unknown[]) => warnings.push(args),
  info: () => {},
  error: (...args: unknown[]) => warnings.push(args),
  debug: () => {},
  trace: () => {},
  fatal: () => {},
  child: () => log,
  level: 'warn',
  silent: () => {},
} as unknown as FastifyBaseLogger;
const quietBus: Bus = { subscribe: () => () => {}, close: async () => {}, connected: () => true };

beforeAll(async () => {
  ({ standin, overrides } = await twilioTestSetup());
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY, now: clock });
});
afterAll(() => standin.close());

function deps(extra: Partial<ChannelsDeps> = {}): ChannelsDeps {
  const config = testConfig(overrides);
  return {
    db,
    config,
    bus: quietBus,
    signals,
    mailer: undefined as never,
    log,
    twilio: createTwilioClient(config.twilio!),
    ...extra,
  };
}

function outbox(extra: Partial<ChannelsDeps> & { email?: ChannelSender } = {}) {
  const d = deps(extra);
  const sender = createTwilioSender(d);
  return createOutbox({
    ...d,
    senders: { sms: sender, whatsapp: sender, ...(extra.email ? { email: extra.email } : {}) },
    backoffMs: () => 60_000,
    now: clock,
    claimWhere: () => inArray(channelDelivery.signalId, [...mine]),
  });
}

/** An SMS conversation (answered) with `replies` staff messages waiting in the outbox. */
async function conversation(
  replies: string[],
  options: { channel?: 'sms' | 'whatsapp' | 'email'; address?: string | null; hotline?: string | null } = {},
) {
  const channel = options.channel ?? 'sms';
  const address = options.address === undefined ? personNumber() : options.address;
  const s = await signals.arrive({
    channel,
    language: 'en',
    state: 'queued',
    contactHash: address ? contactHash(TEST_KEY, address) : null,
    address,
    hotlineAddress: options.hotline === undefined ? HOTLINE_EN : options.hotline,
    windowEndsAt: channel === 'whatsapp' ? new Date(clock().getTime() + 3600_000) : null,
    firstMessage: { clientId: `in-${Math.random()}`, text: 'Hello (fictional)' },
  });
  mine.add(s.id);
  await db.update(signal).set({ state: 'active', answeredAt: new Date() }).where(eq(signal.id, s.id));
  for (const [i, text] of replies.entries())
    await signals.appendMessage({ signalId: s.id, sender: 'staff', clientId: `r-${i}`, text });
  return { signal: s, address: address ?? '' };
}

const deliveries = (s: SignalRow) =>
  db.select().from(channelDelivery).where(eq(channelDelivery.signalId, s.id)).orderBy(channelDelivery.seq);
const sentTo = (to: string) => (r: StandinRequest) => r.path === MESSAGES_PATH && r.params.To === to;
/** Makes every delivery of the signal due now (time passes). */
const makeDue = (s: SignalRow) =>
  db
    .update(channelDelivery)
    .set({ nextAttemptAt: new Date(clock().getTime() - 1000) })
    .where(eq(channelDelivery.signalId, s.id));

describe('the outbox', () => {
  it('sends a pending SMS through Twilio and marks it sent with the MessageSid', async () => {
    const { signal: s, address } = await conversation(['Reply (fictional)']);
    const worker = outbox();
    expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
    const request = await standin.waitFor(sentTo(address));
    expect(request.params).toMatchObject({
      From: HOTLINE_EN,
      Body: 'Reply (fictional)',
      StatusCallback: `${TEST_PUBLIC_URL}/webhooks/twilio/messaging/status`,
    });
    const [d] = await deliveries(s);
    expect(d).toMatchObject({
      seq: 2,
      status: 'sent',
      providerId: request.sid,
      attempts: 1,
      errorCode: null,
    });
    const events = await db.select().from(signalEvent).where(eq(signalEvent.signalId, s.id));
    expect(events.filter((e) => e.type === 'delivery').map((e) => e.data)).toEqual([
      { seq: 2, status: 'sent' },
    ]);
    expect(JSON.stringify(events)).not.toContain(address);
  });

  it('uses TWILIO_CALLER_ID / TWILIO_WHATSAPP_FROM when the signal has no hotline number', async () => {
    const a = await conversation(['To SMS (fictional)'], { hotline: null });
    const b = await conversation(['To WhatsApp (fictional)'], { hotline: null, channel: 'whatsapp' });
    await outbox().runOnce();
    expect((await standin.waitFor(sentTo(a.address))).params.From).toBe(HOTLINE_EN);
    const wa = await standin.waitFor(sentTo(`whatsapp:${b.address}`));
    expect(wa.params.From).toBe(TEST_WHATSAPP_FROM);
  });

  it('sends a conversation’s messages in order, one at a time', async () => {
    const { signal: s, address } = await conversation(['one', 'two', 'three']);
    const worker = outbox();
    for (let i = 0; i < 3; i++) await worker.runOnce();
    const bodies = standin.requests.filter(sentTo(address)).map((r) => r.params.Body);
    expect(bodies).toEqual(['one', 'two', 'three']);
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('retries after a Twilio 500 with a back-off, then succeeds', async () => {
    const { signal: s, address } = await conversation(['Retry me (fictional)']);
    const worker = outbox();
    standin.failNext(/Messages\.json$/, 500, 1);
    await worker.runOnce();
    const [failed] = await deliveries(s);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, errorCode: '20500', providerId: null });
    expect(failed!.nextAttemptAt.getTime()).toBeGreaterThan(clock().getTime() + 30_000);
    await worker.runOnce(); // not due yet
    expect((await deliveries(s))[0]!.attempts).toBe(1);
    await makeDue(s);
    await worker.runOnce();
    const [sent] = await deliveries(s);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, errorCode: null });
    expect(standin.requests.filter(sentTo(address)).map((r) => r.status)).toEqual([500, 201]);
  });

  it(`fails a delivery after ${MAX_ATTEMPTS} attempts`, async () => {
    const { signal: s, address } = await conversation(['Never (fictional)']);
    const worker = outbox();
    standin.failNext(/Messages\.json$/, 503, MAX_ATTEMPTS, 20503);
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await makeDue(s);
      await worker.runOnce();
    }
    const [d] = await deliveries(s);
    expect(d).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, errorCode: '20503' });
    expect(standin.requests.filter(sentTo(address))).toHaveLength(MAX_ATTEMPTS);
    const events = await db.select().from(signalEvent).where(eq(signalEvent.signalId, s.id));
    expect(events.filter((e) => e.type === 'delivery').map((e) => e.data)).toEqual([
      { seq: 2, status: 'failed' },
    ]);
  });

  it('fails at once when Twilio refuses the message (4xx) and unblocks the next one', async () => {
    const { signal: s, address } = await conversation(['Refused (fictional)', 'Next (fictional)']);
    const worker = outbox();
    standin.failNext(/Messages\.json$/, 400, 1, 21211);
    await worker.runOnce();
    await worker.runOnce();
    const rows = await deliveries(s);
    expect(rows.map((d) => [d.status, d.attempts, d.errorCode])).toEqual([
      ['failed', 1, '21211'],
      ['sent', 1, null],
    ]);
    expect(standin.requests.filter(sentTo(address))).toHaveLength(2);
  });

  it('a PermanentSendError of any sender fails the delivery; the outbox does not care about the channel', async () => {
    const seen: OutgoingMessage[] = [];
    const email: ChannelSender = {
      async send(m) {
        seen.push(m);
        if (m.text.includes('bounce')) throw new PermanentSendError('550');
        return { providerId: `harbour.${m.deliveryId}@hotline.harbour.example` };
      },
    };
    const a = await conversation(['Mail reply (fictional)'], {
      channel: 'email',
      address: `person.${Date.now()}@mail.example`,
    });
    const b = await conversation(['please bounce'], {
      channel: 'email',
      address: `bounce.${Date.now()}@mail.example`,
    });
    const worker = outbox({ email });
    await worker.runOnce();
    expect((await deliveries(a.signal))[0]).toMatchObject({
      status: 'sent',
      providerId: expect.stringMatching(/^harbour\./),
    });
    expect((await deliveries(b.signal))[0]).toMatchObject({
      status: 'failed',
      errorCode: '550',
      attempts: 1,
    });
    expect(seen.find((m) => m.signal.id === a.signal.id)).toMatchObject({
      address: a.address,
      seq: 2,
      text: 'Mail reply (fictional)',
    });
  });

  it('fails a delivery whose signal has no address, without sending', async () => {
    const { signal: s } = await conversation(['Nowhere (fictional)'], { address: null });
    const before = standin.requests.length;
    await outbox().runOnce();
    expect((await deliveries(s))[0]).toMatchObject({ status: 'failed', errorCode: 'NO_ADDRESS' });
    expect(
      standin.requests.slice(before).filter((r) => r.params.Body === 'Nowhere (fictional)'),
    ).toHaveLength(0);
  });

  it('takes over a delivery whose worker died (lease ran out), and leaves SMS pending without Twilio', async () => {
    const { signal: s, address } = await conversation(['Orphan (fictional)']);
    await db
      .update(channelDelivery)
      .set({ status: 'sending', attempts: 1, nextAttemptAt: new Date(clock().getTime() + 60_000) })
      .where(eq(channelDelivery.signalId, s.id));
    const worker = outbox();
    await worker.runOnce(); // still leased
    expect((await deliveries(s))[0]!.status).toBe('sending');
    const unconfigured = outbox({ config: testConfig({ ...overrides, twilio: undefined }) });
    await makeDue(s);
    expect(await unconfigured.runOnce()).toBe(0);
    expect((await deliveries(s))[0]!.status).toBe('sending');
    await worker.runOnce();
    expect((await deliveries(s))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(standin.requests.filter(sentTo(address))).toHaveLength(1);
  });

  it('a worker that lost a lease while sending the earlier rows of its batch does not send that row', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let began!: () => void;
    const sending = new Promise<void>((r) => {
      began = r;
    });
    const slowEmail: ChannelSender = {
      send: async (m) => {
        began();
        await gate;
        return { providerId: `slow-${m.deliveryId}` };
      },
    };
    const mail = await conversation(['Slow relay (fictional)'], {
      channel: 'email',
      address: 'slow.person@example.org',
    });
    const sms = await conversation(['Taken over (fictional)']);
    // The e-mail is due first, so it is sent first within the batch.
    await db
      .update(channelDelivery)
      .set({ nextAttemptAt: new Date(clock().getTime() - 2000) })
      .where(eq(channelDelivery.signalId, mail.signal.id));
    await db
      .update(channelDelivery)
      .set({ nextAttemptAt: new Date(clock().getTime() - 1000) })
      .where(eq(channelDelivery.signalId, sms.signal.id));
    const worker = outbox({ email: slowEmail });
    const pass = worker.runOnce();
    await sending;
    // Meanwhile the SMS's lease ran out and another worker claimed it (a claim raises the attempt count).
    const [held] = await deliveries(sms.signal);
    expect(held!.status).toBe('sending');
    await db
      .update(channelDelivery)
      .set({ attempts: held!.attempts + 1 })
      .where(eq(channelDelivery.signalId, sms.signal.id));
    release();
    await pass;
    expect(standin.requests.filter(sentTo(sms.address))).toHaveLength(0);
    expect((await deliveries(mail.signal))[0]!.status).toBe('sent');
  });

  it('two workers on one database never send one delivery twice', async () => {
    const convs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => conversation([`a${i}`, `b${i}`, `c${i}`])),
    );
    const ids = convs.map((c) => c.signal.id);
    const a = outbox();
    const b = outbox();
    for (let round = 0; round < 8; round++) await Promise.all([a.runOnce(), b.runOnce(), a.runOnce()]);
    const rows = await db.select().from(channelDelivery).where(inArray(channelDelivery.signalId, ids));
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    for (const c of convs) {
      const bodies = standin.requests.filter(sentTo(c.address)).map((r) => r.params.Body);
      expect(bodies.map((x) => x?.[0])).toEqual(['a', 'b', 'c']);
    }
  });

  it('started, it sends on the bus topic `outbox` without waiting for its tick', async () => {
    const bus = await createBus(db);
    const d = deps({ bus });
    const sender = createTwilioSender(d);
    const worker = createOutbox({
      ...d,
      senders: { sms: sender },
      tickMs: 60_000,
      now: clock,
      claimWhere: () => inArray(channelDelivery.signalId, [...mine]),
    });
    try {
      worker.start();
      await new Promise((r) => setTimeout(r, 100)); // the first pass at start
      const { signal: s, address } = await conversation(['Live (fictional)']);
      await standin.waitFor(sentTo(address), 3000);
      await expect.poll(async () => (await deliveries(s))[0]!.status, { timeout: 3000 }).toBe('sent');
    } finally {
      await worker.stop();
      await bus.close();
    }
  });

  it('logs ids and codes only', () => {
    const text = JSON.stringify(warnings);
    expect(text).toContain('20500');
    for (const n of usedNumbers) expect(text).not.toContain(n);
    expect(text).not.toContain('fictional');
  });
});

describe('long SMS replies', () => {
  it('are refused when written (SMS_TOO_LONG, nothing stored); 1,600 characters leave as one message', async () => {
    const { signal: s, address } = await conversation([]);
    await expect(
      signals.appendMessage({ signalId: s.id, sender: 'staff', clientId: 'long', text: 'x'.repeat(1601) }),
    ).rejects.toMatchObject({ code: 'SMS_TOO_LONG', statusCode: 400 });
    expect(await deliveries(s)).toHaveLength(0);
    const text = `${'word '.repeat(319)}🙂`; // 1,597 UTF-16 units
    await signals.appendMessage({ signalId: s.id, sender: 'staff', clientId: 'max', text });
    await outbox().runOnce();
    const sent = standin.requests.filter(sentTo(address));
    expect(sent.map((r) => r.params.Body)).toEqual([text]);
    expect(sent[0]!.params.StatusCallback).toBeTruthy();
    expect((await deliveries(s))[0]).toMatchObject({ status: 'sent', providerId: sent[0]!.sid });
  });
});
