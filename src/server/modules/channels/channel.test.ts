import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import {
  fakeSid,
  HOTLINE_EN,
  personNumber,
  signedPost,
  TEST_ACCOUNT_SID,
  TEST_WHATSAPP_FROM,
  twilioTestSetup,
} from '../../../../test/helpers/twilio.js';
import type { TwilioStandin } from '../../../cli/twilio-standin.js';
import type { HarbourApp } from '../../app.js';
import { attachment, auditLog, emailMessage, type SignalRow, signal, signalEvent } from '../../db/schema.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { createSignalsService, type SignalsService } from '../queue/signals.service.js';
import { storeAttachment } from './attachments.js';
import { contentDisposition, downloadType } from './channel.service.js';
import { contactHash } from './contact.js';

let standin: TwilioStandin;
let harbour: HarbourApp;
let db: Db;
let signals: SignalsService;
const logLines: string[] = [];

beforeAll(async () => {
  const setup = await twilioTestSetup();
  standin = setup.standin;
  harbour = await testApp({ ...setup.overrides, logLevel: 'debug' }, { write: (l) => logLines.push(l) });
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});
afterAll(async () => {
  await harbour.app.close();
  await standin.close();
});

async function staffMember(role: 'advocate' | 'supervisor' = 'advocate') {
  const user = await createUser(db, { role });
  return { id: user.id, session: await sessionFor(db, user) };
}

async function inbound(from: string, body: string, extra: Record<string, string> = {}) {
  const res = await signedPost(harbour.app, '/webhooks/twilio/messaging', {
    MessageSid: fakeSid('SM'),
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: HOTLINE_EN,
    Body: body,
    NumMedia: '0',
    ...extra,
  });
  expect(res.statusCode).toBe(200);
  const number = from.replace(/^whatsapp:/, '');
  const channel = from.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
  const [row] = await db
    .select()
    .from(signal)
    .where(and(eq(signal.channel, channel), eq(signal.contactHash, contactHash(TEST_KEY, number))))
    .orderBy(desc(signal.arrivedAt))
    .limit(1);
  return row!;
}

async function assignTo(s: SignalRow, userId: string) {
  await db
    .update(signal)
    .set({ state: 'active', assignedUserId: userId, answeredAt: new Date() })
    .where(eq(signal.id, s.id));
}

const get = (session: TestSession, url: string) =>
  harbour.app.inject({ method: 'GET', url, headers: session.headers });
const reveal = (session: TestSession, id: string, payload: unknown) =>
  harbour.app.inject({
    method: 'POST',
    url: `/api/signals/${id}/reveal-contact`,
    headers: session.headers,
    payload: payload as object,
  });
const auditsOf = (targetId: string) =>
  db.select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(auditLog.seq);
const eventsOf = async (signalId: string, type: string) =>
  (await db.select().from(signalEvent).where(eq(signalEvent.signalId, signalId))).filter(
    (e) => e.type === type,
  );

const PDF = Buffer.from('%PDF-1.4\n% fictional test document\n%%EOF\n');

