import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser } from '../../../../test/helpers/factories.js';
import { auditLog, offer, signal, signalEvent, signalMessage } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import {
  createSignalsService,
  generateReference,
  queueLanguage,
  type SignalsService,
} from './signals.service.js';

let db: Db;
let signals: SignalsService;

beforeAll(async () => {
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

describe('signals: chats', () => {
  it('starts a queued chat with a random reference and a token stored only as its hash', async () => {
    const { signal: row, token } = await signals.startChat({ language: 'fr' });
    expect(row.reference).toMatch(/^HB-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(row).toMatchObject({ channel: 'chat', language: 'fr', state: 'queued', lastSeq: 0 });
    expect(row.queuedAt).toBeInstanceOf(Date);
    expect(row.visitorTokenHash).not.toBe(token);
    // The row returned by the one-statement insert is the row as stored.
    expect(row).toEqual(await signals.getSignal(row.id));
    expect((await signals.resumeChat(token))?.id).toBe(row.id);
    expect(await signals.resumeChat(`${token}x`)).toBeUndefined();
    const types = (await signals.timeline(row.id)).map((e) => e.type);
    expect(types).toEqual(['arrived', 'queued']);
  });

  it('stores a message once per client id and gives the resend the same seq', async () => {
    const { signal: row } = await signals.startChat({ language: 'en' });
    const first = await signals.appendMessage({
      signalId: row.id,
      sender: 'visitor',
      clientId: 'c-1',
      text: 'Hello (fictional)',
    });
    const again = await signals.appendMessage({
      signalId: row.id,
      sender: 'visitor',
      clientId: 'c-1',
      text: 'Hello (fictional)',
    });
    const second = await signals.appendMessage({
      signalId: row.id,
      sender: 'visitor',
      clientId: 'c-2',
      text: 'Second',
    });
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(again).toMatchObject({ seq: 1, duplicate: true });
    expect(second.seq).toBe(2);
    const rows = await db.select().from(signalMessage).where(eq(signalMessage.signalId, row.id));
    expect(rows).toHaveLength(2);
    // The same client id from the other side is another message.
    const staff = await signals.appendMessage({
      signalId: row.id,
      sender: 'staff',
      clientId: 'c-1',
      text: 'Hi',
    });
    expect(staff.seq).toBe(3);
    expect((await signals.getSignal(row.id))?.lastSeq).toBe(3);
  });

  it('gives concurrent messages (and concurrent resends of one id) distinct, gapless seqs', async () => {
    for (let round = 0; round < 3; round++) {
      const { signal: row } = await signals.startChat({ language: 'en' });
      const results = await Promise.all(
        Array.from({ length: 48 }, (_, i) =>
          signals.appendMessage({
            signalId: row.id,
            sender: 'visitor',
            clientId: `p-${i % 12}`,
            text: `m${i % 12}`,
          }),
        ),
      );
      const seqs = [...new Set(results.map((r) => r.seq))].sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(results.filter((r) => r.duplicate)).toHaveLength(36);
      // Every resend of an id got the seq its first copy was stored with.
      const rows = await db.select().from(signalMessage).where(eq(signalMessage.signalId, row.id));
      const stored = new Map(rows.map((r) => [r.clientId, r.seq]));
      results.forEach((r, i) => {
        expect(r.seq).toBe(stored.get(`p-${i % 12}`));
      });
      expect((await signals.getSignal(row.id))?.lastSeq).toBe(12);
    }
  });

  it('seals message text at rest (AES-256-GCM bound to the signal) and reads it back', async () => {
    const { signal: row } = await signals.startChat({ language: 'en' });
    const canary = 'CanaryTranscript7731 (fictional)';
    await signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: 'x', text: canary });
    // The raw column, as the database holds it, and the whole row as text.
    const raw = await db
      .select({ b: sql<string>`${signalMessage.bodySealed}::text`, all: sql<string>`signal_message::text` })
      .from(signalMessage)
      .where(eq(signalMessage.signalId, row.id));
    expect(raw[0]?.b.startsWith(`v2.${TEST_KEY.current.id}.`)).toBe(true);
    expect(raw[0]?.b).not.toContain('Canary');
    expect(raw[0]?.all).not.toContain('Canary');
    expect((await signals.visitorMessages(row.id, 0))[0]?.text).toBe(canary);
    // Moved to another signal, the ciphertext no longer opens (AAD = signal id).
    const { signal: other } = await signals.startChat({ language: 'en' });
    await db
      .update(signalMessage)
      .set({ signalId: other.id, seq: 1 })
      .where(eq(signalMessage.signalId, row.id));
    await expect(signals.visitorMessages(other.id, 0)).rejects.toThrow();
  });

  it('returns exactly the messages after a seq', async () => {
    const { signal: row } = await signals.startChat({ language: 'en' });
    for (let i = 1; i <= 5; i++)
      await signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: `r${i}`, text: `n${i}` });
    expect((await signals.visitorMessages(row.id, 3)).map((m) => m.text)).toEqual(['n4', 'n5']);
    expect(await signals.visitorMessages(row.id, 5)).toEqual([]);
  });

  it('refuses empty, too long and post-end messages, but still recognises a resend after the end', async () => {
    const { signal: row } = await signals.startChat({ language: 'en' });
    expect(
      await code(signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: 'e', text: '  ' })),
    ).toBe('MESSAGE_EMPTY');
    expect(
      await code(
        signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: 'l', text: 'x'.repeat(4001) }),
      ),
    ).toBe('MESSAGE_TOO_LONG');
    await signals.appendMessage({
      signalId: row.id,
      sender: 'visitor',
      clientId: 'ok',
      text: 'x'.repeat(4000),
    });
    await signals.endSignal(row.id, 'visitor_left');
    expect(
      await code(
        signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: 'new', text: 'late' }),
      ),
    ).toBe('SIGNAL_ENDED');
    expect(
      (await signals.appendMessage({ signalId: row.id, sender: 'visitor', clientId: 'ok', text: 'x' })).seq,
    ).toBe(1);
  });

  it('raises read marks, never lowers them nor passes the last message', async () => {
    const { signal: row } = await signals.startChat({ language: 'en' });
    await signals.appendMessage({ signalId: row.id, sender: 'staff', clientId: 'a', text: 'one' });
    await signals.appendMessage({ signalId: row.id, sender: 'staff', clientId: 'b', text: 'two' });
    expect(await signals.markRead(row.id, 'visitor', 1)).toBe(1);
    expect(await signals.markRead(row.id, 'visitor', 0)).toBe(1);
    expect(await signals.markRead(row.id, 'visitor', 99)).toBe(2);
    expect((await signals.getSignal(row.id))?.staffReadSeq).toBe(0);
  });

  it('tells waiting chats their place in their language queue, oldest first', async () => {
    // Arrival times have millisecond precision and chats arriving in the same millisecond are tied (broken by
    // id, at random): keep these three a few milliseconds apart so "oldest first" is observable.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
    const a = (await signals.startChat({ language: 'other' })).signal;
    await tick();
    const b = (await signals.startChat({ language: 'other' })).signal;
    await tick();
    const c = (await signals.startChat({ language: 'other' })).signal;
    expect(a.queuedAt?.getTime()).toBeLessThan(b.queuedAt?.getTime() ?? 0);
    expect(b.queuedAt?.getTime()).toBeLessThan(c.queuedAt?.getTime() ?? 0);
    const positions = await signals.waitingPositions([c.id, a.id, b.id]);
    const [pa, pb, pc] = [positions.get(a.id), positions.get(b.id), positions.get(c.id)];
    expect(pa).toBeGreaterThanOrEqual(1);
    expect(pb).toBeGreaterThan(pa ?? Infinity);
    expect(pc).toBeGreaterThan(pb ?? Infinity);
    await signals.endSignal(a.id, 'visitor_left');
    const after = await signals.waitingPositions([a.id, b.id]);
    expect(after.has(a.id)).toBe(false);
    expect(after.get(b.id)).toBeLessThan(pb ?? 0);
  });

  it('quick close ends the chat once, marks it, and cancels its pending offer', async () => {
    const advocate = await createUser(db, { role: 'advocate' });
    const { signal: row } = await signals.startChat({ language: 'en' });
    // A pending offer (the router of a concurrently running app may have made one already: either will do).
    await db
      .insert(offer)
      .values({ signalId: row.id, userId: advocate.id, expiresAt: new Date(Date.now() + 20_000) })
      .onConflictDoNothing();
    const ended = await signals.quickClose(row.id);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'quick_close' });
    expect(ended?.endedAt).toBeInstanceOf(Date);
    expect(await signals.quickClose(row.id)).toBeUndefined();
    const offers = await db.select().from(offer).where(eq(offer.signalId, row.id));
    expect(offers.filter((o) => o.outcome === null)).toEqual([]);
    expect(offers.some((o) => o.outcome === 'cancelled')).toBe(true);
    const types = (await signals.timeline(row.id)).map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['arrived', 'queued']);
    expect(types.slice(-3)).toEqual(['offer_cancelled', 'ended', 'quick_closed']);
  });

  it('audits a staff read of a transcript, and staff messages', async () => {
    const advocate = await createUser(db, { role: 'advocate' });
    const actor = { id: advocate.id, label: advocate.email };
    const { signal: row } = await signals.startChat({ language: 'en' });
    await signals.appendMessage({
      signalId: row.id,
      sender: 'visitor',
      clientId: 'v',
      text: 'Help (fictional)',
    });
    await signals.appendMessage({
      signalId: row.id,
      sender: 'staff',
      clientId: 's',
      text: 'Hi',
      authorUserId: advocate.id,
      actor,
    });
    const transcript = await signals.readTranscript(actor, row.id);
    expect(transcript.map((m) => [m.seq, m.sender, m.text])).toEqual([
      [1, 'visitor', 'Help (fictional)'],
      [2, 'staff', 'Hi'],
    ]);
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'signal'), eq(auditLog.targetId, row.id)));
    expect(audits.map((a) => a.action).sort()).toEqual(['signal.message', 'signal.transcript_read']);
    expect(JSON.stringify(audits)).not.toContain('Help');
    const events = await db.select().from(signalEvent).where(eq(signalEvent.signalId, row.id));
    expect(events.some((e) => e.type === 'transcript_read' && e.userId === advocate.id)).toBe(true);
  });
});

