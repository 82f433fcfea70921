import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import { auditLog, offer, presence, signal, signalEvent } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { createSignalsService, generateReference, type SignalsService } from './signals.service.js';

let harbour: HarbourApp;
let db: Db;
let signals: SignalsService;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});
afterAll(() => harbour.app.close());

async function staffMember(role: 'advocate' | 'supervisor' | 'analyst' | 'admin' = 'advocate') {
  const user = await createUser(db, { role });
  return { user, session: await sessionFor(db, user) };
}

/** A live chat already answered by `userId`, with two visitor messages. */
async function liveChat(userId: string) {
  const at = new Date(Date.now() - 60_000);
  const [row] = await db
    .insert(signal)
    .values({
      reference: generateReference(),
      channel: 'chat',
      language: 'en',
      state: 'active',
      arrivedAt: at,
      queuedAt: at,
      answeredAt: new Date(at.getTime() + 9000),
      assignedUserId: userId,
    })
    .returning();
  await signals.appendMessage({
    signalId: row!.id,
    sender: 'visitor',
    clientId: 'v-1',
    text: 'I need help (fictional)',
  });
  await signals.appendMessage({
    signalId: row!.id,
    sender: 'visitor',
    clientId: 'v-2',
    text: 'Is this private?',
  });
  return row!;
}

/** A signal offered to `userId` (made directly: the shared database's router only touches queued signals). */
async function offeredTo(userId: string) {
  const at = new Date();
  const [s] = await db
    .insert(signal)
    .values({
      reference: generateReference(),
      channel: 'chat',
      language: 'fr',
      state: 'offered',
      queuedAt: at,
    })
    .returning();
  const [o] = await db
    .insert(offer)
    .values({ signalId: s!.id, userId, offeredAt: at, expiresAt: new Date(at.getTime() + 20_000) })
    .returning();
  return { signal: s!, offer: o! };
}

const call = (
  session: TestSession,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
  headers: Record<string, string> = {},
) =>
  harbour.app.inject({
    method,
    url,
    headers: { ...session.headers, ...headers },
    ...(payload ? { payload } : {}),
  });

describe('staff API: queue and offers', () => {
  it('GET /api/queue lists my offers and conversations, and waiting signals without any content', async () => {
    const { user, session } = await staffMember();
    const endedEarlier = await liveChat(user.id);
    await signals.endSignal(endedEarlier.id, 'completed');
    const live = await liveChat(user.id);
    const { signal: s, offer: o } = await offeredTo(user.id);
    const res = await call(session, 'GET', '/api/queue');
    expect(res.statusCode).toBe(200);
    const body = json<{
      waiting: Record<string, unknown>[];
      offers: { id: string; signalId: string; waitedS: number }[];
      active: { id: string; lastSeq: number; staffReadSeq: number }[];
    }>(res);
    expect(body.offers.map((x) => x.id)).toEqual([o.id]);
    expect(body.offers[0]!.signalId).toBe(s.id);
    expect(body.active.find((x) => x.id === live.id)).toMatchObject({ lastSeq: 2, staffReadSeq: 0 });
    // Live conversations first, then the ended one still waiting for its wrap-up.
    expect(body.active.map((x) => x.id)).toEqual([live.id, endedEarlier.id]);
    const waitingRow = body.waiting.find((w) => w.id === s.id);
    expect(Object.keys(waitingRow ?? {}).sort()).toEqual([
      'channel',
      'id',
      'language',
      'queuedAt',
      'waitedS',
    ]);
    expect(res.body).not.toContain('I need help');
  });

  it('accept makes the offer my conversation; decline hands it back; someone else cannot answer my offer', async () => {
    const { user, session } = await staffMember();
    const other = await staffMember();
    const first = await offeredTo(user.id);
    expect((await call(other.session, 'POST', `/api/offers/${first.offer.id}/accept`, {})).statusCode).toBe(
      404,
    );
    const accepted = await call(session, 'POST', `/api/offers/${first.offer.id}/accept`, {});
    expect(accepted.statusCode).toBe(200);
    expect(json(accepted)).toEqual({ signalId: first.signal.id });
    const [row] = await db.select().from(signal).where(eq(signal.id, first.signal.id));
    expect(row).toMatchObject({ state: 'active', assignedUserId: user.id });
    expect(row!.answeredAt).toBeInstanceOf(Date);
    expect((await call(session, 'POST', `/api/offers/${first.offer.id}/accept`, {})).statusCode).toBe(409);

    const second = await offeredTo(user.id);
    const declined = await call(session, 'POST', `/api/offers/${second.offer.id}/decline`, {});
    expect(declined.statusCode).toBe(204);
    const [o] = await db.select().from(offer).where(eq(offer.id, second.offer.id));
    expect(o!.outcome).toBe('declined');
  });
});

