import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp, testConfig } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import {
  fakeSid,
  HOTLINE_EN,
  HOTLINE_FR,
  personNumber,
  signedPost,
  TEST_ACCOUNT_SID,
  TEST_PUBLIC_URL,
  TEST_WHATSAPP_FROM,
  twilioTestSetup,
  usedNumbers,
} from '../../../../test/helpers/twilio.js';
import type { StandinRequest, TwilioStandin } from '../../../cli/twilio-standin.js';
import type { HarbourApp } from '../../app.js';
import type { Config } from '../../config.js';
import {
  attachment,
  channelDelivery,
  presence,
  type SignalRow,
  signal,
  signalEvent,
  signalMessage,
} from '../../db/schema.js';
import type { Bus } from '../../platform/bus.js';
import { keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { createSignalsService, type SignalsService } from '../queue/signals.service.js';
import { openAttachmentBytes } from './attachments.js';
import type { ChannelsDeps } from './channels.module.js';
import { contactHash } from './contact.js';
import {
  AUTO_TEXTS,
  autoText,
  createMessagingService,
  deliveryStatusOf,
  frenchCue,
  isOptOut,
  movesForward,
  smsSegments,
} from './messaging.service.js';
import { createTwilioClient } from './twilio.js';

let standin: TwilioStandin;
let overrides: Partial<Config>;
let harbour: HarbourApp;
let db: Db;
let signals: SignalsService;
const logLines: string[] = [];
const availableUsers: string[] = [];

const MESSAGES_PATH = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`;
const STATUS_URL = `${TEST_PUBLIC_URL}/webhooks/twilio/messaging/status`;

beforeAll(async () => {
  ({ standin, overrides } = await twilioTestSetup());
  harbour = await testApp({ ...overrides, logLevel: 'debug' }, { write: (l) => logLines.push(l) });
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
  // Someone takes the English and French queues, so new conversations get the ordinary acknowledgement.
  const advocate = await createUser(db, { role: 'advocate' });
  const res = await harbour.app.inject({
    method: 'PUT',
    url: '/api/presence',
    headers: (await sessionFor(db, advocate)).headers,
    payload: { status: 'available', languages: ['en', 'fr'], maxChats: 20 },
  });
  expect(res.statusCode).toBe(200);
  availableUsers.push(advocate.id);
});
afterAll(async () => {
  for (const id of availableUsers)
    await db.update(presence).set({ status: 'offline' }).where(eq(presence.userId, id));
  await harbour.app.close();
  await standin.close();
});

function sms(from: string, body: string, extra: Record<string, string> = {}) {
  const params = {
    MessageSid: fakeSid('SM'),
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: HOTLINE_EN,
    Body: body,
    NumMedia: '0',
    ...extra,
  };
  return { params, post: () => signedPost(harbour.app, '/webhooks/twilio/messaging', params) };
}

async function signalsOf(channel: 'sms' | 'whatsapp', number: string): Promise<SignalRow[]> {
  return db
    .select()
    .from(signal)
    .where(and(eq(signal.channel, channel), eq(signal.contactHash, contactHash(TEST_KEY, number))))
    .orderBy(asc(signal.arrivedAt));
}

async function messagesOf(signalId: string) {
  return signals.visitorMessages(signalId, 0);
}

const sentTo = (to: string) => (r: StandinRequest) =>
  r.method === 'POST' && r.path === MESSAGES_PATH && r.params.To === to && r.status === 201;

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function assignTo(signalId: string, userId: string) {
  await db
    .update(signal)
    .set({ state: 'active', assignedUserId: userId, answeredAt: new Date() })
    .where(eq(signal.id, signalId));
}

async function advocateSession(): Promise<{ id: string; session: TestSession }> {
  const user = await createUser(db, { role: 'advocate' });
  return { id: user.id, session: await sessionFor(db, user) };
}

describe('the automatic texts', () => {
  it('are short, GSM-7 (no UCS-2 segments), carry the emergency number and no personal data', () => {
    for (const kind of Object.keys(AUTO_TEXTS) as (keyof typeof AUTO_TEXTS)[]) {
      for (const language of ['en', 'fr'] as const) {
        const text = autoText(kind, language, '911');
        const { gsm7, segments } = smsSegments(text);
        expect(gsm7, `${kind}/${language} uses only the GSM-7 alphabet`).toBe(true);
        expect(segments).toBeLessThanOrEqual(2);
        if (kind !== 'mediaRefused') expect(text).toContain('911');
      }
    }
    expect(autoText('ack', 'fr', '911').startsWith(AUTO_TEXTS.ack.fr.slice(0, 20))).toBe(true);
    expect(smsSegments('ça coûte')).toEqual({ gsm7: false, segments: 1 });
  });

  it('recognises French first words, accents or not', () => {
    expect(frenchCue('Bonjour, j’ai besoin d’aide')).toBe(true);
    expect(frenchCue('FR')).toBe(true);
    expect(frenchCue('français svp')).toBe(true);
    expect(frenchCue('allô?')).toBe(true);
    expect(frenchCue('Hello, I need help')).toBe(false);
    expect(frenchCue('')).toBe(false);
  });

  it('maps Twilio statuses and moves only forward', () => {
    expect(deliveryStatusOf('queued')).toBe('sending');
    expect(deliveryStatusOf('receiving')).toBeUndefined();
    expect(movesForward('sent', 'delivered')).toBe(true);
    expect(movesForward('delivered', 'sent')).toBe(false);
    expect(movesForward('read', 'delivered')).toBe(false);
    expect(movesForward('sent', 'undelivered')).toBe(true);
    expect(movesForward('failed', 'delivered')).toBe(false);
    expect(movesForward('read', 'failed')).toBe(false);
  });
});

describe('POST /webhooks/twilio/messaging', () => {
  it('an opt-out keyword (STOP, ARRÊT) is kept for the advocate but gets no automatic reply (Twilio would refuse it)', async () => {
    expect(isOptOut('STOP')).toBe(true);
    expect(isOptOut(' Arrêt. ')).toBe(true);
    expect(isOptOut('stop it please')).toBe(false);
    const from = personNumber();
    const res = await sms(from, 'STOP').post();
    expect(res.statusCode).toBe(200);
    const [s] = await signalsOf('sms', from);
    const messages = await messagesOf(s!.id);
    expect(messages.map((m) => [m.seq, m.sender, m.text])).toEqual([[1, 'visitor', 'STOP']]);
    expect(await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, s!.id))).toHaveLength(
      0,
    );
  });

  it('starts a queued conversation and sends the acknowledgement through the outbox', async () => {
    const from = personNumber();
    const res = await sms(from, 'Hello, I need help (fictional)').post();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toMatch(/<Response\/>$/);

    const [s] = await signalsOf('sms', from);
    expect(s).toMatchObject({
      channel: 'sms',
      language: 'en',
      hotlineAddress: HOTLINE_EN,
      campaign: 'main',
      windowEndsAt: null,
    });
    expect(['queued', 'offered']).toContain(s!.state);
    expect(s!.addressSealed).toBeTruthy();
    expect(s!.addressSealed).not.toContain(from.slice(1));

    const messages = await messagesOf(s!.id);
    expect(messages.map((m) => [m.seq, m.sender])).toEqual([
      [1, 'visitor'],
      [2, 'system'],
    ]);
    expect(messages[0]!.text).toBe('Hello, I need help (fictional)');
    expect(messages[1]!.text).toBe(autoText('ack', 'en', '911'));

    const sent = await standin.waitFor(sentTo(from));
    expect(sent.params).toMatchObject({
      From: HOTLINE_EN,
      Body: autoText('ack', 'en', '911'),
      StatusCallback: STATUS_URL,
    });
    const delivery = await until(async () => {
      const [d] = await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, s!.id));
      return d?.status === 'sent' ? d : undefined;
    });
    expect(delivery).toMatchObject({ seq: 2, providerId: sent.sid, attempts: 1, errorCode: null });
  });

  it('answers in French for the French number, and for French first words', async () => {
    const a = personNumber();
    await sms(a, 'Hello', { To: HOTLINE_FR }).post();
    const [byNumber] = await signalsOf('sms', a);
    expect(byNumber).toMatchObject({ language: 'fr', campaign: 'campagne-test', hotlineAddress: HOTLINE_FR });
    const b = personNumber();
    await sms(b, 'Bonjour, pouvez-vous m’aider?', { To: '+15550100077' }).post();
    const [byWords] = await signalsOf('sms', b);
    expect(byWords).toMatchObject({ language: 'fr', campaign: null, hotlineAddress: '+15550100077' });
    expect((await messagesOf(byWords!.id))[1]!.text).toBe(autoText('ack', 'fr', '911'));
  });

  it('continues the open conversation, without a second acknowledgement', async () => {
    const from = personNumber();
    await sms(from, 'First (fictional)').post();
    await standin.waitFor(sentTo(from));
    const res = await sms(from, 'Second (fictional)').post();
    expect(res.statusCode).toBe(200);
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(1);
    const messages = await messagesOf(rows[0]!.id);
    expect(messages.map((m) => [m.seq, m.sender, m.text])).toEqual([
      [1, 'visitor', 'First (fictional)'],
      [2, 'system', autoText('ack', 'en', '911')],
      [3, 'visitor', 'Second (fictional)'],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(standin.requests.filter(sentTo(from))).toHaveLength(1);
  });

  it('during a key rotation, a process with the new key continues a conversation hashed under the old key', async () => {
    const from = personNumber();
    await sms(from, 'Before the rotation (fictional)').post();
    await standin.waitFor(sentTo(from));
    // A process restarted with a new current key and the old one as previous (step 1 of a rotation).
    const rotated = await testApp({
      ...overrides,
      encryptionKey: keyring(randomBytes(32), [TEST_KEY.current.key]),
    });
    try {
      const params = { ...sms(from, 'After the restart (fictional)').params };
      const res = await signedPost(rotated.app, '/webhooks/twilio/messaging', params);
      expect(res.statusCode).toBe(200);
    } finally {
      await rotated.app.close();
    }
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(1);
    const stored = await db.select().from(signalMessage).where(eq(signalMessage.signalId, rows[0]!.id));
    expect(stored.map((m) => m.sender).sort()).toEqual(['system', 'visitor', 'visitor']);
  });

  it('starts a new signal once the previous one ended', async () => {
    const from = personNumber();
    await sms(from, 'Before (fictional)').post();
    const [first] = await signalsOf('sms', from);
    await signals.endSignal(first!.id, 'completed');
    await sms(from, 'After (fictional)').post();
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.id).not.toBe(first!.id);
    expect(rows[1]!.state).not.toBe('ended');
    expect((await messagesOf(rows[1]!.id))[0]!.text).toBe('After (fictional)');
  });

  it('stores a retried webhook once (same MessageSid), for a new and for an open conversation', async () => {
    const from = personNumber();
    const first = sms(from, 'Once (fictional)');
    const responses = await Promise.all([first.post(), first.post(), first.post()]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(1);
    const again = sms(from, 'Twice? (fictional)');
    await again.post();
    expect((await again.post()).statusCode).toBe(200);
    const messages = await messagesOf(rows[0]!.id);
    expect(messages.filter((m) => m.sender === 'visitor').map((m) => m.text)).toEqual([
      'Once (fictional)',
      'Twice? (fictional)',
    ]);
    expect(messages.filter((m) => m.sender === 'system')).toHaveLength(1);
  });

  it('two different first messages of one person at once make one conversation', async () => {
    const from = personNumber();
    const res = await Promise.all([sms(from, 'A (fictional)').post(), sms(from, 'B (fictional)').post()]);
    expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(1);
    const texts = (await messagesOf(rows[0]!.id)).filter((m) => m.sender === 'visitor').map((m) => m.text);
    expect(texts.sort()).toEqual(['A (fictional)', 'B (fictional)']);
  });

  it('refuses forged or missing signatures (403) and stores nothing', async () => {
    const from = personNumber();
    const { params } = sms(from, 'Forged (fictional)');
    const forged = await signedPost(harbour.app, '/webhooks/twilio/messaging', params, {
      authToken: 'another-token-another-token',
    });
    expect(forged.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(forged).error.code).toBe('TWILIO_SIGNATURE_INVALID');
    const missing = await signedPost(harbour.app, '/webhooks/twilio/messaging', params, { signature: null });
    expect(missing.statusCode).toBe(403);
    const tampered = await signedPost(harbour.app, '/webhooks/twilio/messaging', params, {
      signature: 'x'.repeat(28),
    });
    expect(tampered.statusCode).toBe(403);
    expect(await signalsOf('sms', from)).toHaveLength(0);
  });

  it('answers 400 with a stable code for a missing From or MessageSid, and never 5xx for garbage', async () => {
    const from = personNumber();
    const noFrom = await signedPost(harbour.app, '/webhooks/twilio/messaging', {
      MessageSid: fakeSid('SM'),
      To: HOTLINE_EN,
      Body: 'x',
    });
    expect(noFrom.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(noFrom).error.code).toBe('VALIDATION_FAILED');
    const noSid = await signedPost(harbour.app, '/webhooks/twilio/messaging', {
      From: from,
      To: HOTLINE_EN,
      Body: 'x',
    });
    expect(noSid.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(noSid).error.code).toBe('VALIDATION_FAILED');
    const badFrom = await sms('anonymous', 'x').post();
    expect(badFrom.statusCode).toBe(400);
    const badSid = await sms(from, 'x', { MessageSid: '../../etc' }).post();
    expect(badSid.statusCode).toBe(400);
    const weird = await sms(from, 'x', { NumMedia: 'lots', MediaUrl0: 'not a url' }).post();
    expect(weird.statusCode).toBe(200);

    const plain = await harbour.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/messaging',
      headers: { 'content-type': 'text/plain', 'x-twilio-signature': 'abc' },
      payload: 'garbage',
    });
    expect(plain.statusCode).toBe(415);
    const junk = await harbour.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/messaging',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'abc' },
      payload: '%%%&&&==\u0000\uffff',
    });
    expect(junk.statusCode).toBe(403);
    const huge = await sms(from, 'y'.repeat(70 * 1024)).post();
    expect(huge.statusCode).toBe(413);
    expect(json<{ error: { code: string } }>(huge).error.code).toBe('PAYLOAD_TOO_LARGE');
    // Only the one well-formed message (with garbage media fields) was stored.
    const rows = await signalsOf('sms', from);
    expect(rows).toHaveLength(1);
    expect((await messagesOf(rows[0]!.id)).filter((m) => m.sender === 'visitor')).toHaveLength(1);
  });

  it('keeps a long text cut to 4,000 characters and ignores an empty one (200, nothing stored)', async () => {
    const from = personNumber();
    const empty = await sms(from, '   ').post();
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toMatch(/<Response\/>$/);
    expect(await signalsOf('sms', from)).toHaveLength(0);
    await sms(from, 'z'.repeat(5000)).post();
    const [s] = await signalsOf('sms', from);
    expect([...(await messagesOf(s!.id))[0]!.text]).toHaveLength(4000);
  });

  it('answers 503 when Twilio is not configured', async () => {
    const bare = await testApp();
    try {
      const res = await signedPost(bare.app, '/webhooks/twilio/messaging', sms(personNumber(), 'x').params);
      expect(res.statusCode).toBe(503);
      expect(json<{ error: { code: string } }>(res).error.code).toBe('TWILIO_NOT_CONFIGURED');
    } finally {
      await bare.app.close();
    }
  });
});

describe('the unavailable answer', () => {
  it('tells the person nobody can answer now, with the emergency number; the signal still waits', async () => {
    const bus: Bus = { subscribe: () => () => {}, close: async () => {}, connected: () => true };
    const config = testConfig({ ...overrides, emergencyNumber: '112' });
    const deps: ChannelsDeps = {
      db,
      config,
      bus,
      signals: { ...signals, availableLanguages: async () => new Set() },
      mailer: undefined as never,
      log: harbour.app.log,
      twilio: createTwilioClient(config.twilio!),
    };
    const from = personNumber();
    const out = await createMessagingService(deps).inbound(sms(from, 'Help (fictional)').params);
    expect(out).toMatchObject({ kind: 'stored', created: true });
    const [s] = await signalsOf('sms', from);
    expect(s!.state).not.toBe('ended');
    const texts = (await messagesOf(s!.id)).map((m) => m.text);
    expect(texts[1]).toBe(autoText('unavailable', 'en', '112'));
    expect(texts[1]).toContain('no one can answer right now');
    const sent = await standin.waitFor(sentTo(from));
    expect(sent.params.Body).toContain('112');
  });
});

describe('status callbacks', () => {
  async function sentDelivery() {
    const from = personNumber();
    await sms(from, 'Status (fictional)').post();
    const request = await standin.waitFor(sentTo(from));
    const [s] = await signalsOf('sms', from);
    await until(async () => {
      const [d] = await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, s!.id));
      return d?.status === 'sent';
    });
    return { sid: request.sid!, signalId: s!.id };
  }
  const callback = (sid: string, status: string, extra: Record<string, string> = {}) =>
    signedPost(harbour.app, '/webhooks/twilio/messaging/status', {
      MessageSid: sid,
      MessageStatus: status,
      AccountSid: TEST_ACCOUNT_SID,
      ...extra,
    });
  const statusOf = async (signalId: string) =>
    (await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, signalId)))[0]!;
  const deliveryEvents = async (signalId: string) =>
    (await db.select().from(signalEvent).where(eq(signalEvent.signalId, signalId))).filter(
      (e) => e.type === 'delivery',
    );

  it('move a delivery forward only, out of order and retried callbacks included', async () => {
    const { sid, signalId } = await sentDelivery();
    const res = await callback(sid, 'delivered');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<Response\/>$/);
    expect((await statusOf(signalId)).status).toBe('delivered');
    await callback(sid, 'sent'); // late
    await callback(sid, 'queued'); // later still
    expect((await statusOf(signalId)).status).toBe('delivered');
    await callback(sid, 'read');
    await callback(sid, 'read'); // retried
    await callback(sid, 'failed', { ErrorCode: '30008' }); // never after read
    expect(await statusOf(signalId)).toMatchObject({ status: 'read', errorCode: null });
    const events = await deliveryEvents(signalId);
    expect(events.map((e) => e.data)).toEqual([
      { seq: 2, status: 'sent' },
      { seq: 2, status: 'delivered' },
      { seq: 2, status: 'read' },
    ]);
  });

  it('record undelivered with its error code as final', async () => {
    const { sid, signalId } = await sentDelivery();
    await callback(sid, 'undelivered', { ErrorCode: '30003' });
    await callback(sid, 'delivered');
    expect(await statusOf(signalId)).toMatchObject({ status: 'undelivered', errorCode: '30003' });
  });

  it('wait briefly for a MessageSid the outbox is still recording (Twilio can call back first)', async () => {
    const { signalId } = await sentDelivery();
    const sid = fakeSid('SM');
    const [row] = await db
      .insert(channelDelivery)
      .values({ signalId, seq: 99, status: 'sending', nextAttemptAt: new Date(Date.now() + 600_000) })
      .returning();
    const early = callback(sid, 'delivered');
    await new Promise((r) => setTimeout(r, 300));
    await db
      .update(channelDelivery)
      .set({ status: 'sent', providerId: sid })
      .where(eq(channelDelivery.id, row!.id));
    expect((await early).statusCode).toBe(200);
    const [after] = await db.select().from(channelDelivery).where(eq(channelDelivery.id, row!.id));
    expect(after!.status).toBe('delivered');
  });

  it('ignore an unknown MessageSid (200) and refuse a malformed one (400)', async () => {
    const unknown = await callback(fakeSid('SM'), 'delivered');
    expect(unknown.statusCode).toBe(200);
    const bad = await callback('nope', 'delivered');
    expect(bad.statusCode).toBe(400);
    const noStatus = await signedPost(harbour.app, '/webhooks/twilio/messaging/status', {
      MessageSid: fakeSid('SM'),
    });
    expect(noStatus.statusCode).toBe(400);
    const forged = await signedPost(
      harbour.app,
      '/webhooks/twilio/messaging/status',
      { MessageSid: fakeSid('SM'), MessageStatus: 'delivered' },
      { signature: 'forged' },
    );
    expect(forged.statusCode).toBe(403);
  });
});

describe('replies', () => {
  it("an advocate's reply reaches Twilio from the number the person wrote to", async () => {
    const from = personNumber();
    await sms(from, 'Can you call me later? (fictional)', { To: HOTLINE_FR }).post();
    const [s] = await signalsOf('sms', from);
    const me = await advocateSession();
    await assignTo(s!.id, me.id);
    const res = await harbour.app.inject({
      method: 'POST',
      url: `/api/signals/${s!.id}/messages`,
      headers: me.session.headers,
      payload: { id: 'reply-1', text: 'Oui, à quelle heure? (fictional)' },
    });
    expect(res.statusCode).toBe(200);
    const seq = json<{ seq: number }>(res).seq;
    const sent = await standin.waitFor(
      (r) => sentTo(from)(r) && r.params.Body === 'Oui, à quelle heure? (fictional)',
    );
    expect(sent.params).toMatchObject({ From: HOTLINE_FR, StatusCallback: STATUS_URL });
    await until(async () => {
      const [d] = await db
        .select()
        .from(channelDelivery)
        .where(and(eq(channelDelivery.signalId, s!.id), eq(channelDelivery.seq, seq)));
      return d?.status === 'sent' && d.providerId === sent.sid;
    });
  });
});

describe('WhatsApp', () => {
  it('opens a 24-hour window on every inbound message; replies after it are refused (409), nothing stored', async () => {
    const number = personNumber();
    const from = `whatsapp:${number}`;
    const before = Date.now();
    await sms(from, 'Hi on WhatsApp (fictional)', { To: TEST_WHATSAPP_FROM }).post();
    const [s] = await signalsOf('whatsapp', number);
    expect(s).toMatchObject({
      channel: 'whatsapp',
      hotlineAddress: TEST_WHATSAPP_FROM.replace('whatsapp:', ''),
    });
    const ends = s!.windowEndsAt!.getTime();
    expect(ends).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 1000);
    const ack = await standin.waitFor(sentTo(from));
    expect(ack.params).toMatchObject({ From: TEST_WHATSAPP_FROM, StatusCallback: STATUS_URL });

    const me = await advocateSession();
    await assignTo(s!.id, me.id);
    await db
      .update(signal)
      .set({ windowEndsAt: new Date(Date.now() - 1000) })
      .where(eq(signal.id, s!.id));
    const lastSeq = (await signals.getSignal(s!.id))!.lastSeq;
    const closed = await harbour.app.inject({
      method: 'POST',
      url: `/api/signals/${s!.id}/messages`,
      headers: me.session.headers,
      payload: { id: 'late-1', text: 'Too late (fictional)' },
    });
    expect(closed.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(closed).error.code).toBe('WHATSAPP_WINDOW_CLOSED');
    expect((await signals.getSignal(s!.id))!.lastSeq).toBe(lastSeq);
    expect(await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, s!.id))).toHaveLength(
      1,
    ); // the acknowledgement only

    // The person writes again: the window opens again and the reply goes out.
    await sms(from, 'Back (fictional)', { To: TEST_WHATSAPP_FROM }).post();
    const reopened = (await signals.getSignal(s!.id))!;
    expect(reopened.windowEndsAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const ok = await harbour.app.inject({
      method: 'POST',
      url: `/api/signals/${s!.id}/messages`,
      headers: me.session.headers,
      payload: { id: 'late-2', text: 'Hello again (fictional)' },
    });
    expect(ok.statusCode).toBe(200);
    await standin.waitFor((r) => sentTo(from)(r) && r.params.Body === 'Hello again (fictional)');
  });
});

describe('media', () => {
  const PNG = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
    'hex',
  );
  const withMedia = (from: string, body: string, media: [string, string][]) =>
    sms(from, body, {
      NumMedia: String(media.length),
      ...Object.fromEntries(
        media.flatMap(([url, type], i) => [
          [`MediaUrl${i}`, url],
          [`MediaContentType${i}`, type],
        ]),
      ),
    });
  const attachmentsOf = (signalId: string) =>
    db.select().from(attachment).where(eq(attachment.signalId, signalId)).orderBy(asc(attachment.createdAt));

  it('stores an image sealed (empty body is fine) and deletes it at Twilio', async () => {
    const from = personNumber();
    const url = standin.addMedia(PNG, 'image/png');
    const res = await withMedia(from, '', [[url, 'image/png']]).post();
    expect(res.statusCode).toBe(200);
    const [s] = await signalsOf('sms', from);
    const messages = await messagesOf(s!.id);
    expect(messages[0]).toMatchObject({ seq: 1, sender: 'visitor', text: '📎 ×1' });
    const [a] = await attachmentsOf(s!.id);
    expect(a).toMatchObject({ seq: 1, contentType: 'image/png', sizeBytes: PNG.length, state: 'stored' });
    expect(a!.dataSealed).not.toContain(PNG.toString('base64'));
    expect(openAttachmentBytes(TEST_KEY, a!)).toEqual(PNG);
    await until(async () => standin.deletedMedia.has(url));
    const get = standin.requests.find((r) => r.method === 'GET' && url.endsWith(r.path));
    expect(get?.status).toBe(200);
  });

  it('never fetches media from another origin; leaves a neutral note without the URL', async () => {
    let hits = 0;
    const elsewhere = createServer((_req, res) => {
      hits++;
      res.end('secret');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const port = (elsewhere.address() as AddressInfo).port;
    const evil = `http://127.0.0.1:${port}/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages/MM1/Media/ME1`;
    try {
      const from = personNumber();
      await withMedia(from, 'See attached (fictional)', [[evil, 'image/jpeg']]).post();
      const [s] = await signalsOf('sms', from);
      const [a] = await attachmentsOf(s!.id);
      expect(a).toMatchObject({ state: 'failed', dataSealed: null, sha256: null });
      const messages = await messagesOf(s!.id);
      const note = messages.find((m) => m.clientId.startsWith('media-'));
      expect(note).toMatchObject({ sender: 'system', text: autoText('mediaRefused', 'en', '911') });
      expect(messages.map((m) => m.text).join(' ')).not.toContain('127.0.0.1');
      expect(hits).toBe(0);
    } finally {
      await new Promise((r) => elsewhere.close(r));
    }
    expect(logLines.join('')).not.toContain(evil);
  });

  it('refuses a file over 5 MB and a type outside the list, keeping neither', async () => {
    const from = personNumber();
    const big = standin.addMedia(Buffer.alloc(5 * 1024 * 1024 + 1, 1), 'image/jpeg');
    const exe = standin.addMedia(Buffer.from('MZ fictional'), 'application/x-msdownload');
    await withMedia(from, 'Two files (fictional)', [
      [big, 'image/jpeg'],
      [exe, 'application/x-msdownload'],
    ]).post();
    const [s] = await signalsOf('sms', from);
    const rows = await attachmentsOf(s!.id);
    expect(rows.map((r) => r.state).sort()).toEqual(['refused_size', 'refused_type']);
    for (const r of rows) expect(r.dataSealed).toBeNull();
    expect(rows.find((r) => r.state === 'refused_size')!.sizeBytes).toBeGreaterThan(5 * 1024 * 1024);
    // The refused type was never downloaded; both are removed from Twilio.
    expect(standin.requests.some((r) => r.method === 'GET' && exe.endsWith(r.path))).toBe(false);
    await until(async () => standin.deletedMedia.has(big) && standin.deletedMedia.has(exe));
    const notes = (await messagesOf(s!.id)).filter((m) => m.clientId.startsWith('media-'));
    expect(notes).toHaveLength(1);
  });

  it('follows redirects on Twilio’s origin with credentials, never to plain http elsewhere', async () => {
    const seen: { path: string; auth: boolean }[] = [];
    let elsewhereHits = 0;
    const elsewhere = createServer((_req, res) => {
      elsewhereHits++;
      res.end('secret');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const origin = createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: Boolean(req.headers.authorization) });
      if (req.url === '/media/away') res.writeHead(302, { location: `${elsewhereUrl}/x` }).end();
      else if (req.url === '/media/here') res.writeHead(307, { location: '/media/file' }).end();
      else if (req.url === '/media/file') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    try {
      const config = testConfig({ ...overrides, twilio: { ...overrides.twilio!, apiBaseUrl: originUrl } });
      const deps: ChannelsDeps = {
        db,
        config,
        bus: { subscribe: () => () => {}, close: async () => {}, connected: () => true },
        signals,
        mailer: undefined as never,
        log: harbour.app.log,
        twilio: createTwilioClient(config.twilio!),
      };
      const from = personNumber();
      const { params } = withMedia(from, '', [
        [`${originUrl}/media/away`, 'image/png'],
        [`${originUrl}/media/here`, 'image/png'],
      ]);
      await createMessagingService(deps).inbound(params);
      const [s] = await signalsOf('sms', from);
      const rows = await attachmentsOf(s!.id);
      expect(rows.map((r) => r.state).sort()).toEqual(['failed', 'stored']);
      expect(openAttachmentBytes(TEST_KEY, rows.find((r) => r.state === 'stored')!)).toEqual(PNG);
      expect(elsewhereHits).toBe(0);
      expect(seen.filter((r) => r.path.startsWith('/media/'))).toEqual(
        expect.arrayContaining([
          { path: '/media/away', auth: true },
          { path: '/media/here', auth: true },
          { path: '/media/file', auth: true },
        ]),
      );
      await until(async () => seen.filter((r) => r.path.endsWith('.json')).length === 2);
    } finally {
      await new Promise((r) => elsewhere.close(r));
      await new Promise((r) => origin.close(r));
    }
  });

  it('a retried webhook with media stores its files once', async () => {
    const from = personNumber();
    const url = standin.addMedia(PNG, 'image/png');
    const hook = withMedia(from, 'Photo (fictional)', [[url, 'image/png']]);
    await hook.post();
    await hook.post();
    const [s] = await signalsOf('sms', from);
    expect(await attachmentsOf(s!.id)).toHaveLength(1);
    const visitor = (await db.select().from(signalMessage).where(eq(signalMessage.signalId, s!.id))).filter(
      (m) => m.sender === 'visitor',
    );
    expect(visitor).toHaveLength(1);
  });
});

describe('privacy', () => {
  it('never logs the numbers, the texts or media URLs', async () => {
    const log = logLines.join('');
    expect(log).toContain('/webhooks/twilio/messaging');
    for (const n of usedNumbers) expect(log).not.toContain(n.slice(2));
    expect(log).not.toContain('(fictional)');
    expect(log).not.toContain('/Media/ME');
  });
});
