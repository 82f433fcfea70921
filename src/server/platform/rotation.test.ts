import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase, onPostgres } from '../../../test/helpers/db.js';
import { withoutIds } from '../../../test/helpers/privacy.js';
import {
  attachment,
  auditLog,
  caseAccessGrant,
  caseFile,
  caseNote,
  casePerson,
  casePlaceEvent,
  caseTask,
  emailMessage,
  escalation,
  organization,
  referral,
  screening,
  signal,
  signalMessage,
  users,
  voiceEndpoint,
} from '../db/schema.js';
import { openText } from '../modules/cases/referrals.repository.js';
import { openSafetyPlan } from '../modules/cases/safety.js';
import { openAttachmentBytes, openAttachmentName, storeAttachment } from '../modules/channels/attachments.js';
import { contactHash, openAddress, repeatContacts, sealAddress } from '../modules/channels/contact.js';
import { decrypt, encrypt, type Keyring, keyring } from './crypto.js';
import type { Database, Db } from './db.js';
import { keyStatus, RotationError, rotateKeys, SEALED_COLUMNS, SEALED_TABLES, V1_LABEL } from './rotation.js';

const A = keyring(randomBytes(32));
const B_KEY = randomBytes(32);
const B = keyring(B_KEY);
/** The ring during a rotation: B seals, A still opens. */
const BA = keyring(B_KEY, [A.current.key]);
const C_KEY = randomBytes(32);
const actor = { id: null, label: 'cli' };