describe('staff API: a conversation', () => {
  it('the transcript read is audited in the same transaction; other advocates are refused and leave no trace', async () => {
    const { user, session } = await staffMember();
    const live = await liveChat(user.id);
    const res = await call(session, 'GET', `/api/signals/${live.id}`);
    expect(res.statusCode).toBe(200);
    const body = json<{
      signal: { messages: { seq: number; text: string; sender: string }[]; version: number };
    }>(res);
    expect(body.signal.messages.map((m) => [m.seq, m.sender, m.text])).toEqual([
      [1, 'visitor', 'I need help (fictional)'],
      [2, 'visitor', 'Is this private?'],
    ]);
    expect(res.headers.etag).toBe(`"${body.signal.version}"`);
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, live.id), eq(auditLog.action, 'signal.transcript_read')));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBe(user.id);
    expect(JSON.stringify(audits[0])).not.toContain('I need help');

    const stranger = await staffMember();
    const refused = await call(stranger.session, 'GET', `/api/signals/${live.id}`);
    expect(refused.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(refused).error.code).toBe('SIGNAL_NOT_YOURS');
    expect(refused.body).not.toContain('I need help');
    const after = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, live.id), eq(auditLog.action, 'signal.transcript_read')));
    expect(after).toHaveLength(1);

    const sup = await staffMember('supervisor');
    expect((await call(sup.session, 'GET', `/api/signals/${live.id}`)).statusCode).toBe(200);
  });

  it('messages are idempotent by client id; read and typing are accepted for my conversation only', async () => {
    const { user, session } = await staffMember();
    const live = await liveChat(user.id);
    const send = () =>
      call(session, 'POST', `/api/signals/${live.id}/messages`, {
        id: 'adv-1',
        text: 'You are safe to talk here.',
      });
    const a = await send();
    const b = await send();
    expect(a.statusCode).toBe(200);
    expect(json(a)).toMatchObject({ seq: 3, duplicate: false });
    expect(json(b)).toMatchObject({ seq: 3, duplicate: true });
    const read = await call(session, 'POST', `/api/signals/${live.id}/read`, { seq: 2 });
    expect(json(read)).toEqual({ seq: 2 });
    expect((await call(session, 'POST', `/api/signals/${live.id}/typing`, { on: true })).statusCode).toBe(
      204,
    );

    const sup = await staffMember('supervisor');
    const notMine = await call(sup.session, 'POST', `/api/signals/${live.id}/messages`, {
      id: 's-1',
      text: 'x',
    });
    expect(notMine.statusCode).toBe(403);
  });

  it('transfer to a colleague keeps the signal answered and records who, to whom and why', async () => {
    const { user, session } = await staffMember();
    const colleague = await staffMember();
    const live = await liveChat(user.id);
    const res = await call(session, 'POST', `/api/signals/${live.id}/transfer`, {
      to_user_id: colleague.user.id,
      reason: 'Needs French (fictional)',
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ signalId: live.id, assignedUserId: colleague.user.id });
    const [row] = await db.select().from(signal).where(eq(signal.id, live.id));
    expect(row).toMatchObject({ state: 'active', assignedUserId: colleague.user.id });
    expect(row!.answeredAt?.toISOString()).toBe(live.answeredAt?.toISOString());
    const [ev] = await db
      .select()
      .from(signalEvent)
      .where(and(eq(signalEvent.signalId, live.id), eq(signalEvent.type, 'transferred')));
    expect(ev).toMatchObject({ userId: user.id });
    expect(ev!.data).toMatchObject({
      from: user.id,
      to: colleague.user.id,
      reason: 'Needs French (fictional)',
    });
    // It is theirs now.
    expect((await call(session, 'GET', `/api/signals/${live.id}`)).statusCode).toBe(403);
    expect((await call(colleague.session, 'GET', `/api/signals/${live.id}`)).statusCode).toBe(200);
    // Nobody who cannot take conversations.
    const analyst = await createUser(db, { role: 'analyst' });
    const bad = await call(colleague.session, 'POST', `/api/signals/${live.id}/transfer`, {
      to_user_id: analyst.id,
      reason: 'x',
    });
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('TRANSFER_TARGET_INVALID');
  });

  it('transfer to "a supervisor" goes to a signed-in supervisor', async () => {
    const { user, session } = await staffMember();
    const sup = await staffMember('supervisor');
    await call(sup.session, 'PUT', '/api/presence', { status: 'busy', languages: ['en'] });
    const live = await liveChat(user.id);
    const res = await call(session, 'POST', `/api/signals/${live.id}/transfer`, {
      to: 'supervisor',
      reason: 'Safety concern (fictional)',
    });
    expect(res.statusCode).toBe(200);
    const to = json<{ assignedUserId: string }>(res).assignedUserId;
    const [row] = await db.select({ role: presence.status }).from(presence).where(eq(presence.userId, to));
    expect(row?.role).not.toBe('offline');
    const [assignee] = await db.select().from(signal).where(eq(signal.id, live.id));
    expect(assignee!.assignedUserId).toBe(to);
  });

  it('end, then the wrap-up with If-Match: a stale version is refused with 409', async () => {
    const { user, session } = await staffMember();
    const live = await liveChat(user.id);
    const ended = await call(session, 'POST', `/api/signals/${live.id}/end`, {});
    expect(ended.statusCode).toBe(200);
    expect(json(ended)).toMatchObject({ state: 'ended', endReason: 'completed' });
    const version = json<{ version: number }>(ended).version;
    const wrap = {
      caller_type: 'potential_victim',
      region: 'ON',
      language: 'en',
      heard_about: 'social_media',
    };
    expect((await call(session, 'PUT', `/api/signals/${live.id}/wrap-up`, wrap)).statusCode).toBe(428);
    const bad = await call(
      session,
      'PUT',
      `/api/signals/${live.id}/wrap-up`,
      { ...wrap, region: 'ZZ' },
      {
        'if-match': String(version),
      },
    );
    expect(bad.statusCode).toBe(400);
    const ok = await call(session, 'PUT', `/api/signals/${live.id}/wrap-up`, wrap, {
      'if-match': `"${version}"`,
    });
    expect(ok.statusCode).toBe(200);
    const saved = json<{ signal: { version: number; wrapUp: Record<string, unknown> } }>(ok).signal;
    expect(saved.version).toBe(version + 1);
    expect(saved.wrapUp).toMatchObject({
      callerType: 'potential_victim',
      region: 'ON',
      language: 'en',
      heardAbout: 'social_media',
      wrappedUpBy: user.id,
    });
    const stale = await call(
      session,
      'PUT',
      `/api/signals/${live.id}/wrap-up`,
      { ...wrap, region: 'QC' },
      {
        'if-match': String(version),
      },
    );
    expect(stale.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(stale).error.code).toBe('VERSION_CONFLICT');
    const [row] = await db.select().from(signal).where(eq(signal.id, live.id));
    expect(row!.region).toBe('ON');
  });
});

