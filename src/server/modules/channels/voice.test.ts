import { createHmac } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../../test/helpers/app.js';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import {
  fakeSid,
  HOTLINE_EN,
  HOTLINE_FR,
  signedPost,
  TEST_ACCOUNT_SID,
  twilioTestSetup,
} from '../../../../test/helpers/twilio.js';
import type { TwilioStandin } from '../../../cli/twilio-standin.js';
import { buildApp, type HarbourApp } from '../../app.js';
import type { Config } from '../../config.js';
import {
  auditLog,
  callParty,
  channelReceipt,
  offer,
  phoneCall,
  presence,
  signal,
  signalEvent,
  voiceEndpoint,
} from '../../db/schema.js';
import { type Bus, type BusEvent, createBus } from '../../platform/bus.js';
import { decrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { openAddress } from './contact.js';
import { REDIRECT_ATTEMPTS, withinHours } from './voice.service.js';

/**
 * Phone calls into the live queue (docs/api/channels.md, "Phone"), end to end: signed webhooks in, the real
 * router and staff routes, Harbour's REST calls received by the local Twilio stand-in. The app runs on a database
 * of its own: "nobody available" and routing need to know every presence row.
 */

const CALLER = '+15550100123';
const FORWARD = '+15550100142';
const INTERPRETER = '+15550100099';
const API_KEY_SECRET = 'test-api-key-secret-0123456789';

let standin: TwilioStandin;
let harbour: HarbourApp;
let closedApp: HarbourApp;
let db: Db;
let drop: () => Promise<void>;
const logs: string[] = [];
/** Every bus event of this database (the staff console's feed). */
const busEvents: BusEvent[] = [];
let bus: Bus;
let overrides: Partial<Config>;

/** A window of opening hours that does not contain now (Toronto time). */
function closedHours() {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Toronto',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const hh = (h: number) => String(h % 24).padStart(2, '0');
  return { start: `${hh(hour + 2)}:00`, end: `${hh(hour + 3)}:00`, timeZone: 'America/Toronto' };
}

beforeAll(async () => {
  const setup = await twilioTestSetup();
  standin = setup.standin;
  overrides = setup.overrides;
  const iso = await isolatedDatabase();
  db = iso.database.db;
  drop = iso.drop;
  const built = await buildApp({
    config: testConfig({ ...overrides, logLevel: 'info', offerTimeoutS: 60 }),
    db,
    logStream: { write: (line: string) => void logs.push(line) },
  });
  harbour = built;
  await harbour.app.ready();
  bus = await createBus(db);
  bus.subscribe((e) => void busEvents.push(e));
  // Same database, closed hours, no Voice SDK keys, no interpreter line.
  const twilioNoSdk = { ...overrides.twilio! };
  delete twilioNoSdk.apiKeySid;
  delete twilioNoSdk.apiKeySecret;
  delete twilioNoSdk.twimlAppSid;
  closedApp = await buildApp({
    config: testConfig({
      ...overrides,
      twilio: twilioNoSdk,
      interpreterLine: undefined,
      phoneHours: closedHours(),
    }),
    db,
  });
  await closedApp.app.ready();
});

afterAll(async () => {
  await bus?.close();
  await harbour?.app.close();
  await closedApp?.app.close();
  await standin?.close();
  await drop?.();
});

/** Every test starts with nobody available and no open signal (this database is the file's own). */
beforeEach(async () => {
  await db.update(presence).set({ status: 'offline' });
  await db.update(offer).set({ outcome: 'cancelled', respondedAt: new Date() }).where(isNull(offer.outcome));
  await db
    .update(signal)
    .set({ state: 'ended', endReason: 'abandoned', endedAt: new Date() })
    .where(ne(signal.state, 'ended'));
});

async function staffMember(role: 'advocate' | 'supervisor' = 'advocate') {
  const user = await createUser(db, { role });
  return { user, session: await sessionFor(db, user) };
}

type Method = 'GET' | 'POST' | 'PUT';
const api = (session: TestSession, method: Method, url: string, payload?: unknown, app = harbour) =>
  app.app.inject({
    method,
    url,
    headers: session.headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

async function available(languages: ('en' | 'fr' | 'other')[] = ['en', 'fr', 'other']) {
  const a = await staffMember();
  const res = await api(a.session, 'PUT', '/api/presence', { status: 'available', languages, maxChats: 5 });
  expect(res.statusCode).toBe(200);
  return a;
}

function callParams(callSid: string, extra: Record<string, string> = {}) {
  return {
    AccountSid: TEST_ACCOUNT_SID,
    CallSid: callSid,
    From: CALLER,
    To: HOTLINE_EN,
    Direction: 'inbound',
    ...extra,
  };
}

const ring = (callSid: string, extra: Record<string, string> = {}, app = harbour) =>
  signedPost(app.app, '/webhooks/twilio/voice', callParams(callSid, { CallStatus: 'ringing', ...extra }));
const press = (callSid: string, digits?: string, query = '') =>
  signedPost(
    harbour.app,
    `/webhooks/twilio/voice/menu${query}`,
    callParams(callSid, { CallStatus: 'in-progress', ...(digits !== undefined ? { Digits: digits } : {}) }),
  );
const callStatus = (callSid: string, status: string) =>
  signedPost(harbour.app, '/webhooks/twilio/voice/status', callParams(callSid, { CallStatus: status }));

async function callOf(callSid: string) {
  const [row] = await db
    .select({ s: signal, pc: phoneCall })
    .from(phoneCall)
    .innerJoin(signal, eq(signal.id, phoneCall.signalId))
    .where(eq(phoneCall.callSid, callSid));
  return row;
}

async function eventsOf(signalId: string) {
  return db.select().from(signalEvent).where(eq(signalEvent.signalId, signalId)).orderBy(signalEvent.id);
}

async function offerFor(signalId: string, userId: string, timeoutMs = 8000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [o] = await db
      .select()
      .from(offer)
      .where(and(eq(offer.signalId, signalId), eq(offer.userId, userId), isNull(offer.outcome)));
    if (o) return o;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no offer was made');
}

/** ringing → menu (1) → queued → offered → accepted; returns the times around each step. */
async function answeredCall(digit = '1', advocate?: Awaited<ReturnType<typeof available>>) {
  const a = advocate ?? (await available());
  const callSid = fakeSid('CA');
  expect((await ring(callSid)).statusCode).toBe(200);
  const beforeMenu = new Date();
  const menu = await press(callSid, digit);
  const afterMenu = new Date();
  expect(menu.statusCode).toBe(200);
  const { s } = (await callOf(callSid))!;
  const o = await offerFor(s.id, a.user.id);
  const beforeAccept = new Date();
  const accepted = await api(a.session, 'POST', `/api/offers/${o.id}/accept`, {});
  const afterAccept = new Date();
  expect(accepted.statusCode).toBe(200);
  return { a, callSid, signalId: s.id, menu, beforeMenu, afterMenu, beforeAccept, afterAccept };
}

/** Twilio's conference callbacks for the caller and the advocate's browser leg joining. */
async function conferenceUp(signalId: string, callSid: string, advocateId: string) {
  const conferenceSid = fakeSid('CF');
  const advocateLeg = fakeSid('CA');
  const client = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
    AccountSid: TEST_ACCOUNT_SID,
    CallSid: advocateLeg,
    From: `client:${advocateId}`,
    To: '',
    signal: signalId,
  });
  expect(client.statusCode).toBe(200);
  expect(client.body).toContain(`<Conference`);
  expect(client.body).toContain(`>harbour-${signalId}</Conference>`);
  let seq = 0;
  const conf = (event: string, extra: Record<string, string> = {}) =>
    signedPost(harbour.app, '/webhooks/twilio/voice/conference', {
      AccountSid: TEST_ACCOUNT_SID,
      ConferenceSid: conferenceSid,
      FriendlyName: `harbour-${signalId}`,
      StatusCallbackEvent: event,
      SequenceNumber: String(++seq),
      ...extra,
    });
  expect((await conf('participant-join', { CallSid: callSid, ParticipantLabel: 'caller' })).statusCode).toBe(
    200,
  );
  expect((await conf('conference-start')).statusCode).toBe(200);
  const before = new Date();
  expect((await conf('participant-join', { CallSid: advocateLeg })).statusCode).toBe(200);
  const after = new Date();
  return { conferenceSid, advocateLeg, conf, joined: { before, after } };
}

const within = (at: Date | null | undefined, before: Date, after: Date) => {
  expect(at).toBeInstanceOf(Date);
  expect(at!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  expect(at!.getTime()).toBeLessThanOrEqual(after.getTime());
};

describe('opening hours', () => {
  it('withinHours: a day range, a range over midnight, and 24/7', () => {
    const tz = 'America/Toronto';
    const at = (iso: string) => new Date(iso);
    // 2026-01-15 is EST (UTC−5).
    expect(withinHours({ start: '09:00', end: '17:00', timeZone: tz }, at('2026-01-15T17:00:00Z'))).toBe(
      true,
    );
    expect(withinHours({ start: '09:00', end: '17:00', timeZone: tz }, at('2026-01-15T22:30:00Z'))).toBe(
      false,
    );
    expect(withinHours({ start: '22:00', end: '06:00', timeZone: tz }, at('2026-01-16T04:00:00Z'))).toBe(
      true,
    );
    expect(withinHours({ start: '22:00', end: '06:00', timeZone: tz }, at('2026-01-15T10:30:00Z'))).toBe(
      true,
    );
    expect(withinHours({ start: '22:00', end: '06:00', timeZone: tz }, at('2026-01-15T17:00:00Z'))).toBe(
      false,
    );
    expect(withinHours(undefined, at('2026-01-15T17:00:00Z'))).toBe(true);
  });
});

describe('incoming call', () => {
  it('answers the bilingual greeting and menu, and stores an ivr signal without the number in clear', async () => {
    const callSid = fakeSid('CA');
    const res = await ring(callSid);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const body = res.body;
    expect(body).toContain(
      '<Gather numDigits="1" action="http://harbour.test/webhooks/twilio/voice/menu" method="POST" timeout="6">',
    );
    expect(body).toContain('<Say language="en-CA">');
    expect(body).toContain('<Say language="fr-CA">');
    expect(body).toContain('press 1');
    expect(body).toContain('appuyez sur 2');
    expect(body).toContain('press 3. An interpreter will join');
    expect(body).toContain('911');
    expect(body).toContain(
      '<Redirect method="POST">http://harbour.test/webhooks/twilio/voice/menu?silence=1</Redirect>',
    );
    expect(body).not.toMatch(/record/i);
    expect(body).not.toContain('5550100123');

    const { s, pc } = (await callOf(callSid))!;
    expect(s).toMatchObject({
      channel: 'phone',
      state: 'ivr',
      language: 'en',
      queuedAt: null,
      hotlineAddress: HOTLINE_EN,
      campaign: 'main',
    });
    expect(pc).toMatchObject({ status: 'ringing', conferenceSid: null });
    expect(s.contactHash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.addressSealed).not.toContain('5550100123');
    expect(openAddress(testConfig().encryptionKey, s.id, s.addressSealed!)).toBe(CALLER);
    const events = await eventsOf(s.id);
    expect(events.map((e) => e.type)).toEqual(['arrived', 'call_status']);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('5550100123');
  });

  it('a withheld caller ID is fine: no hash, no address', async () => {
    const callSid = fakeSid('CA');
    expect((await ring(callSid, { From: 'anonymous' })).statusCode).toBe(200);
    const { s } = (await callOf(callSid))!;
    expect(s.contactHash).toBeNull();
    expect(s.addressSealed).toBeNull();
  });

  it('a retried incoming webhook is a no-op answering the same greeting', async () => {
    const callSid = fakeSid('CA');
    const first = await ring(callSid);
    const second = await ring(callSid);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    const rows = await db.select().from(phoneCall).where(eq(phoneCall.callSid, callSid));
    expect(rows).toHaveLength(1);
    const receipts = await db
      .select()
      .from(channelReceipt)
      .where(eq(channelReceipt.key, `call:${callSid}:incoming`));
    expect(receipts).toHaveLength(1);
  });

  it('concurrent deliveries of the same new call make one signal', async () => {
    const callSid = fakeSid('CA');
    const answers = await Promise.all([ring(callSid), ring(callSid), ring(callSid)]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    expect(await db.select().from(phoneCall).where(eq(phoneCall.callSid, callSid))).toHaveLength(1);
  });

  it('closed hours: the closed message in both languages with 911, hang up, ended unavailable but counted', async () => {
    const sup = await staffMember('supervisor');
    const board = async () => (await api(sup.session, 'GET', '/api/wallboard')).json().wallboard.today;
    const counted = await board();
    const callSid = fakeSid('CA');
    const before = new Date();
    const res = await ring(callSid, { To: HOTLINE_FR }, closedApp);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Say language="en-CA">The hotline is closed');
    expect(res.body).toContain('<Say language="fr-CA">La ligne d');
    expect(res.body).toMatch(/call 911[\s\S]*composez le 911[\s\S]*<Hangup\/><\/Response>$/);
    expect(res.body).not.toContain('<Gather');
    const { s } = (await callOf(callSid))!;
    expect(s).toMatchObject({ state: 'ended', endReason: 'unavailable', answeredAt: null, language: 'fr' });
    within(s.arrivedAt, before, new Date());
    within(s.endedAt, before, new Date());
    // Counted: the wallboard's "today" includes it (by arrived_at), as an unanswered call.
    const after = await board();
    expect(after.signals).toBe(counted.signals + 1);
    expect(after.calls.unanswered).toBe(counted.calls.unanswered + 1);
    // A retry answers the closed message again.
    const again = await ring(callSid, { To: HOTLINE_FR }, closedApp);
    expect(again.body).toBe(res.body);
  });
});

describe('menu', () => {
  it('nobody available for the queue: unavailable message with 911, hang up, ended unavailable, counted', async () => {
    const sup = await staffMember('supervisor');
    const board = async () => (await api(sup.session, 'GET', '/api/wallboard')).json().wallboard.today;
    const counted = await board();
    const callSid = fakeSid('CA');
    await ring(callSid);
    const res = await press(callSid, '1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Say language="en-CA">Sorry, no advocate can answer right now.');
    expect(res.body).toContain('<Say language="fr-CA">');
    expect(res.body).toContain('911');
    expect(res.body).toMatch(/<Hangup\/><\/Response>$/);
    const { s, pc } = (await callOf(callSid))!;
    expect(s).toMatchObject({ state: 'ended', endReason: 'unavailable', answeredAt: null });
    expect(pc.menuDigit).toBe('1');
    expect((await board()).calls.unanswered).toBe(counted.calls.unanswered + 1);
    const events = await eventsOf(s.id);
    expect(events.find((e) => e.type === 'menu_choice')?.data).toEqual({ digit: '1', language: 'en' });
    // A retry of the menu webhook answers the same, stores nothing more.
    const again = await press(callSid, '1');
    expect(again.body).toBe(res.body);
    expect((await eventsOf(s.id)).filter((e) => e.type === 'menu_choice')).toHaveLength(1);
  });

  it('1 English: queued now, with the Enqueue TwiML and the hold message; a retry answers the same', async () => {
    await available(['en']);
    const callSid = fakeSid('CA');
    await ring(callSid);
    const before = new Date();
    const res = await press(callSid, '1');
    const after = new Date();
    expect(res.body).toContain(
      '<Enqueue waitUrl="http://harbour.test/webhooks/twilio/voice/wait?lang=en" waitUrlMethod="POST" action="http://harbour.test/webhooks/twilio/voice/queue-result" method="POST">harbour</Enqueue>',
    );
    const { s } = (await callOf(callSid))!;
    expect(['queued', 'offered']).toContain(s.state);
    expect(s.language).toBe('en');
    within(s.queuedAt, before, after);
    const again = await press(callSid, '1');
    expect(again.body).toBe(res.body);
    expect((await eventsOf(s.id)).filter((e) => e.type === 'menu_choice')).toHaveLength(1);

    const wait = await signedPost(harbour.app, '/webhooks/twilio/voice/wait?lang=fr', callParams(callSid));
    expect(wait.body).toContain('<Say language="fr-CA">Merci de patienter.');
    expect(wait.body).toContain('911');
    expect(wait.body).not.toContain('en-CA');
    expect(wait.body).toContain('<Pause length="20"/>');
  });

  it('3 another language: queue other, interpreter needed', async () => {
    await available(['other']);
    const callSid = fakeSid('CA');
    await ring(callSid);
    await press(callSid, '3');
    const { s } = (await callOf(callSid))!;
    expect(s.language).toBe('other');
    expect(['queued', 'offered']).toContain(s.state);
    const events = await eventsOf(s.id);
    expect(events.find((e) => e.type === 'menu_choice')?.data).toEqual({ digit: '3', language: 'other' });
  });

  it("no digit twice: the number's language by default (French number → fr), recorded as defaulted", async () => {
    await available(['fr']);
    const callSid = fakeSid('CA');
    await ring(callSid, { To: HOTLINE_FR });
    const res = await press(callSid, undefined, '?silence=1');
    expect(res.body).toContain('wait?lang=fr');
    const { s } = (await callOf(callSid))!;
    expect(s.language).toBe('fr');
    const events = await eventsOf(s.id);
    expect(events.find((e) => e.type === 'menu_choice')?.data).toEqual({
      digit: null,
      language: 'fr',
      defaulted: true,
    });
  });

  it('a wrong key plays the short menu again; a wrong key again takes the default (English)', async () => {
    await available(['en']);
    const callSid = fakeSid('CA');
    await ring(callSid);
    const first = await press(callSid, '9');
    expect(first.body).toContain('menu?retry=1');
    expect(first.body).toContain('<Gather');
    expect((await callOf(callSid))!.s.state).toBe('ivr');
    const second = await press(callSid, '7', '?retry=1');
    expect(second.body).toContain('<Enqueue');
    expect((await callOf(callSid))!.s.language).toBe('en');
  });

  it('hang-up in the menu: ended abandoned, never queued; a retried status is a no-op', async () => {
    const callSid = fakeSid('CA');
    await ring(callSid);
    const before = new Date();
    expect((await callStatus(callSid, 'completed')).statusCode).toBe(200);
    const after = new Date();
    const { s, pc } = (await callOf(callSid))!;
    expect(s).toMatchObject({ state: 'ended', endReason: 'abandoned', queuedAt: null, answeredAt: null });
    within(s.endedAt, before, after);
    expect(pc.status).toBe('completed');
    await callStatus(callSid, 'completed');
    const statuses = (await eventsOf(s.id)).filter((e) => e.type === 'call_status');
    expect(statuses.map((e) => e.data)).toEqual([{ status: 'ringing' }, { status: 'completed' }]);
    expect((await callOf(callSid))!.s.endedAt).toEqual(s.endedAt);
  });
});

describe('queue', () => {
  it('abandoned in the queue: queue-result hangup ends it abandoned with exact times; the offer is cancelled', async () => {
    const a = await available(['fr']);
    const callSid = fakeSid('CA');
    await ring(callSid);
    await press(callSid, '2');
    const { s } = (await callOf(callSid))!;
    await offerFor(s.id, a.user.id);
    const before = new Date();
    const res = await signedPost(
      harbour.app,
      '/webhooks/twilio/voice/queue-result',
      callParams(callSid, { QueueResult: 'hangup', QueueTime: '12' }),
    );
    const after = new Date();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await callStatus(callSid, 'completed');
    const ended = (await callOf(callSid))!.s;
    expect(ended).toMatchObject({ state: 'ended', endReason: 'abandoned', answeredAt: null, language: 'fr' });
    within(ended.endedAt, before, after);
    expect(ended.queuedAt!.getTime()).toBeLessThan(ended.endedAt!.getTime());
    const offers = await db.select().from(offer).where(eq(offer.signalId, s.id));
    expect(offers.map((o) => o.outcome)).toEqual(['cancelled']);
  });
});

describe('answering and the conference', () => {
  it('full life cycle: offer accepted → REST redirect into harbour-<id> → conference → completed, exact times', async () => {
    const { a, callSid, signalId, beforeMenu, afterMenu, beforeAccept, afterAccept } =
      await answeredCall('1');
    const redirect = await standin.waitFor(
      (r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`) && Boolean(r.params.Twiml),
    );
    const twiml = redirect.params.Twiml!;
    expect(twiml).toContain(`>harbour-${signalId}</Conference>`);
    expect(twiml).toContain('endConferenceOnExit="true"');
    expect(twiml).toContain('statusCallback="http://harbour.test/webhooks/twilio/voice/conference"');
    expect(twiml).not.toMatch(/record/i);

    // Twilio tells us the call moved on from the queue: nothing to do.
    const redirected = await signedPost(
      harbour.app,
      '/webhooks/twilio/voice/queue-result',
      callParams(callSid, { QueueResult: 'redirected' }),
    );
    expect(redirected.statusCode).toBe(200);
    expect((await callOf(callSid))!.s.state).toBe('active');

    const { conferenceSid, advocateLeg, joined } = await conferenceUp(signalId, callSid, a.user.id);
    // Twilio sends no in-progress status for an incoming call: the caller joining the conference shows it.
    expect((await db.select().from(phoneCall).where(eq(phoneCall.signalId, signalId)))[0]!.status).toBe(
      'in-progress',
    );
    await callStatus(callSid, 'in-progress');
    const card = await api(a.session, 'GET', `/api/signals/${signalId}/call`);
    expect(card.statusCode).toBe(200);
    const call = card.json().call;
    expect(call).toMatchObject({ status: 'in-progress', onHold: false, muted: false, conference: true });
    expect(call.parties).toHaveLength(1);
    expect(call.parties[0]).toMatchObject({ kind: 'advocate', status: 'joined', language: null });
    within(new Date(call.parties[0].startedAt), joined.before, joined.after);
    const [pc] = await db.select().from(phoneCall).where(eq(phoneCall.signalId, signalId));
    expect(pc!.conferenceSid).toBe(conferenceSid);
    const [leg] = await db.select().from(callParty).where(eq(callParty.callSid, advocateLeg));
    expect(leg).toMatchObject({ userId: a.user.id, kind: 'advocate' });

    // The caller hangs up.
    const beforeEnd = new Date();
    await callStatus(callSid, 'completed');
    const afterEnd = new Date();
    const s = (await callOf(callSid))!.s;
    expect(s).toMatchObject({ state: 'ended', endReason: 'completed', assignedUserId: a.user.id });
    within(s.queuedAt, beforeMenu, afterMenu);
    within(s.answeredAt, beforeAccept, afterAccept);
    within(s.endedAt, beforeEnd, afterEnd);
    const waitMs = s.answeredAt!.getTime() - s.queuedAt!.getTime();
    const handleMs = s.endedAt!.getTime() - s.answeredAt!.getTime();
    expect(waitMs).toBeGreaterThanOrEqual(0);
    expect(waitMs).toBeLessThanOrEqual(afterAccept.getTime() - beforeMenu.getTime());
    expect(handleMs).toBeGreaterThanOrEqual(beforeEnd.getTime() - afterAccept.getTime());
    const [left] = await db.select().from(callParty).where(eq(callParty.callSid, advocateLeg));
    expect(left!.status).toBe('left');
    within(left!.endedAt, beforeEnd, afterEnd);
    const types = (await eventsOf(signalId)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'arrived',
        'call_status',
        'menu_choice',
        'queued',
        'offered',
        'accepted',
        'ended',
      ]),
    );
    // The card after the end: no conference any more; hold refused.
    const late = await api(a.session, 'POST', `/api/signals/${signalId}/call/hold`, { on: true });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('CALL_NOT_CONNECTED');
  });

  it('the browser leg: only the assigned advocate of an active call joins; anyone else is refused', async () => {
    const { a, signalId } = await answeredCall('1');
    const other = await createUser(db, { role: 'advocate' });
    const refused = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
      CallSid: fakeSid('CA'),
      From: `client:${other.id}`,
      signal: signalId,
    });
    expect(refused.statusCode).toBe(200);
    expect(refused.body).not.toContain('<Conference');
    expect(refused.body).toContain('<Hangup/>');
    const garbage = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
      CallSid: fakeSid('CA'),
      From: 'client:not-a-user',
      signal: 'nope',
    });
    expect(garbage.body).toContain('<Hangup/>');
    const ok = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
      CallSid: fakeSid('CA'),
      From: `client:${a.user.id}`,
      signal: signalId,
    });
    expect(ok.body).toContain(`>harbour-${signalId}</Conference>`);
    expect(ok.body).toContain('startConferenceOnEnter="true"');
    expect(ok.body).toContain('endConferenceOnExit="false"');
  });

  it('forward mode: the advocate number is dialled into the conference, never shown', async () => {
    const a = await available();
    const put = await api(a.session, 'PUT', '/api/voice/endpoint', {
      mode: 'forward',
      number: '+1 555 010 0142',
    });
    expect(put.statusCode).toBe(200);
    const { callSid, signalId } = await answeredCall('1', a);
    await standin.waitFor((r) => r.path.endsWith(`/Calls/${callSid}.json`));
    const dial = await standin.waitFor(
      (r) => r.method === 'POST' && r.path.endsWith(`/Conferences/harbour-${signalId}/Participants.json`),
    );
    expect(dial.params).toMatchObject({ To: FORWARD, From: HOTLINE_EN, EndConferenceOnExit: 'false' });
    expect(dial.params.Record).toBeUndefined();
    const [party] = await db.select().from(callParty).where(eq(callParty.signalId, signalId));
    expect(party).toMatchObject({
      kind: 'advocate',
      userId: a.user.id,
      status: 'dialing',
      callSid: dial.sid,
    });
    expect(dial.params.Label).toBe(party!.id);
    // The forwarded phone does not answer.
    const noAnswer = await signedPost(harbour.app, `/webhooks/twilio/voice/party?party=${party!.id}`, {
      CallSid: dial.sid!,
      CallStatus: 'no-answer',
    });
    expect(noAnswer.statusCode).toBe(200);
    const [failed] = await db.select().from(callParty).where(eq(callParty.id, party!.id));
    expect(failed!.status).toBe('failed');
  });

  it('a passing Twilio failure on answer is retried: the caller is connected, the failure logged without personal data', async () => {
    const a = await available();
    await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'browser' });
    standin.failNext(/\/Calls\/CA[0-9a-f]+\.json$/, 500);
    const before = logs.length;
    const { callSid, signalId } = await answeredCall('1', a);
    const tries = standin.requests.filter((r) => r.path.endsWith(`/Calls/${callSid}.json`));
    expect(tries.map((r) => r.status)).toEqual([500, 200]);
    expect(tries[1]!.params.Twiml).toContain(`harbour-${signalId}`);
    const s = (await callOf(callSid))!.s;
    expect(s).toMatchObject({ state: 'active', assignedUserId: a.user.id });
    expect(s.answeredAt).toBeInstanceOf(Date);
    const lines = logs.slice(before).join('\n');
    expect(lines).toContain('twilio request failed');
    expect(lines).toContain(signalId);
    expect(lines).toContain('answer.redirect');
    expect(lines).not.toContain('5550100');
  });

  it('when Twilio keeps failing, the call is not stranded: it waits in the queue again, unanswered', async () => {
    const a = await available();
    await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'browser' });
    standin.failNext(/\/Calls\/CA[0-9a-f]+\.json$/, 503, REDIRECT_ATTEMPTS);
    const { callSid, signalId } = await answeredCall('1', a);
    expect(standin.requests.filter((r) => r.path.endsWith(`/Calls/${callSid}.json`))).toHaveLength(
      REDIRECT_ATTEMPTS,
    );
    const s = (await callOf(callSid))!.s;
    expect(s).toMatchObject({ assignedUserId: null, answeredAt: null });
    expect(['queued', 'offered']).toContain(s.state);
    const events = await eventsOf(signalId);
    expect(events.filter((e) => e.type === 'call_status').map((e) => e.data)).toContainEqual({
      status: 'connect_failed',
    });
  });

  it('the hooks leave other channels alone (accepting and ending a chat calls nothing at Twilio)', async () => {
    const a = await staffMember();
    const [chat] = await db
      .insert(signal)
      .values({
        reference: `HB-C${Date.now().toString(36).slice(-3).toUpperCase()}-VOIC`,
        channel: 'chat',
        language: 'en',
        state: 'offered',
        queuedAt: new Date(),
      })
      .returning();
    const [o] = await db
      .insert(offer)
      .values({ signalId: chat!.id, userId: a.user.id, expiresAt: new Date(Date.now() + 60_000) })
      .returning();
    const before = standin.requests.length;
    expect((await api(a.session, 'POST', `/api/offers/${o!.id}/accept`, {})).statusCode).toBe(200);
    expect((await api(a.session, 'POST', `/api/signals/${chat!.id}/end`, {})).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(standin.requests.length).toBe(before);
  });

  it('ending the call from the console hangs up the caller by REST; Twilio then reports completed', async () => {
    const { a, callSid, signalId } = await answeredCall('1');
    const end = await api(a.session, 'POST', `/api/signals/${signalId}/end`, {});
    expect(end.statusCode).toBe(200);
    const hangup = await standin.waitFor(
      (r) => r.path.endsWith(`/Calls/${callSid}.json`) && r.params.Status === 'completed',
    );
    expect(hangup.status).toBe(200);
    await callStatus(callSid, 'completed');
    expect((await callOf(callSid))!.s).toMatchObject({ state: 'ended', endReason: 'completed' });
  });

  it('transfer: the previous advocate leaves the conference; the colleague joins', async () => {
    const { a, callSid, signalId } = await answeredCall('1');
    const { conferenceSid, advocateLeg } = await conferenceUp(signalId, callSid, a.user.id);
    const b = await staffMember();
    const res = await api(a.session, 'POST', `/api/signals/${signalId}/transfer`, {
      to_user_id: b.user.id,
      reason: 'Needs a French speaker (fictional)',
    });
    expect(res.statusCode).toBe(200);
    const removed = await standin.waitFor(
      (r) =>
        r.method === 'DELETE' &&
        r.path.endsWith(`/Conferences/${conferenceSid}/Participants/${advocateLeg}.json`),
    );
    expect(removed.status).toBe(204);
    const [leg] = await db.select().from(callParty).where(eq(callParty.callSid, advocateLeg));
    expect(leg!.status).toBe('left');
    // The colleague's browser may join now; the previous advocate may not.
    const joins = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
      CallSid: fakeSid('CA'),
      From: `client:${b.user.id}`,
      signal: signalId,
    });
    expect(joins.body).toContain('<Conference');
    const old = await signedPost(harbour.app, '/webhooks/twilio/voice/client', {
      CallSid: fakeSid('CA'),
      From: `client:${a.user.id}`,
      signal: signalId,
    });
    expect(old.body).not.toContain('<Conference');
  });
});

describe('hold, mute and the interpreter', () => {
  it('409 CALL_NOT_CONNECTED before the conference exists', async () => {
    const { a, signalId } = await answeredCall('1');
    for (const path of ['hold', 'mute']) {
      const res = await api(a.session, 'POST', `/api/signals/${signalId}/call/${path}`, { on: true });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('CALL_NOT_CONNECTED');
    }
    const interp = await api(a.session, 'POST', `/api/signals/${signalId}/call/interpreter`, {
      language: 'es',
    });
    expect(interp.json().error.code).toBe('CALL_NOT_CONNECTED');
  });

  it('hold and mute reach Twilio with the right parameters; the card and the timeline record them', async () => {
    const { a, callSid, signalId } = await answeredCall('1');
    const { conferenceSid, advocateLeg } = await conferenceUp(signalId, callSid, a.user.id);
    const seen = busEvents.length;
    const hold = await api(a.session, 'POST', `/api/signals/${signalId}/call/hold`, { on: true });
    expect(hold.statusCode).toBe(200);
    await expect
      .poll(() => busEvents.slice(seen).some((e) => e.topic === 'call' && e.signal === signalId))
      .toBe(true);
    expect(hold.json().call).toMatchObject({ onHold: true, muted: false, conference: true });
    const holdReq = await standin.waitFor((r) =>
      r.path.endsWith(`/Conferences/${conferenceSid}/Participants/${callSid}.json`),
    );
    expect(holdReq.params).toMatchObject({ Hold: 'true' });
    const mute = await api(a.session, 'POST', `/api/signals/${signalId}/call/mute`, { on: true });
    expect(mute.json().call).toMatchObject({ onHold: true, muted: true });
    const muteReq = await standin.waitFor((r) =>
      r.path.endsWith(`/Conferences/${conferenceSid}/Participants/${advocateLeg}.json`),
    );
    expect(muteReq.params).toMatchObject({ Muted: 'true' });
    const unhold = await api(a.session, 'POST', `/api/signals/${signalId}/call/hold`, { on: false });
    expect(unhold.json().call.onHold).toBe(false);
    const events = (await eventsOf(signalId)).filter((e) => e.type === 'call_hold' || e.type === 'call_mute');
    expect(events.map((e) => [e.type, e.data, e.userId])).toEqual([
      ['call_hold', { on: true }, a.user.id],
      ['call_mute', { on: true }, a.user.id],
      ['call_hold', { on: false }, a.user.id],
    ]);
    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, signalId));
    expect(audits.map((r) => r.action)).toEqual(expect.arrayContaining(['call.hold', 'call.mute']));
    // Someone else's call.
    const stranger = await staffMember();
    const refused = await api(stranger.session, 'POST', `/api/signals/${signalId}/call/hold`, { on: true });
    expect(refused.statusCode).toBe(403);
    // A Twilio failure: 502 with a stable code, nothing recorded.
    standin.failNext(/\/Participants\/CA[0-9a-f]+\.json$/, 500);
    const failed = await api(a.session, 'POST', `/api/signals/${signalId}/call/mute`, { on: false });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.code).toBe('CALL_ACTION_FAILED');
    expect(
      (await db.select().from(phoneCall).where(eq(phoneCall.signalId, signalId)))[0]!.advocateMuted,
    ).toBe(true);
  });

  it('the interpreter: dialled as a third party, joined, code sent, ended — who, which language, how long', async () => {
    const { a, callSid, signalId } = await answeredCall('3');
    const { conferenceSid, conf } = await conferenceUp(signalId, callSid, a.user.id);
    const bad = await api(a.session, 'POST', `/api/signals/${signalId}/call/interpreter`, {
      language: 'not a tag!',
    });
    expect(bad.statusCode).toBe(400);
    const res = await api(a.session, 'POST', `/api/signals/${signalId}/call/interpreter`, {
      language: 'es-MX',
    });
    expect(res.statusCode).toBe(200);
    const party = res.json().party;
    expect(party).toMatchObject({ kind: 'interpreter', language: 'es-MX', status: 'dialing', seconds: null });
    // Digit 3 queued the call as "other, language unknown"; dialling is not yet "interpreter used".
    expect((await callOf(callSid))!.s).toMatchObject({ language: 'other', interpreterLanguage: null });
    const dial = await standin.waitFor(
      (r) => r.method === 'POST' && r.path.endsWith(`/Conferences/${conferenceSid}/Participants.json`),
    );
    expect(dial.params).toMatchObject({
      To: INTERPRETER,
      From: HOTLINE_EN,
      Label: party.id,
      StatusCallback: `http://harbour.test/webhooks/twilio/voice/party?party=${party.id}`,
      EndConferenceOnExit: 'false',
    });
    expect(dial.params.Record).toBeUndefined();
    const beforeJoin = new Date();
    await conf('participant-join', { CallSid: dial.sid!, ParticipantLabel: party.id });
    const afterJoin = new Date();
    const code = await standin.waitFor((r) =>
      r.path.endsWith(`/Conferences/${conferenceSid}/Participants/${dial.sid}.json`),
    );
    expect(code.params.AnnounceUrl).toBe('http://harbour.test/webhooks/twilio/voice/interpreter-code');
    const digits = await signedPost(harbour.app, '/webhooks/twilio/voice/interpreter-code', {
      CallSid: dial.sid!,
    });
    expect(digits.body).toContain('<Play digits="ww1234#"/>');
    const [joined] = await db.select().from(callParty).where(eq(callParty.id, party.id));
    expect(joined).toMatchObject({ status: 'joined', userId: a.user.id, callSid: dial.sid });
    // Joined: the language interpreted is now the signal's.
    expect((await callOf(callSid))!.s.interpreterLanguage).toBe('es-MX');
    within(joined!.startedAt, beforeJoin, afterJoin);

    const beforeEnd = new Date();
    const end = await api(a.session, 'POST', `/api/signals/${signalId}/call/interpreter/${party.id}/end`, {});
    const afterEnd = new Date();
    expect(end.statusCode).toBe(200);
    expect(end.json().party.status).toBe('left');
    await standin.waitFor(
      (r) =>
        r.method === 'DELETE' &&
        r.path.endsWith(`/Conferences/${conferenceSid}/Participants/${dial.sid}.json`),
    );
    const [left] = await db.select().from(callParty).where(eq(callParty.id, party.id));
    within(left!.endedAt, beforeEnd, afterEnd);
    // Twilio's leave callback afterwards changes nothing.
    await conf('participant-leave', { CallSid: dial.sid!, ParticipantLabel: party.id });
    const events = await eventsOf(signalId);
    const added = events.filter((e) => e.type === 'interpreter_added');
    const gone = events.filter((e) => e.type === 'interpreter_left');
    expect(added.map((e) => [e.data, e.userId])).toEqual([[{ language: 'es-MX' }, a.user.id]]);
    expect(gone).toHaveLength(1);
    expect(gone[0]!.userId).toBe(a.user.id);
    const seconds = Math.round((left!.endedAt!.getTime() - joined!.startedAt!.getTime()) / 1000);
    expect(gone[0]!.data).toEqual({ language: 'es-MX', seconds });
    const card = (await api(a.session, 'GET', `/api/signals/${signalId}/call`)).json().call;
    expect(card.parties.find((p: { id: string }) => p.id === party.id)).toMatchObject({
      status: 'left',
      seconds,
    });
  });

  it('INTERPRETER_NOT_CONFIGURED without an interpreter line', async () => {
    const { a, signalId } = await answeredCall('1');
    const res = await api(
      a.session,
      'POST',
      `/api/signals/${signalId}/call/interpreter`,
      { language: 'es' },
      closedApp,
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('INTERPRETER_NOT_CONFIGURED');
  });

  it('GET /call: 404 for a signal that is not a phone call', async () => {
    const sup = await staffMember('supervisor');
    const [chat] = await db
      .insert(signal)
      .values({
        reference: `HB-V${Date.now().toString(36).slice(-3).toUpperCase()}-TEST`,
        channel: 'chat',
        language: 'en',
        state: 'queued',
        queuedAt: new Date(),
      })
      .returning();
    const res = await api(sup.session, 'GET', `/api/signals/${chat!.id}/call`);
    expect(res.statusCode).toBe(404);
  });
});

describe('Voice SDK token and endpoint', () => {
  it('GET /api/voice/token: a JWT signed with the API key secret, identity = user id, 1 h', async () => {
    const a = await staffMember();
    const res = await api(a.session, 'GET', '/api/voice/token');
    expect(res.statusCode).toBe(200);
    const { token, identity, expiresAt } = res.json();
    expect(identity).toBe(a.user.id);
    const [header, payload, sig] = token.split('.');
    const expected = createHmac('sha256', API_KEY_SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(sig).toBe(expected);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims.grants.identity).toBe(a.user.id);
    expect(claims.grants.voice.outgoing.application_sid).toBe(overrides.twilio!.twimlAppSid);
    expect(claims.sub).toBe(TEST_ACCOUNT_SID);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(new Date(expiresAt).getTime() - claims.exp * 1000)).toBeLessThan(2000);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('503 VOICE_SDK_NOT_CONFIGURED without API key', async () => {
    const a = await staffMember();
    const res = await api(a.session, 'GET', '/api/voice/token', undefined, closedApp);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('VOICE_SDK_NOT_CONFIGURED');
  });

  it('PUT /api/voice/endpoint: E.164 validated, sealed with the user id, never shown', async () => {
    const a = await staffMember();
    expect((await api(a.session, 'GET', '/api/voice/endpoint')).json()).toEqual({
      mode: 'browser',
      forwardNumberSet: false,
    });
    for (const number of ['12345', 'call me', '+0 555 010 0142', '']) {
      const res = await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'forward', number });
      expect(res.statusCode, number).toBe(400);
      expect(res.json().error.code).toBe('PHONE_NUMBER_INVALID');
    }
    const missing = await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'forward' });
    expect(missing.json().error.code).toBe('PHONE_NUMBER_INVALID');
    const wrongMode = await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'pigeon' });
    expect(wrongMode.statusCode).toBe(400);
    const ok = await api(a.session, 'PUT', '/api/voice/endpoint', {
      mode: 'forward',
      number: '(555) 010-0142',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ mode: 'forward', forwardNumberSet: true });
    expect(ok.body).not.toContain('0142');
    const [row] = await db.select().from(voiceEndpoint).where(eq(voiceEndpoint.userId, a.user.id));
    expect(row!.forwardNumberSealed).not.toContain('0142');
    expect(decrypt(testConfig().encryptionKey, row!.forwardNumberSealed!, a.user.id).toString('utf8')).toBe(
      FORWARD,
    );
    expect(() => decrypt(testConfig().encryptionKey, row!.forwardNumberSealed!, 'someone-else')).toThrow();
    // Back to the browser keeps the number for later; the audit log never has it.
    const back = await api(a.session, 'PUT', '/api/voice/endpoint', { mode: 'browser' });
    expect(back.json()).toEqual({ mode: 'browser', forwardNumberSet: true });
    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, a.user.id));
    expect(audits.map((r) => r.action)).toContain('voice.endpoint.update');
    expect(JSON.stringify(audits)).not.toContain('0142');
  });
});