describe('GET /api/signals/:id/channel', () => {
  it('shows the channel facts to the assigned advocate and supervisors, audited when it opens file names', async () => {
    const from = personNumber();
    const earlier = await inbound(from, 'Earlier (fictional)');
    await signals.endSignal(earlier.id, 'completed');
    const current = await inbound(from, 'Again (fictional)');
    expect(current.id).not.toBe(earlier.id);
    const file = await db.transaction((tx) =>
      storeAttachment(tx, TEST_KEY, {
        signalId: current.id,
        seq: 1,
        contentType: 'application/pdf',
        filename: 'rapport été (fictional).pdf',
        bytes: PDF,
      }),
    );
    const me = await staffMember();
    await assignTo(current, me.id);
    await expect
      .poll(async () => {
        const res = await get(me.session, `/api/signals/${current.id}/channel`);
        return json<{ channel: { deliveries: { status: string }[] } }>(res).channel.deliveries[0]?.status;
      })
      .toBe('sent');
    const readsBefore = (await auditsOf(current.id)).filter((a) => a.action === 'signal.channel_read').length;
    const res = await get(me.session, `/api/signals/${current.id}/channel`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { channel } = json<{ channel: Record<string, unknown> }>(res);
    expect(channel).toMatchObject({
      kind: 'sms',
      hotlineAddress: HOTLINE_EN,
      campaign: 'main',
      window: null,
      email: null,
      deliveries: [{ seq: 2, status: 'sent', errorCode: null }],
      attachments: [
        {
          id: file.id,
          seq: 1,
          contentType: 'application/pdf',
          sizeBytes: PDF.length,
          state: 'stored',
          filename: 'rapport été (fictional).pdf',
        },
      ],
    });
    expect((channel.repeatContacts as { count: number }).count).toBe(1);
    expect(res.body).not.toContain(from.slice(2));
    const audits = (await auditsOf(current.id)).filter((a) => a.action === 'signal.channel_read');
    expect(audits).toHaveLength(readsBefore + 1);
    expect(audits.at(-1)).toMatchObject({ actorId: me.id, details: { filenames: 1, subject: false } });

    const other = await staffMember();
    const refused = await get(other.session, `/api/signals/${current.id}/channel`);
    expect(refused.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(refused).error.code).toBe('SIGNAL_NOT_YOURS');
    const boss = await staffMember('supervisor');
    expect((await get(boss.session, `/api/signals/${current.id}/channel`)).statusCode).toBe(200);
    const missing = await get(boss.session, '/api/signals/00000000-0000-4000-8000-000000000000/channel');
    expect(missing.statusCode).toBe(404);
  });

  it('shows the WhatsApp window and an e-mail subject', async () => {
    const number = personNumber();
    const wa = await inbound(`whatsapp:${number}`, 'Hi (fictional)', { To: TEST_WHATSAPP_FROM });
    const boss = await staffMember('supervisor');
    const view = json<{ channel: { window: { endsAt: string; open: boolean } } }>(
      await get(boss.session, `/api/signals/${wa.id}/channel`),
    ).channel;
    expect(view.window.open).toBe(true);
    expect(new Date(view.window.endsAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const mail = await signals.arrive({
      channel: 'email',
      language: 'en',
      state: 'queued',
      firstMessage: { clientId: 'm-1', text: 'Body (fictional)' },
    });
    await db.insert(emailMessage).values({
      signalId: mail.id,
      messageId: `test.${mail.id}@mail.example`,
      direction: 'in',
      seq: 1,
      subjectSealed: encrypt(TEST_KEY, 'Need advice (fictional)', mail.id),
    });
    const mailView = json<{ channel: { email: { subject: string }; window: null } }>(
      await get(boss.session, `/api/signals/${mail.id}/channel`),
    ).channel;
    expect(mailView).toMatchObject({ email: { subject: 'Need advice (fictional)' }, window: null });
    expect((await auditsOf(mail.id)).map((a) => a.details)).toEqual([{ filenames: 0, subject: true }]);
  });
});

describe('GET /api/attachments/:id', () => {
  it('downloads as an attachment with safe headers; audited with an attachment_read event', async () => {
    const s = await inbound(personNumber(), 'File (fictional)');
    const me = await staffMember();
    await assignTo(s, me.id);
    const [pdf, html, refused] = await db.transaction(async (tx) => [
      await storeAttachment(tx, TEST_KEY, {
        signalId: s.id,
        seq: 1,
        contentType: 'application/pdf',
        filename: 'déclaration "test".pdf',
        bytes: PDF,
      }),
      await storeAttachment(tx, TEST_KEY, {
        signalId: s.id,
        seq: 1,
        contentType: 'text/plain',
        bytes: Buffer.from('<script>alert(1)</script>'),
      }),
      await storeAttachment(tx, TEST_KEY, {
        signalId: s.id,
        seq: 1,
        contentType: 'application/x-msdownload',
        sizeBytes: 100,
        state: 'refused_type',
      }),
    ]);
    const res = await get(me.session, `/api/attachments/${pdf!.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload).toEqual(PDF);
    expect(res.headers).toMatchObject({
      'content-type': 'application/pdf',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    expect(String(res.headers['content-security-policy'])).toMatch(/^sandbox/);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="d_claration _test_.pdf"; filename*=UTF-8''d%C3%A9claration%20%22test%22.pdf`,
    );
    const audits = (await auditsOf(pdf!.id)).filter((a) => a.action === 'attachment.read');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: me.id, targetType: 'attachment' });
    expect(JSON.stringify(audits[0]!.details)).not.toContain('déclaration');
    expect((await eventsOf(s.id, 'attachment_read')).map((e) => e.data)).toEqual([{ attachment: pdf!.id }]);

    const text = await get(me.session, `/api/attachments/${html!.id}`);
    expect(text.headers['content-type']).toBe('application/octet-stream');
    expect(text.headers['content-disposition']).toMatch(
      /^attachment; filename="attachment-1-[0-9a-f]{8}\.txt"/,
    );

    const gone = await get(me.session, `/api/attachments/${refused!.id}`);
    expect(gone.statusCode).toBe(410);
    expect(json<{ error: { code: string } }>(gone).error.code).toBe('ATTACHMENT_NOT_AVAILABLE');

    const other = await staffMember();
    expect((await get(other.session, `/api/attachments/${pdf!.id}`)).statusCode).toBe(403);
    expect((await get(me.session, '/api/attachments/00000000-0000-4000-8000-000000000000')).statusCode).toBe(
      404,
    );
    expect((await get(me.session, '/api/attachments/not-a-uuid')).statusCode).toBe(400);
    // Refused and forbidden reads were not audited.
    expect((await eventsOf(s.id, 'attachment_read')).length).toBe(2);
  });

  it('serves only allow-listed types as themselves', () => {
    expect(downloadType('image/png')).toBe('image/png');
    expect(downloadType('IMAGE/JPEG; name=x')).toBe('image/jpeg');
    expect(downloadType('text/html')).toBe('application/octet-stream');
    expect(downloadType('image/svg+xml')).toBe('application/octet-stream');
    expect(downloadType('text/vcard')).toBe('application/octet-stream');
    expect(contentDisposition('a\r\nb/..\\c.txt')).toBe(
      `attachment; filename="a__b_.._c.txt"; filename*=UTF-8''a__b_.._c.txt`,
    );
  });
});

describe('POST /api/signals/:id/reveal-contact', () => {
  it('reveals the number for a reason, audited without it; it appears nowhere else', async () => {
    const from = personNumber();
    const s = await inbound(from, 'Please call me (fictional)');
    const me = await staffMember();
    await assignTo(s, me.id);

    const bad = await reveal(me.session, s.id, { reason: 'curiosity' });
    expect(bad.statusCode).toBe(400);
    const long = await reveal(me.session, s.id, { reason: 'callback_agreed', note: 'x'.repeat(501) });
    expect(long.statusCode).toBe(400);
    const other = await staffMember();
    expect((await reveal(other.session, s.id, { reason: 'imminent_danger' })).statusCode).toBe(403);

    const res = await reveal(me.session, s.id, {
      reason: 'callback_agreed',
      note: 'Agreed a callback at 3 pm',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(json(res)).toEqual({ address: from });

    const audits = (await auditsOf(s.id)).filter((a) => a.action === 'signal.contact_revealed');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: me.id, reason: 'callback_agreed: Agreed a callback at 3 pm' });
    expect(audits[0]!.details).toEqual({ reason: 'callback_agreed', channel: 'sms' });
    expect((await eventsOf(s.id, 'contact_revealed')).map((e) => [e.userId, e.data])).toEqual([
      [me.id, { reason: 'callback_agreed' }],
    ]);

    // Everywhere else: no number.
    const digits = from.slice(2);
    for (const url of [`/api/signals/${s.id}`, `/api/signals/${s.id}/channel`, '/api/queue']) {
      const r = await get(me.session, url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain(digits);
    }
    const boss = await staffMember('supervisor');
    const wall = await get(boss.session, '/api/wallboard');
    expect(wall.body).not.toContain(digits);
    const stored = JSON.stringify(await db.select().from(signal).where(eq(signal.id, s.id)));
    expect(stored).not.toContain(digits);
    expect(
      JSON.stringify(await db.select().from(signalEvent).where(eq(signalEvent.signalId, s.id))),
    ).not.toContain(digits);
    expect(JSON.stringify(await auditsOf(s.id))).not.toContain(digits);
    expect(logLines.join('')).not.toContain(digits);
  });

  it('supervisors may reveal any; 404 for a signal without an address', async () => {
    const from = personNumber();
    const s = await inbound(from, 'Help (fictional)');
    const boss = await staffMember('supervisor');
    const res = await reveal(boss.session, s.id, { reason: 'imminent_danger' });
    expect(json(res)).toEqual({ address: from });
    const chat = await signals.startChat({ language: 'en' });
    const none = await reveal(boss.session, chat.signal.id, { reason: 'child_at_risk' });
    expect(none.statusCode).toBe(404);
    expect(
      (await auditsOf(chat.signal.id)).filter((a) => a.action === 'signal.contact_revealed'),
    ).toHaveLength(0);
  });
});

describe('attachments through the channel view', () => {
  it('lists media that came with an SMS, the refused ones without bytes', async () => {
    const from = personNumber();
    const url = standin.addMedia(PDF, 'application/pdf');
    const s = await inbound(from, '', {
      NumMedia: '2',
      MediaUrl0: url,
      MediaContentType0: 'application/pdf',
      MediaUrl1: standin.addMedia(Buffer.from('x'), 'application/zip'),
      MediaContentType1: 'application/zip',
    });
    const boss = await staffMember('supervisor');
    const { channel } = json<{ channel: { attachments: { id: string; state: string; filename: null }[] } }>(
      await get(boss.session, `/api/signals/${s.id}/channel`),
    );
    expect(channel.attachments.map((a) => a.state).sort()).toEqual(['refused_type', 'stored']);
    const stored = channel.attachments.find((a) => a.state === 'stored')!;
    const file = await get(boss.session, `/api/attachments/${stored.id}`);
    expect(file.rawPayload).toEqual(PDF);
    expect(file.headers['content-disposition']).toMatch(/filename="attachment-1-[0-9a-f]{8}\.pdf"/);
    const rows = await db.select().from(attachment).where(eq(attachment.signalId, s.id));
    expect(rows.find((r) => r.state === 'refused_type')!.dataSealed).toBeNull();
  });
});