describe('signals: reports', () => {
  it('creates a queued report with contents and contact sealed, readable by staff with an audit row', async () => {
    const { id, reference } = await signals.createReport({
      situation: 'CanaryReport5521 someone is held at a farm (fictional)',
      where: 'Moncton',
      language: 'fr',
      contact: { name: 'CanaryName Test', phone: '+1 506 555 0100' },
      safeToContact: { how: 'sms', when: 'evenings', leaveMessage: false },
    });
    expect(reference).toMatch(/^HB-/);
    const [row] = await db.select().from(signal).where(eq(signal.id, id));
    expect(row).toMatchObject({ channel: 'report', state: 'queued', language: 'fr' });
    const raw = JSON.stringify(
      await db.select({ all: sql<string>`signal::text` }).from(signal).where(eq(signal.id, id)),
    );
    expect(raw).not.toContain('Canary');
    expect(raw).not.toContain('Moncton');
    const advocate = await createUser(db, { role: 'advocate' });
    const read = await signals.readReport({ id: advocate.id, label: advocate.email }, id);
    expect(read).toEqual({
      situation: 'CanaryReport5521 someone is held at a farm (fictional)',
      where: 'Moncton',
      language: 'fr',
      contact: { name: 'CanaryName Test', phone: '+1 506 555 0100' },
      safeToContact: { how: 'sms', when: 'evenings', leaveMessage: false },
    });
    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(audits.map((a) => a.action)).toEqual(['signal.report_read']);
  });

  it('an anonymous report stores no contact at all', async () => {
    const { id } = await signals.createReport({ situation: 'Anonymous (fictional)' });
    const [row] = await db.select().from(signal).where(eq(signal.id, id));
    expect(row?.contactSealed).toBeNull();
    expect(row?.language).toBe('en');
  });
});

describe('signals: helpers', () => {
  it('maps languages to queues', () => {
    expect(queueLanguage('fr-CA')).toEqual({ language: 'fr', interpreterLanguage: null });
    expect(queueLanguage('es')).toEqual({ language: 'other', interpreterLanguage: 'es' });
    expect(queueLanguage('<script>')).toEqual({ language: 'other', interpreterLanguage: null });
    expect(queueLanguage(undefined).language).toBe('en');
  });

  it('draws references from an unambiguous alphabet', () => {
    const refs = new Set(Array.from({ length: 500 }, generateReference));
    expect(refs.size).toBe(500);
    for (const r of refs) expect(r).not.toMatch(/[01IO]/);
  });
});