describe('hostile webhooks', () => {
  it('forged or missing signatures: 403, nothing stored', async () => {
    const cases: { options: Parameters<typeof signedPost>[3]; label: string }[] = [
      { label: 'missing', options: { signature: null } },
      { label: 'garbage', options: { signature: 'bm90IGEgc2lnbmF0dXJl' } },
      { label: 'other token', options: { authToken: 'someone-elses-token' } },
      { label: 'other url', options: { publicUrl: 'http://evil.test' } },
    ];
    for (const c of cases) {
      const callSid = fakeSid('CA');
      for (const path of [
        '/webhooks/twilio/voice',
        '/webhooks/twilio/voice/status',
        '/webhooks/twilio/voice/menu',
      ]) {
        const res = await signedPost(
          harbour.app,
          path,
          callParams(callSid, { CallStatus: 'ringing' }),
          c.options,
        );
        expect(res.statusCode, `${c.label} ${path}`).toBe(403);
        expect(res.json().error.code).toBe('TWILIO_SIGNATURE_INVALID');
      }
      expect(await db.select().from(phoneCall).where(eq(phoneCall.callSid, callSid))).toHaveLength(0);
      const receipts = await db
        .select()
        .from(channelReceipt)
        .where(sql`${channelReceipt.key} like ${`%${callSid}%`}`);
      expect(receipts).toHaveLength(0);
    }
    // A parameter changed after signing.
    const callSid = fakeSid('CA');
    const params = callParams(callSid, { CallStatus: 'ringing' });
    const url = 'http://harbour.test/webhooks/twilio/voice';
    const { signatureFor } = await import('../../../../test/helpers/twilio.js');
    const tampered = await harbour.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/voice',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signatureFor(url, params),
      },
      payload: new URLSearchParams({ ...params, From: '+15550100199' }).toString(),
    });
    expect(tampered.statusCode).toBe(403);
    expect(await db.select().from(phoneCall).where(eq(phoneCall.callSid, callSid))).toHaveLength(0);
  });

  it('missing or garbage parameters: 400 with a stable code, never a 5xx', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/webhooks/twilio/voice', { From: CALLER, To: HOTLINE_EN }],
      ['/webhooks/twilio/voice', { CallSid: 'CA-not-a-sid', From: CALLER }],
      ['/webhooks/twilio/voice/menu', { Digits: '1' }],
      ['/webhooks/twilio/voice/status', { CallSid: fakeSid('CA'), CallStatus: 'exploded' }],
      ['/webhooks/twilio/voice/status', { CallStatus: 'completed' }],
      ['/webhooks/twilio/voice/queue-result', { CallSid: fakeSid('CA') }],
      ['/webhooks/twilio/voice/conference', { StatusCallbackEvent: 'participant-join' }],
      ['/webhooks/twilio/voice/conference', { ConferenceSid: 'CF123', StatusCallbackEvent: 'x' }],
      ['/webhooks/twilio/voice/party', { CallSid: fakeSid('CA') }],
      ['/webhooks/twilio/voice/client', { From: 'client:x' }],
    ];
    for (const [path, params] of cases) {
      const res = await signedPost(harbour.app, path, params);
      expect(res.statusCode, `${path} ${JSON.stringify(params)}`).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    // Well-formed but unknown calls: 404, nothing stored.
    for (const path of [
      '/webhooks/twilio/voice/menu',
      '/webhooks/twilio/voice/status',
      '/webhooks/twilio/voice/queue-result',
    ]) {
      const callSid = fakeSid('CA');
      const res = await signedPost(
        harbour.app,
        path,
        callParams(callSid, { CallStatus: 'completed', QueueResult: 'hangup', Digits: '1' }),
      );
      expect(res.statusCode, path).toBe(404);
      const receipts = await db
        .select()
        .from(channelReceipt)
        .where(sql`${channelReceipt.key} like ${`%${callSid}%`}`);
      expect(receipts).toHaveLength(0);
    }
    // A conference name that looks like ours but is not a signal id: 404, never a database error.
    const oddName = await signedPost(harbour.app, '/webhooks/twilio/voice/conference', {
      ConferenceSid: fakeSid('CF'),
      FriendlyName: `harbour-${'-'.repeat(36)}`,
      StatusCallbackEvent: 'conference-start',
      SequenceNumber: '1',
    });
    expect(oddName.statusCode).toBe(404);
    // Not a form: refused before anything happens.
    const plain = await harbour.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/voice',
      headers: { 'content-type': 'text/plain', 'x-twilio-signature': 'x' },
      payload: 'CallSid=CA00',
    });
    expect(plain.statusCode).toBe(415);
    // An oversized body.
    const huge = await signedPost(harbour.app, '/webhooks/twilio/voice', {
      CallSid: fakeSid('CA'),
      Junk: 'x'.repeat(70_000),
    });
    expect(huge.statusCode).toBe(413);
  });

  it('garbage in every parameter of every voice webhook: never a 5xx', async () => {
    const { a, callSid, signalId } = await answeredCall('1');
    const values = [
      '',
      ' ',
      'x'.repeat(5000),
      '\u202e\ud83d\ude00 ',
      "'; drop table signal; --",
      '-1',
      `CA${'z'.repeat(32)}`,
      callSid,
      signalId,
      `client:${a.user.id}`,
      `harbour-${signalId}`,
      fakeSid('CF'),
      'completed',
      'participant-join',
      'hangup',
    ];
    const names = [
      'CallSid',
      'CallStatus',
      'Digits',
      'From',
      'To',
      'QueueResult',
      'ConferenceSid',
      'FriendlyName',
      'StatusCallbackEvent',
      'SequenceNumber',
      'ParticipantLabel',
      'signal',
    ];
    const paths = [
      '/webhooks/twilio/voice',
      '/webhooks/twilio/voice/menu?retry=1',
      '/webhooks/twilio/voice/wait?lang=%00',
      '/webhooks/twilio/voice/queue-result',
      '/webhooks/twilio/voice/status',
      '/webhooks/twilio/voice/client',
      '/webhooks/twilio/voice/conference',
      '/webhooks/twilio/voice/party?party=nope',
      '/webhooks/twilio/voice/interpreter-code',
    ];
    let n = 0;
    for (const path of paths) {
      for (let i = 0; i < 12; i++) {
        const params: Record<string, string> = {};
        for (const name of names) {
          n++;
          if ((n * 7 + i) % 3 === 0) continue;
          params[name] = values[(n * 31 + i * 17) % values.length]!;
        }
        const res = await signedPost(harbour.app, path, params);
        expect(res.statusCode, `${path} ${JSON.stringify(params).slice(0, 300)}`).toBeLessThan(500);
      }
    }
  });

  it('503 TWILIO_NOT_CONFIGURED without an account (the rest of Harbour works)', async () => {
    const bare = await buildApp({ config: testConfig({ publicUrl: 'http://harbour.test' }), db });
    await bare.app.ready();
    try {
      const res = await signedPost(bare.app, '/webhooks/twilio/voice', callParams(fakeSid('CA')));
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('TWILIO_NOT_CONFIGURED');
    } finally {
      await bare.app.close();
    }
  });

  it('retried conference callbacks (same ConferenceSid and SequenceNumber) are no-ops', async () => {
    const { a, callSid, signalId } = await answeredCall('1');
    const { conf, advocateLeg } = await conferenceUp(signalId, callSid, a.user.id);
    const leave = { CallSid: advocateLeg, SequenceNumber: '40' };
    await conf('participant-leave', leave);
    const [first] = await db.select().from(callParty).where(eq(callParty.callSid, advocateLeg));
    const again = await conf('participant-leave', leave);
    expect(again.statusCode).toBe(200);
    const [second] = await db.select().from(callParty).where(eq(callParty.callSid, advocateLeg));
    expect(second!.endedAt).toEqual(first!.endedAt);
    expect(first!.status).toBe('left');
  });
});

describe('privacy', () => {
  it('the caller and forwarding numbers never appear in logs, events or the bus', async () => {
    const all = logs.join('\n');
    expect(all).not.toContain('5550100123');
    expect(all).not.toContain('5550100142');
    const events = await db.select({ data: signalEvent.data }).from(signalEvent);
    const text = JSON.stringify(events);
    expect(text).not.toContain('5550100123');
    expect(text).not.toContain('5550100142');
    expect(busEvents.some((e) => e.topic === 'call')).toBe(true);
    expect(JSON.stringify(busEvents)).not.toMatch(/5550100(123|142)/);
    const audits = JSON.stringify(await db.select().from(auditLog));
    expect(audits).not.toContain('5550100123');
    expect(audits).not.toContain('5550100142');
  });
});