describe('staff API: presence and canned responses', () => {
  it('PUT /api/presence sets status, queues and max chats; GET shows mine, or everyone with all=true', async () => {
    const { user, session } = await staffMember();
    const put = await call(session, 'PUT', '/api/presence', {
      status: 'break',
      languages: ['fr', 'other'],
      maxChats: 2,
    });
    expect(put.statusCode).toBe(200);
    expect(json(put)).toMatchObject({
      presence: { userId: user.id, status: 'break', languages: ['fr', 'other'], maxChats: 2, activeChats: 0 },
    });
    const mine = json<{ presence: { status: string } }>(await call(session, 'GET', '/api/presence'));
    expect(mine.presence.status).toBe('break');
    const all = json<{ presence: { userId: string; displayName: string }[] }>(
      await call(session, 'GET', '/api/presence?all=true'),
    );
    expect(all.presence.find((p) => p.userId === user.id)?.displayName).toContain('(fictional)');
    expect(JSON.stringify(all)).not.toContain('@test.harbour.example');
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, user.id), eq(auditLog.action, 'presence.update')));
    expect(audits).toHaveLength(1);
  });

  it('GET /api/canned-responses lists the bilingual snippets (greeting, safety, emergency 911, closing)', async () => {
    const { session } = await staffMember();
    const res = await call(session, 'GET', '/api/canned-responses');
    expect(res.statusCode).toBe(200);
    const list = json<{ responses: { key: string; bodyEn: string; bodyFr: string }[] }>(res).responses;
    const keys = list.map((r) => r.key);
    for (const k of ['greeting', 'safety_check', 'emergency', 'closing']) expect(keys).toContain(k);
    const emergency = list.find((r) => r.key === 'emergency')!;
    expect(emergency.bodyEn).toContain('911');
    expect(emergency.bodyFr).toContain('911');
  });
});
