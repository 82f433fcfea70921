import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { channelDelivery, channelReceipt, signal, signalEvent, signalMessage } from '../../db/schema.js';
import { keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { contactHash, normalizeAddress, openAddress, repeatContacts } from '../channels/contact.js';
import { claimReceipt } from '../channels/twilio.js';
import { createSignalsService, MAX_EMAIL_CHARS, type SignalsService } from './signals.service.js';

/** The signal store's channel side (docs/api/channels.md): arrivals, the menu state, the outbox rows, the window. */

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
const number = () => `+1555010${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

describe('contact identity', () => {
  it('normalises numbers and addresses, and refuses what is not one', () => {
    expect(normalizeAddress('sms', '+1 (555) 010-0123')).toBe('+15550100123');
    expect(normalizeAddress('whatsapp', 'whatsapp:+15550100123')).toBe('+15550100123');
    expect(normalizeAddress('phone', '5550100123')).toBe('+15550100123');
    expect(normalizeAddress('phone', 'anonymous')).toBeUndefined();
    expect(normalizeAddress('phone', '+266696687')).toBe('+266696687');
    expect(normalizeAddress('phone', '')).toBeUndefined();
    expect(normalizeAddress('email', ' Test.Person@Example.ORG ')).toBe('test.person@example.org');
    expect(normalizeAddress('email', 'not an address')).toBeUndefined();
  });

  it('hashes with a key derived from the encryption key: stable, keyed, not the plain SHA-256', () => {
    const a = contactHash(TEST_KEY, '+15550100123');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(contactHash(TEST_KEY, '+15550100123')).toBe(a);
    expect(contactHash(keyring(Buffer.alloc(32, 1)), '+15550100123')).not.toBe(a);
    expect(contactHash(TEST_KEY, '+15550100124')).not.toBe(a);
  });
});

describe('signals: arrivals on other channels', () => {
  it('an SMS arrives queued with its first message, sealed address, hash and hotline number, in one transaction', async () => {
    const from = number();
    const hash = contactHash(TEST_KEY, from);
    const row = await signals.arrive({
      channel: 'sms',
      language: 'fr',
      state: 'queued',
      contactHash: hash,
      address: from,
      hotlineAddress: '+15550100002',
      campaign: 'campagne-test',
      firstMessage: { clientId: 'SMtest-first', text: 'Bonjour, message de test (fictif)' },
      within: async (tx, s) => {
        expect(await claimReceipt(tx, 'twilio', `sms:test:${s.id}`, s.id)).toBe(true);
      },
    });
    expect(row).toMatchObject({
      channel: 'sms',
      state: 'queued',
      lastSeq: 1,
      hotlineAddress: '+15550100002',
    });
    expect(row.queuedAt).toBeInstanceOf(Date);
    expect(row.addressSealed).not.toContain(from.slice(1));
    expect(openAddress(TEST_KEY, row.id, row.addressSealed!)).toBe(from);
    const messages = await signals.visitorMessages(row.id, 0);
    expect(messages.map((m) => [m.seq, m.sender, m.text])).toEqual([
      [1, 'visitor', 'Bonjour, message de test (fictif)'],
    ]);
    const events = await db.select().from(signalEvent).where(eq(signalEvent.signalId, row.id));
    expect(events.map((e) => e.type).sort()).toEqual(['arrived', 'queued']);
    expect(JSON.stringify(events)).not.toContain(from);
    const receipts = await db.select().from(channelReceipt).where(eq(channelReceipt.signalId, row.id));
    expect(receipts).toHaveLength(1);
  });

  it('nothing is kept when the work done within the arrival fails (all or nothing)', async () => {
    const hash = contactHash(TEST_KEY, number());
    await expect(
      signals.arrive({
        channel: 'sms',
        language: 'en',
        state: 'queued',
        contactHash: hash,
        firstMessage: { clientId: 'SMtest-fails', text: 'Test' },
        within: async () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    expect(await db.select().from(signal).where(eq(signal.contactHash, hash))).toHaveLength(0);
  });

  it('a call waits in the menu (ivr: not routable) until enqueue; enqueue is a no-op after that', async () => {
    const row = await signals.arrive({ channel: 'phone', language: 'en', state: 'ivr' });
    expect(row.state).toBe('ivr');
    expect(row.queuedAt).toBeNull();
    const queued = await signals.enqueue(row.id, { language: 'other', interpreterLanguage: 'ti' });
    expect(queued).toMatchObject({ state: 'queued', language: 'other', interpreterLanguage: 'ti' });
    expect(queued!.queuedAt).toBeInstanceOf(Date);
    expect(await signals.enqueue(row.id, { language: 'en' })).toBeUndefined();
  });

  it('repeat contacts are counted by hash across channels, never by the number itself', async () => {
    const from = number();
    const hash = contactHash(TEST_KEY, from);
    const first = await signals.arrive({ channel: 'phone', language: 'en', state: 'ivr', contactHash: hash });
    const second = await signals.arrive({
      channel: 'sms',
      language: 'en',
      state: 'queued',
      contactHash: hash,
    });
    expect(await repeatContacts(db, hash, second.id)).toMatchObject({ count: 1 });
    expect((await repeatContacts(db, hash, first.id)).count).toBe(1);
    expect(await repeatContacts(db, null, first.id)).toEqual({ count: 0, lastAt: null });
  });

  it('an e-mail body may be longer than a chat message, up to its own limit', async () => {
    const row = await signals.arrive({
      channel: 'email',
      language: 'en',
      state: 'queued',
      firstMessage: { clientId: 'mail-1', text: 'x'.repeat(10_000), maxChars: MAX_EMAIL_CHARS },
    });
    expect(row.lastSeq).toBe(1);
    expect(
      await code(
        signals.appendMessage({
          signalId: row.id,
          sender: 'visitor',
          clientId: 'mail-2',
          text: 'y'.repeat(5000),
        }),
      ),
    ).toBe('MESSAGE_TOO_LONG');
    expect(
      (
        await signals.appendMessage({
          signalId: row.id,
          sender: 'visitor',
          clientId: 'mail-2',
          text: 'y'.repeat(5000),
          maxChars: MAX_EMAIL_CHARS,
        })
      ).seq,
    ).toBe(2);
  });
});

describe('signals: outgoing messages on other channels', () => {
  it('a staff or system message on sms/email commits its outbox row; a visitor message and a chat do not', async () => {
    const sms = await signals.arrive({ channel: 'sms', language: 'en', state: 'queued' });
    const staff = await signals.appendMessage({
      signalId: sms.id,
      sender: 'staff',
      clientId: 'c-1',
      text: 'Reply',
    });
    const system = await signals.appendMessage({
      signalId: sms.id,
      sender: 'system',
      clientId: 'ack',
      text: 'Ack',
    });
    await signals.appendMessage({ signalId: sms.id, sender: 'visitor', clientId: 'SM-in', text: 'Hi' });
    // A resend of the same client id adds no second delivery.
    await signals.appendMessage({ signalId: sms.id, sender: 'staff', clientId: 'c-1', text: 'Reply' });
    const rows = await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, sms.id));
    expect(rows.map((r) => [r.seq, r.status]).sort()).toEqual([
      [staff.seq, 'pending'],
      [system.seq, 'pending'],
    ]);
    const { signal: chat } = await signals.startChat({ language: 'en' });
    await signals.appendMessage({ signalId: chat.id, sender: 'staff', clientId: 'c-1', text: 'Hello' });
    expect(await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, chat.id))).toHaveLength(
      0,
    );
  });

  it("appendMessage runs the caller's writes in the message's transaction: a failure keeps neither; a resend skips them", async () => {
    const sms = await signals.arrive({ channel: 'sms', language: 'en', state: 'queued' });
    await expect(
      signals.appendMessage({
        signalId: sms.id,
        sender: 'visitor',
        clientId: 'SM-atomic',
        text: 'Hello (fictional)',
        within: async (tx, seq) => {
          expect(seq).toBe(1);
          await claimReceipt(tx, 'twilio', `sms:atomic:${sms.id}`, sms.id);
          throw new Error('attachment store failed');
        },
      }),
    ).rejects.toThrow('attachment store failed');
    expect(await db.select().from(signalMessage).where(eq(signalMessage.signalId, sms.id))).toHaveLength(0);
    expect(await db.select().from(channelReceipt).where(eq(channelReceipt.signalId, sms.id))).toHaveLength(0);
    let calls = 0;
    const within = async () => {
      calls++;
    };
    await signals.appendMessage({
      signalId: sms.id,
      sender: 'visitor',
      clientId: 'SM-atomic',
      text: 'Hi',
      within,
    });
    const again = await signals.appendMessage({
      signalId: sms.id,
      sender: 'visitor',
      clientId: 'SM-atomic',
      text: 'Hi',
      within,
    });
    expect(again).toMatchObject({ seq: 1, duplicate: true });
    expect(calls).toBe(1);
  });

  it('WhatsApp: a staff reply after the 24-hour window is refused (409) and nothing is stored', async () => {
    const open = await signals.arrive({
      channel: 'whatsapp',
      language: 'en',
      state: 'queued',
      windowEndsAt: new Date(Date.now() + 60_000),
    });
    expect(
      (await signals.appendMessage({ signalId: open.id, sender: 'staff', clientId: 'w-1', text: 'Hi' })).seq,
    ).toBe(1);
    const closed = await signals.arrive({
      channel: 'whatsapp',
      language: 'en',
      state: 'queued',
      windowEndsAt: new Date(Date.now() - 1000),
    });
    expect(
      await code(
        signals.appendMessage({ signalId: closed.id, sender: 'staff', clientId: 'w-1', text: 'Hi' }),
      ),
    ).toBe('WHATSAPP_WINDOW_CLOSED');
    const never = await signals.arrive({ channel: 'whatsapp', language: 'en', state: 'queued' });
    expect(
      await code(signals.appendMessage({ signalId: never.id, sender: 'staff', clientId: 'w-1', text: 'Hi' })),
    ).toBe('WHATSAPP_WINDOW_CLOSED');
    const stored = await db
      .select()
      .from(signalMessage)
      .where(and(eq(signalMessage.signalId, closed.id)));
    expect(stored).toHaveLength(0);
    expect(
      await db.select().from(channelDelivery).where(eq(channelDelivery.signalId, closed.id)),
    ).toHaveLength(0);
    // The person writing again is always stored.
    expect(
      (
        await signals.appendMessage({
          signalId: closed.id,
          sender: 'visitor',
          clientId: 'SM-w',
          text: 'Hello',
        })
      ).seq,
    ).toBe(1);
  });
});