/** A value in the format written before key ids existed (`v1.<nonce>.<tag>.<data>`). */
function sealV1(key: Buffer, text: string, aad: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(text), c.final()]);
  return ['v1', nonce, c.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

let seq = 0;
const reference = (p: 'HB' | 'HC') => {
  seq++;
  return `${p}-T${String(seq).padStart(3, '0')}-${randomUUID().slice(0, 4).toUpperCase()}`;
};

const ADDRESS = '+15550100123';

/** One row in every table that has a sealed column, everything sealed under `ring`, as the services seal it. */
async function seedEverything(db: Db, ring: Keyring) {
  const userId = randomUUID();
  await db.insert(users).values({
    id: userId,
    email: `rot.${userId.slice(0, 8)}@test.harbour.example`,
    displayName: 'Test Rotation (fictional)',
    role: 'advocate',
    totpEnabled: true,
    totpSecretEnc: encrypt(ring, Buffer.from('totp-key-fictional-0'), `totp:${userId}`),
  });
  await db.insert(voiceEndpoint).values({
    userId,
    mode: 'forward',
    forwardNumberSealed: encrypt(ring, '+15550100199', userId),
  });
  const signals: string[] = [];
  for (let i = 0; i < 2; i++) {
    const id = randomUUID();
    signals.push(id);
    await db.insert(signal).values({
      id,
      reference: reference('HB'),
      channel: 'sms',
      language: 'en',
      state: 'ended',
      contactHash: contactHash(ring, ADDRESS),
      addressSealed: sealAddress(ring, id, ADDRESS),
      reportSealed: encrypt(ring, JSON.stringify({ situation: 'Test situation (fictional)' }), id),
      contactSealed: encrypt(ring, JSON.stringify({ contact: 'test@person.example' }), id),
    });
    await db.insert(signalMessage).values({
      signalId: id,
      seq: 1,
      sender: 'visitor',
      clientId: `c-${id}`,
      bodySealed: encrypt(ring, `Test message ${i} (fictional)`, id),
    });
  }
  const [s0, s1] = signals as [string, string];
  const att = await storeAttachment(db, ring, {
    signalId: s0,
    seq: 1,
    contentType: 'image/png',
    filename: 'test-photo-fictional.png',
    bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
  });
  await db.insert(emailMessage).values({
    signalId: s1,
    messageId: `${randomUUID()}@test.harbour.example`,
    direction: 'in',
    subjectSealed: encrypt(ring, 'Test subject (fictional)', s1),
  });
  await db.insert(screening).values({
    signalId: s0,
    safety: 'safe_now',
    safetyPlanSealed: encrypt(ring, JSON.stringify({ code_word: 'Test word (fictional)' }), s0),
  });
  const caseId = randomUUID();
  await db.insert(caseFile).values({
    id: caseId,
    reference: reference('HC'),
    titleSealed: encrypt(ring, 'Test case title (fictional)', caseId),
    protocolWaiverSealed: sealV1(A.current.key, 'Test waiver v1 (fictional)', caseId),
  });
  const personId = randomUUID();
  await db.insert(casePerson).values({
    id: personId,
    caseId,
    role: 'potential_victim',
    identitySealed: encrypt(ring, JSON.stringify({ name: 'Test Person (fictional)' }), personId),
  });
  const placeId = randomUUID();
  await db.insert(casePlaceEvent).values({
    id: placeId,
    caseId,
    type: 'exploitation',
    descriptionSealed: encrypt(ring, 'Test place (fictional)', placeId),
  });
  const noteId = randomUUID();
  await db
    .insert(caseNote)
    .values({ id: noteId, caseId, bodySealed: encrypt(ring, 'Test note (fictional)', noteId) });
  const taskId = randomUUID();
  await db.insert(caseTask).values({
    id: taskId,
    caseId,
    kind: 'task',
    dueAt: new Date(),
    titleSealed: encrypt(ring, 'Test task (fictional)', taskId),
  });
  const [org] = await db
    .insert(organization)
    .values({ name: `Test Org ${randomUUID().slice(0, 6)} (fictional)` })
    .returning({ id: organization.id });
  const referralId = randomUUID();
  await db.insert(referral).values({
    id: referralId,
    caseId,
    need: 'shelter_housing',
    organizationId: org!.id,
    consentSealed: encrypt(ring, JSON.stringify({ agreed: 'Test consent (fictional)' }), referralId),
    sharedSealed: encrypt(ring, JSON.stringify({ name: 'Test Person (fictional)' }), referralId),
    overrideReasonSealed: encrypt(ring, 'Test override (fictional)', referralId),
    outcomeNoteSealed: encrypt(ring, 'Test outcome (fictional)', referralId),
  });
  const escalationId = randomUUID();
  await db.insert(escalation).values({
    id: escalationId,
    caseId,
    kind: 'law_enforcement',
    protocolSnapshot: { version: 1, steps: [] },
    overrideNoteSealed: encrypt(ring, 'Test escalation override (fictional)', escalationId),
    outcomeNoteSealed: encrypt(ring, 'Test escalation outcome (fictional)', escalationId),
  });
  const grantId = randomUUID();
  await db.insert(caseAccessGrant).values({
    id: grantId,
    caseId,
    userId,
    reason: 'supervision',
    expiresAt: new Date(Date.now() + 3600_000),
    noteSealed: encrypt(ring, 'Test grant note (fictional)', grantId),
  });
  return { userId, signals, attachmentId: att.id, caseId, referralId };
}

/** Every catalogued value, opened with `ring` alone using the catalogue's AAD rule. */
async function openAll(db: Db, ring: Keyring): Promise<Map<string, string>> {
  const opened = new Map<string, string>();
  for (const t of SEALED_TABLES) {
    const cols = [...new Set([t.key, ...t.aadFrom, ...t.columns])].map((c) => sql.identifier(c));
    const res = (await db.execute(
      sql`select ${sql.join(cols, sql`, `)} from ${sql.identifier(t.table)}`,
    )) as unknown as {
      rows: Record<string, string | null>[];
    };
    for (const row of res.rows) {
      for (const c of t.columns) {
        const v = row[c];
        if (!v) continue;
        opened.set(
          `${t.table}.${c}:${row[t.key]}`,
          decrypt(ring, v, t.aad(row as Record<string, string>)).toString('base64'),
        );
      }
    }
  }
  return opened;
}

describe('key rotation (harbour keys rotate / status)', { timeout: 120_000 }, () => {
  let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
  let database: Database;
  let db: Db;
  let seeded: Awaited<ReturnType<typeof seedEverything>>;
  let before: Map<string, string>;

  beforeAll(async () => {
    iso = await isolatedDatabase();
    database = iso.database;
    db = database.db;
  });
  afterAll(async () => {
    await iso?.drop();
  });

  it('the catalogue names every *_sealed / *_enc column of the database, and its key and AAD columns exist', async () => {
    const res = (await db.execute(
      sql`select table_name, column_name from information_schema.columns
          where table_schema = current_schema() and (column_name like '%\\_sealed' or column_name like '%\\_enc')`,
    )) as unknown as { rows: { table_name: string; column_name: string }[] };
    const inDb = res.rows.map((r) => `${r.table_name}.${r.column_name}`).sort();
    expect(inDb.length).toBeGreaterThan(20);
    expect([...SEALED_COLUMNS].sort()).toEqual(inDb);
    const all = (await db.execute(
      sql`select table_name, column_name from information_schema.columns where table_schema = current_schema()`,
    )) as unknown as { rows: { table_name: string; column_name: string }[] };
    const exists = new Set(all.rows.map((r) => `${r.table_name}.${r.column_name}`));
    for (const t of SEALED_TABLES)
      for (const c of [t.key, ...t.aadFrom]) expect(exists).toContain(`${t.table}.${c}`);
  });

  it('status counts values per key id, v1 values apart', async () => {
    seeded = await seedEverything(db, A);
    before = await openAll(db, A);
    expect(before.size).toBe(SEALED_COLUMNS.length + 4); // 2 signals (3 columns + 1 message each), 1 of the rest
    const status = await keyStatus(db);
    expect(status.map((s) => `${s.table}.${s.column}`)).toEqual(SEALED_COLUMNS);
    const waiver = status.find((s) => s.column === 'protocol_waiver_sealed')!;
    expect(waiver.counts).toEqual({ [V1_LABEL]: 1 });
    const body = status.find((s) => s.table === 'signal_message')!;
    expect(body.counts).toEqual({ [A.current.id]: 2 });
  });

  it('refuses to start when values are under a key the ring does not hold, and changes nothing', async () => {
    const other = keyring(randomBytes(32));
    await expect(rotateKeys(db, other, { actor })).rejects.toBeInstanceOf(RotationError);
    expect((await keyStatus(db)).find((s) => s.table === 'signal_message')!.counts).toEqual({
      [A.current.id]: 2,
    });
  });

  it('re-encrypts everything under the new key: it opens with the new key alone, with the services’ own openers', async () => {
    const progress: string[] = [];
    const r = await rotateKeys(db, BA, { actor, batch: 500, onProgress: (p) => progress.push(p.table) });
    expect(r.values).toBe(before.size);
    expect(r.failed).toBe(0);
    expect(r.remaining).toBe(0);
    expect(r.contactHashes).toBe(2);
    expect(progress).toContain('signal_message');

    // Every value under B, nothing under A or v1.
    for (const s of await keyStatus(db)) {
      for (const label of Object.keys(s.counts)) expect(label, `${s.table}.${s.column}`).toBe(B.current.id);
    }
    // Same plaintexts, opened with B only.
    const after = await openAll(db, B);
    expect(after).toEqual(before);
    await expect(openAll(db, A)).rejects.toThrow();

    // The services' openers (their own AAD rules) agree with the catalogue.
    const [s0, s1] = seeded.signals as [string, string];
    const [sig] = await db.select().from(signal).where(eq(signal.id, s0));
    expect(openAddress(B, s0, sig!.addressSealed!)).toBe(ADDRESS);
    const [att] = await db.select().from(attachment).where(eq(attachment.id, seeded.attachmentId));
    expect(openAttachmentBytes(B, att!)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    expect(openAttachmentName(B, att!)).toBe('test-photo-fictional.png');
    const [scr] = await db.select().from(screening).where(eq(screening.signalId, s0));
    expect(openSafetyPlan(B, scr!.safetyPlanSealed, s0)).toEqual({ code_word: 'Test word (fictional)' });
    const [ref] = await db.select().from(referral).where(eq(referral.id, seeded.referralId));
    expect(openText(B, ref!.outcomeNoteSealed, ref!.id)).toBe('Test outcome (fictional)');
    const [cf] = await db.select().from(caseFile).where(eq(caseFile.id, seeded.caseId));
    expect(decrypt(B, cf!.protocolWaiverSealed!, cf!.id).toString()).toBe('Test waiver v1 (fictional)');
    const [u] = await db.select().from(users).where(eq(users.id, seeded.userId));
    expect(decrypt(B, u!.totpSecretEnc!, `totp:${u!.id}`).toString()).toBe('totp-key-fictional-0');

    // Contact hashes re-keyed: repeat contacts still match under the new key alone.
    const hashes = await db
      .select({ h: signal.contactHash })
      .from(signal)
      .where(sql`${signal.id} in (${s0}, ${s1})`);
    expect(hashes.map((h) => h.h)).toEqual([contactHash(B, ADDRESS), contactHash(B, ADDRESS)]);
    expect((await repeatContacts(db, contactHash(B, ADDRESS), s1)).count).toBe(1);
    expect((await repeatContacts(db, contactHash(A, ADDRESS), s1)).count).toBe(0);

    const [audit] = await db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'keys.rotate'))
      .orderBy(sql`${auditLog.seq} desc`)
      .limit(1);
    expect(audit).toMatchObject({ actorLabel: 'cli', targetType: 'keyring', targetId: B.current.id });
    expect(audit!.details).toMatchObject({ values: before.size, contact_hashes: 2, failed: 0, remaining: 0 });
    expect(withoutIds(JSON.stringify(audit!.details))).not.toMatch(/fictional|555/);
  });

  it('a second run changes nothing (same ciphertexts) and still records the run', async () => {
    const snapshot = await db
      .select({ id: signalMessage.id, b: signalMessage.bodySealed })
      .from(signalMessage);
    const r = await rotateKeys(db, BA, { actor });
    expect(r).toMatchObject({ values: 0, failed: 0, remaining: 0, contactHashes: 0 });
    const again = await db.select({ id: signalMessage.id, b: signalMessage.bodySealed }).from(signalMessage);
    expect(again).toEqual(snapshot);
    const n = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(eq(auditLog.action, 'keys.rotate'));
    expect(n[0]!.n).toBe(2);
  });

  it('rotates in batches while others write: nothing written meanwhile is lost', async () => {
    // Key C replaces B; 1,200 messages under B, rotated 100 rows per transaction.
    const CB = keyring(C_KEY, [B_KEY]);
    const C = keyring(C_KEY);
    const sid = seeded.signals[0]!;
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      signalId: sid,
      seq: 100 + i,
      sender: 'visitor' as const,
      clientId: `bulk-${i}`,
      bodySealed: encrypt(B, `Bulk test message ${i} (fictional)`, sid),
    }));
    for (let i = 0; i < rows.length; i += 400) await db.insert(signalMessage).values(rows.slice(i, i + 400));

    let batches = 0;
    const rotating = rotateKeys(db, CB, { actor, batch: 100, onProgress: () => batches++ });
    // A restarted process writes under C while the rotation runs: new messages and a changed case title.
    const writes = (async () => {
      for (let i = 0; i < 30; i++) {
        await db.insert(signalMessage).values({
          signalId: sid,
          seq: 5000 + i,
          sender: 'staff',
          clientId: `live-${i}`,
          bodySealed: encrypt(CB, `Live test message ${i} (fictional)`, sid),
        });
        if (i === 10) {
          await db
            .update(caseFile)
            .set({ titleSealed: encrypt(CB, 'Changed title (fictional)', seeded.caseId) })
            .where(eq(caseFile.id, seeded.caseId));
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const [r] = await Promise.all([rotating, writes]);
    expect(batches).toBeGreaterThan(5);
    expect(r.failed).toBe(0);
    expect(r.remaining).toBe(0);

    const msgs = await db
      .select({ seq: signalMessage.seq, b: signalMessage.bodySealed })
      .from(signalMessage)
      .where(eq(signalMessage.signalId, sid));
    expect(msgs.length).toBe(1 + 1200 + 30);
    for (const m of msgs) {
      const text = decrypt(C, m.b, sid).toString();
      if (m.seq >= 5000) expect(text).toBe(`Live test message ${m.seq - 5000} (fictional)`);
      else if (m.seq >= 100) expect(text).toBe(`Bulk test message ${m.seq - 100} (fictional)`);
    }
    const [cf] = await db.select().from(caseFile).where(eq(caseFile.id, seeded.caseId));
    expect(decrypt(C, cf!.titleSealed!, seeded.caseId).toString()).toBe('Changed title (fictional)');
    for (const s of await keyStatus(db))
      for (const label of Object.keys(s.counts)) expect(label, `${s.table}.${s.column}`).toBe(C.current.id);
  });

  it('a row locked by another transaction is skipped, then picked up when it is released', async () => {
    if (!onPostgres()) return; // PGlite has one connection: no second transaction to hold a row lock
    const E_KEY = randomBytes(32);
    const E = keyring(E_KEY, [C_KEY]);
    const [locked] = await db
      .select({ id: signalMessage.id })
      .from(signalMessage)
      .where(eq(signalMessage.signalId, seeded.signals[0]!))
      .limit(1);
    const other = await database.pool!.connect();
    let released = false;
    try {
      await other.query('begin');
      await other.query('select id from signal_message where id = $1 for update', [locked!.id]);
      const rotating = rotateKeys(db, E, { actor, batch: 500 });
      // Everything but the locked row gets rotated while the lock is held (a plain `for update` would wait).
      let underE = 0;
      for (let i = 0; i < 100 && underE < 2 + 1200 + 30 - 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        underE = (await keyStatus(db)).find((s) => s.table === 'signal_message')!.counts[E.current.id] ?? 0;
      }
      expect(underE).toBe(2 + 1200 + 30 - 1);
      await other.query('commit');
      released = true;
      const r = await rotating;
      expect(r).toMatchObject({ failed: 0, remaining: 0 });
    } finally {
      if (!released) await other.query('rollback');
      other.release();
    }
    const body = (await keyStatus(db)).find((s) => s.table === 'signal_message')!;
    expect(body.counts).toEqual({ [E.current.id]: 2 + 1200 + 30 });
    // Back under C for the next test.
    await rotateKeys(db, keyring(C_KEY, [E_KEY]), { actor });
  });

  it('a value no key opens (altered) is counted as failed, left alone, and does not stop the run', async () => {
    const sid = seeded.signals[1]!;
    // Sealed under A (still in the ring) but with the AAD of another signal: it cannot be opened.
    await db.insert(signalMessage).values({
      signalId: sid,
      seq: 900,
      sender: 'visitor',
      clientId: 'tampered',
      bodySealed: encrypt(A, 'Moved test message (fictional)', seeded.signals[0]!),
    });
    const D = keyring(randomBytes(32), [C_KEY, A.current.key]);
    const r = await rotateKeys(db, D, { actor, batch: 200 });
    expect(r.failed).toBe(1);
    expect(r.remaining).toBe(1);
    expect(r.values).toBe(before.size + 1200 + 30);
    const body = (await keyStatus(db)).find((s) => s.table === 'signal_message')!;
    expect(body.counts).toEqual({ [D.current.id]: 2 + 1200 + 30, [A.current.id]: 1 });
  });
});
