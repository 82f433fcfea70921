import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase, onPostgres } from '../../../../test/helpers/db.js';
import { withoutIds } from '../../../../test/helpers/privacy.js';
import {
  attachment,
  auditLog,
  caseAccessGrant,
  caseEvent,
  caseFile,
  caseNote,
  casePerson,
  casePlaceEvent,
  caseSignal,
  caseTask,
  emailMessage,
  escalation,
  organization,
  referral,
  screening,
  signal,
  signalMessage,
  users,
} from '../../db/schema.js';
import { decrypt, encrypt, keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { SEALED_TABLES } from '../../platform/rotation.js';
import { storeAttachment } from '../channels/attachments.js';
import { contactHash, sealAddress } from '../channels/contact.js';
import { createRetentionJob, RETENTION_LOCK, runRetention } from './retention.js';

const RING = keyring(randomBytes(32));
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const actor = { id: null, label: 'system' };
let n = 0;
const ref = (p: 'HB' | 'HC') =>
  `${p}-R${String(++n).padStart(3, '0')}-${randomUUID().slice(0, 4).toUpperCase()}`;

/** A case with every kind of sealed part and one signal with everything a signal can carry. */
async function makeCase(
  db: Db,
  orgId: string,
  userId: string,
  opts: { closedDaysAgo?: number; mergedIntoId?: string; redacted?: boolean } = {},
) {
  const caseId = randomUUID();
  const closed = opts.closedDaysAgo !== undefined;
  await db.insert(caseFile).values({
    id: caseId,
    reference: ref('HC'),
    status: closed ? 'closed' : 'active',
    closedAt: closed ? ago(opts.closedDaysAgo as number) : null,
    closeReason: closed ? 'services_in_place' : null,
    region: 'ON',
    keywords: ['nail salon'],
    involvesMinor: true,
    mergedIntoId: opts.mergedIntoId ?? null,
    titleSealed: encrypt(RING, 'Test case title (fictional)', caseId),
    protocolWaiverSealed: encrypt(RING, 'Test waiver (fictional)', caseId),
    createdAt: ago(2000),
    redactedAt: opts.redacted ? ago(1) : null,
  });
  const personId = randomUUID();
  await db.insert(casePerson).values({
    id: personId,
    caseId,
    role: 'potential_victim',
    age: 16,
    ageBand: '12_17',
    isMinor: true,
    identitySealed: encrypt(RING, JSON.stringify({ name: 'Test Person (fictional)' }), personId),
  });
  const placeId = randomUUID();
  await db.insert(casePlaceEvent).values({
    id: placeId,
    caseId,
    type: 'exploitation',
    region: 'ON',
    city: 'Toronto',
    descriptionSealed: encrypt(RING, 'Test place (fictional)', placeId),
  });
  const noteId = randomUUID();
  await db
    .insert(caseNote)
    .values({ id: noteId, caseId, bodySealed: encrypt(RING, 'Test note (fictional)', noteId) });
  const taskId = randomUUID();
  await db.insert(caseTask).values({
    id: taskId,
    caseId,
    kind: 'call_back',
    dueAt: ago(500),
    titleSealed: encrypt(RING, 'Test task (fictional)', taskId),
  });
  const referralId = randomUUID();
  await db.insert(referral).values({
    id: referralId,
    caseId,
    need: 'shelter_housing',
    organizationId: orgId,
    status: 'accepted',
    sharedFields: ['name'],
    consentSealed: encrypt(RING, '{"agreed":"Test consent (fictional)"}', referralId),
    sharedSealed: encrypt(RING, '{"name":"Test Person (fictional)"}', referralId),
    outcomeNoteSealed: encrypt(RING, 'Test outcome (fictional)', referralId),
  });
  const escalationId = randomUUID();
  await db.insert(escalation).values({
    id: escalationId,
    caseId,
    kind: 'child_protection',
    status: 'completed',
    protocolSnapshot: { version: 1, steps: [] },
    overrideReason: 'minor',
    overrideNoteSealed: encrypt(RING, 'Test override note (fictional)', escalationId),
  });
  const grantId = randomUUID();
  await db.insert(caseAccessGrant).values({
    id: grantId,
    caseId,
    userId,
    reason: 'supervision',
    expiresAt: ago(600),
    noteSealed: encrypt(RING, 'Test grant note (fictional)', grantId),
  });
  const signalId = randomUUID();
  const address = `+1555010${String(n % 100).padStart(4, '0')}`;
  await db.insert(signal).values({
    id: signalId,
    reference: ref('HB'),
    channel: 'sms',
    language: 'en',
    state: 'ended',
    region: 'ON',
    callerType: 'victim',
    arrivedAt: ago(1900),
    contactHash: contactHash(RING, address),
    addressSealed: sealAddress(RING, signalId, address),
    reportSealed: encrypt(RING, '{"situation":"Test situation (fictional)"}', signalId),
    contactSealed: encrypt(RING, '{"contact":"test@person.example"}', signalId),
  });
  await db.insert(caseSignal).values({ signalId, caseId });
  await db.insert(signalMessage).values(
    [1, 2].map((seq) => ({
      signalId,
      seq,
      sender: 'visitor' as const,
      clientId: `m${seq}`,
      bodySealed: encrypt(RING, `Test message ${seq} (fictional)`, signalId),
    })),
  );
  await storeAttachment(db, RING, {
    signalId,
    seq: 1,
    contentType: 'image/png',
    filename: 'test-fictional.png',
    bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 9]),
  });
  await db.insert(emailMessage).values({
    signalId,
    messageId: `${randomUUID()}@test.harbour.example`,
    direction: 'in',
    subjectSealed: encrypt(RING, 'Test subject (fictional)', signalId),
  });
  await db.insert(screening).values({
    signalId,
    safety: 'unsafe',
    classification: 'trafficking',
    needs: ['shelter_housing'],
    safetyPlanSealed: encrypt(RING, '{"code_word":"Test word (fictional)"}', signalId),
  });
  return { caseId, signalId, address };
}

/** Every sealed value in the database (table.column:key → value), to compare before / after. */
async function sealedSnapshot(db: Db): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const t of SEALED_TABLES) {
    const cols = [...new Set([t.key, ...t.columns])].map((c) => sql.identifier(c));
    const res = (await db.execute(
      sql`select ${sql.join(cols, sql`, `)} from ${sql.identifier(t.table)}`,
    )) as unknown as { rows: Record<string, string | null>[] };
    for (const r of res.rows) for (const c of t.columns) out.set(`${t.table}.${c}:${r[t.key]}`, r[c] ?? null);
  }
  return out;
}

const FULL_COUNTS = {
  case_fields: 2,
  people: 1,
  places: 1,
  notes: 1,
  tasks: 1,
  referrals: 1,
  escalations: 1,
  access_grants: 1,
  signals: 1,
  messages: 2,
  reports: 1,
  addresses: 1,
  email_subjects: 1,
  attachments: 1,
  safety_plans: 1,
};

describe('retention: redaction of closed cases', { timeout: 120_000 }, () => {
  let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
  let db: Db;
  const c: Record<string, Awaited<ReturnType<typeof makeCase>>> = {};

  beforeAll(async () => {
    iso = await isolatedDatabase();
    db = iso.database.db;
    const [org] = await db
      .insert(organization)
      .values({ name: 'Test Retention Org (fictional)' })
      .returning({ id: organization.id });
    const userId = randomUUID();
    await db.insert(users).values({
      id: userId,
      email: `ret.${userId.slice(0, 8)}@test.harbour.example`,
      displayName: 'Test Retention (fictional)',
      role: 'supervisor',
    });
    const mk = (opts: Parameters<typeof makeCase>[3]) => makeCase(db, org!.id, userId, opts);
    c.old = await mk({ closedDaysAgo: 400 });
    c.recent = await mk({ closedDaysAgo: 300 });
    c.open = await mk({});
    c.openTarget = await mk({});
    c.mergedIntoOpen = await mk({ closedDaysAgo: 800, mergedIntoId: c.openTarget.caseId });
    c.oldTarget = await mk({ closedDaysAgo: 380 });
    c.mergedIntoOld = await mk({ closedDaysAgo: 900, mergedIntoId: c.oldTarget.caseId });
    c.recentTarget = await mk({ closedDaysAgo: 100 });
    c.mergedIntoRecent = await mk({ closedDaysAgo: 900, mergedIntoId: c.recentTarget.caseId });
    c.alreadyRedacted = await mk({ closedDaysAgo: 1000, redacted: true });
  });
  afterAll(async () => {
    await iso?.drop();
  });

  const due = () => [c.mergedIntoOld!.caseId, c.old!.caseId, c.oldTarget!.caseId].sort();

  it('off when the period is 0 or not set', async () => {
    for (const days of [0, undefined]) {
      const r = await runRetention(db, RING, { days, now: NOW });
      expect(r).toMatchObject({ days: null, cases: [], busy: false });
    }
  });

  it('a dry run lists the due cases with counts per kind and changes nothing', async () => {
    const before = await sealedSnapshot(db);
    const events = await db.select({ n: sql<number>`count(*)::int` }).from(caseEvent);
    const audits = await db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
    const r = await runRetention(db, undefined, { dryRun: true, days: 365, now: NOW, actor });
    expect(r.dryRun).toBe(true);
    expect(r.cutoff).toEqual(ago(365));
    expect(r.cases.map((x) => x.id).sort()).toEqual(due());
    const old = r.cases.find((x) => x.id === c.old!.caseId)!;
    expect(old.reference).toMatch(/^HC-/);
    expect(old.closedAt).toEqual(ago(400));
    expect(old.counts).toEqual(FULL_COUNTS);
    expect(await sealedSnapshot(db)).toEqual(before);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(caseEvent)).toEqual(events);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(auditLog)).toEqual(audits);
  });

  it('redacts exactly the personal columns of due cases and their signals; coded fields and times stay', async () => {
    const before = await sealedSnapshot(db);
    const [oldCaseBefore] = await db.select().from(caseFile).where(eq(caseFile.id, c.old!.caseId));
    const r = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(r.busy).toBe(false);
    expect(r.cases.map((x) => x.id).sort()).toEqual(due());
    for (const x of r.cases) expect(x.counts).toEqual(FULL_COUNTS);

    const after = await sealedSnapshot(db);
    const dueCases = new Set<string>(due());
    const dueSignals = new Set<string>([c.old!, c.oldTarget!, c.mergedIntoOld!].map((x) => x.signalId));
    const ownerOf = new Map<string, string>(); // row key → case or signal id, for every sealed row of our fixtures
    for (const t of [
      caseFile,
      casePerson,
      casePlaceEvent,
      caseNote,
      caseTask,
      referral,
      escalation,
      caseAccessGrant,
    ]) {
      const res = await db.select().from(t);
      for (const row of res as { id: string; caseId?: string }[]) ownerOf.set(row.id, row.caseId ?? row.id);
    }
    for (const t of [signalMessage, attachment, emailMessage]) {
      for (const row of (await db.select().from(t)) as { id: string; signalId: string }[])
        ownerOf.set(row.id, row.signalId);
    }
    for (const [k, v] of after) {
      const rowKey = k.split(':')[1]!;
      const owner = ownerOf.get(rowKey) ?? rowKey; // signal / screening rows are keyed by the signal id
      const redacted = dueCases.has(owner) || dueSignals.has(owner);
      if (k.startsWith('users.')) continue;
      if (!redacted) {
        expect(v, k).toBe(before.get(k));
      } else if (k.startsWith('signal_message.body_sealed')) {
        expect(v, k).not.toBe(before.get(k));
        expect(decrypt(RING, v!, owner).toString(), k).toBe('');
      } else {
        expect(v, k).toBeNull();
      }
    }

    // Coded fields, times, counts and the contact hash stay.
    const [oldCase] = await db.select().from(caseFile).where(eq(caseFile.id, c.old!.caseId));
    expect(oldCase).toMatchObject({
      status: 'closed',
      closedAt: ago(400),
      closeReason: 'services_in_place',
      region: 'ON',
      keywords: ['nail salon'],
      involvesMinor: true,
      createdAt: ago(2000),
      reference: oldCaseBefore!.reference,
      version: oldCaseBefore!.version + 1,
    });
    expect(oldCase!.redactedAt).toBeInstanceOf(Date);
    const [person] = await db.select().from(casePerson).where(eq(casePerson.caseId, c.old!.caseId));
    expect(person).toMatchObject({ role: 'potential_victim', age: 16, ageBand: '12_17', isMinor: true });
    expect(person!.redactedAt).toBeInstanceOf(Date);
    const [place] = await db.select().from(casePlaceEvent).where(eq(casePlaceEvent.caseId, c.old!.caseId));
    expect(place).toMatchObject({ type: 'exploitation', region: 'ON', city: 'Toronto' });
    const [ref] = await db.select().from(referral).where(eq(referral.caseId, c.old!.caseId));
    expect(ref).toMatchObject({ need: 'shelter_housing', status: 'accepted', sharedFields: ['name'] });
    const [esc] = await db.select().from(escalation).where(eq(escalation.caseId, c.old!.caseId));
    expect(esc).toMatchObject({ kind: 'child_protection', status: 'completed', overrideReason: 'minor' });
    const [sig] = await db.select().from(signal).where(eq(signal.id, c.old!.signalId));
    expect(sig).toMatchObject({
      channel: 'sms',
      region: 'ON',
      callerType: 'victim',
      arrivedAt: ago(1900),
      contactHash: contactHash(RING, c.old!.address),
    });
    const msgs = await db
      .select()
      .from(signalMessage)
      .where(eq(signalMessage.signalId, c.old!.signalId))
      .orderBy(asc(signalMessage.seq));
    expect(msgs.map((m) => [m.seq, m.sender])).toEqual([
      [1, 'visitor'],
      [2, 'visitor'],
    ]);
    const [att] = await db.select().from(attachment).where(eq(attachment.signalId, c.old!.signalId));
    expect(att).toMatchObject({ state: 'stored', contentType: 'image/png', sizeBytes: 5 });
    const [scr] = await db.select().from(screening).where(eq(screening.signalId, c.old!.signalId));
    expect(scr).toMatchObject({
      safety: 'unsafe',
      classification: 'trafficking',
      needs: ['shelter_housing'],
    });
    expect(scr!.redactedAt).toBeInstanceOf(Date);

    // Timeline entry and audit row, counts only.
    const events = await db
      .select()
      .from(caseEvent)
      .where(and(eq(caseEvent.type, 'redacted'), inArray(caseEvent.caseId, due())));
    expect(events).toHaveLength(3);
    expect(events[0]!.data).toEqual({ counts: FULL_COUNTS });
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, 'retention.redact'));
    expect(audits.map((a) => a.targetId).sort()).toEqual(due());
    expect(audits[0]).toMatchObject({ actorLabel: 'system', targetType: 'case' });
    expect(audits[0]!.details).toMatchObject({ days: 365, counts: FULL_COUNTS });
    expect(withoutIds(JSON.stringify(audits.map((a) => a.details)))).not.toMatch(/fictional|555|example/);
  });

  it('a second pass changes nothing; a later one takes the cases whose time has come', async () => {
    const before = await sealedSnapshot(db);
    const again = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(again.cases).toEqual([]);
    expect(await sealedSnapshot(db)).toEqual(before);
    expect(
      await db
        .select({ n: sql<number>`count(*)::int` })
        .from(auditLog)
        .where(eq(auditLog.action, 'retention.redact')),
    ).toEqual([{ n: 3 }]);

    // 70 days later: the case closed 300 days ago is due; the one merged into a case closed 100 days ago is not;
    // open cases (and what was merged into one) never.
    const later = await runRetention(db, RING, { days: 365, now: new Date(NOW.getTime() + 70 * DAY), actor });
    expect(later.cases.map((x) => x.id)).toEqual([c.recent!.caseId]);
    const far = await runRetention(db, RING, { days: 365, now: new Date(NOW.getTime() + 3000 * DAY), actor });
    expect(far.cases.map((x) => x.id).sort()).toEqual(
      [c.recentTarget!.caseId, c.mergedIntoRecent!.caseId].sort(),
    );
    for (const x of [c.open!, c.openTarget!, c.mergedIntoOpen!]) {
      const [row] = await db.select().from(caseFile).where(eq(caseFile.id, x.caseId));
      expect(row!.redactedAt).toBeNull();
      expect(decrypt(RING, row!.titleSealed!, x.caseId).toString()).toBe('Test case title (fictional)');
      const [s] = await db.select().from(signal).where(eq(signal.id, x.signalId));
      expect(s!.addressSealed).not.toBeNull();
    }
    const [already] = await db.select().from(caseFile).where(eq(caseFile.id, c.alreadyRedacted!.caseId));
    expect(already!.titleSealed).not.toBeNull(); // stamped as redacted before: not visited again
  });

  it('one process at a time: while another holds the lock, a pass stops and changes nothing', async () => {
    if (!onPostgres()) return; // PGlite has one connection: no second process to hold the lock
    const [org] = await db.select({ id: organization.id }).from(organization).limit(1);
    const [u] = await db.select({ id: users.id }).from(users).limit(1);
    const late = await makeCase(db, org!.id, u!.id, { closedDaysAgo: 5000 });
    const other = await iso.database.pool!.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1)', [RETENTION_LOCK]);
      const r = await runRetention(db, RING, { days: 365, now: NOW, actor });
      expect(r).toMatchObject({ busy: true, cases: [] });
      const [row] = await db.select().from(caseFile).where(eq(caseFile.id, late.caseId));
      expect(row!.redactedAt).toBeNull();
      await other.query('commit');
    } finally {
      other.release();
    }
    const r = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(r.cases.map((x) => x.id)).toEqual([late.caseId]);
  });

  it('a case reopened after redaction is redacted again once it closes: also what was re-entered in old rows', async () => {
    const [org] = await db.select({ id: organization.id }).from(organization).limit(1);
    const [u] = await db.select({ id: users.id }).from(users).limit(1);
    const x = await makeCase(db, org!.id, u!.id, { closedDaysAgo: 1000 });
    expect((await runRetention(db, RING, { days: 365, now: NOW, actor })).cases.map((r) => r.id)).toEqual([
      x.caseId,
    ]);
    // Reopened (the service clears the case's mark), the person's name entered again, closed again long ago.
    await db
      .update(caseFile)
      .set({ status: 'active', closedAt: null, redactedAt: null })
      .where(eq(caseFile.id, x.caseId));
    const [person] = await db.select().from(casePerson).where(eq(casePerson.caseId, x.caseId));
    expect(person!.redactedAt).not.toBeNull();
    await db
      .update(casePerson)
      .set({
        identitySealed: encrypt(RING, JSON.stringify({ name: 'Test Person Again (fictional)' }), person!.id),
      })
      .where(eq(casePerson.id, person!.id));
    await db
      .update(caseFile)
      .set({ status: 'closed', closedAt: ago(900) })
      .where(eq(caseFile.id, x.caseId));
    const second = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(second.cases.map((r) => r.id)).toEqual([x.caseId]);
    expect(second.cases[0]).toMatchObject({ counts: { people: 1 } });
    const [after] = await db.select().from(casePerson).where(eq(casePerson.id, person!.id));
    expect(after!.identitySealed).toBeNull();
  });

  it('the job starts only with a retention period and stops cleanly', async () => {
    const log = { info: () => {}, error: () => {} } as unknown as Parameters<
      typeof createRetentionJob
    >[0]['log'];
    const off = createRetentionJob({ db, config: { retentionDays: 0, encryptionKey: RING } as never, log });
    off.start();
    await off.stop();
    const on = createRetentionJob({ db, config: { retentionDays: 1095, encryptionKey: RING } as never, log });
    on.start();
    on.start();
    await on.stop();
  });
});

describe('retention: signals in no case', { timeout: 120_000 }, () => {
  let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
  let db: Db;
  const s: Record<string, string> = {};

  /** A signal in no case with everything a signal can carry; `endedDaysAgo` undefined = still open. */
  async function loneSignal(endedDaysAgo?: number): Promise<string> {
    const id = randomUUID();
    const address = `+1555020${String(++n % 100).padStart(4, '0')}`;
    await db.insert(signal).values({
      id,
      reference: ref('HB'),
      channel: 'chat',
      language: 'fr',
      state: endedDaysAgo === undefined ? 'active' : 'ended',
      region: 'QC',
      callerType: 'victim',
      arrivedAt: ago((endedDaysAgo ?? 0) + 1),
      endedAt: endedDaysAgo === undefined ? null : ago(endedDaysAgo),
      visitorTokenHash: randomBytes(16).toString('hex'),
      contactHash: contactHash(RING, address),
      addressSealed: sealAddress(RING, id, address),
      reportSealed: encrypt(RING, '{"situation":"Test situation (fictional)"}', id),
    });
    await db.insert(signalMessage).values({
      signalId: id,
      seq: 1,
      sender: 'visitor',
      clientId: 'm1',
      bodySealed: encrypt(RING, 'Test message (fictional)', id),
    });
    await db.insert(screening).values({
      signalId: id,
      safety: 'unsafe',
      classification: 'information_request',
      safetyPlanSealed: encrypt(RING, '{"code_word":"Test word (fictional)"}', id),
    });
    return id;
  }

  beforeAll(async () => {
    iso = await isolatedDatabase();
    db = iso.database.db;
    s.old = await loneSignal(400);
    s.recent = await loneSignal(100);
    s.open = await loneSignal();
  });
  afterAll(async () => {
    await iso?.drop();
  });

  const messageText = async (id: string) => {
    const [m] = await db.select().from(signalMessage).where(eq(signalMessage.signalId, id));
    return decrypt(RING, m!.bodySealed, id).toString('utf8');
  };

  it('a dry run lists the signals ended before the cutoff, with counts, and changes nothing', async () => {
    const before = await sealedSnapshot(db);
    const r = await runRetention(db, undefined, { dryRun: true, days: 365, now: NOW, actor });
    expect(r.signals.map((x) => x.id)).toEqual([s.old]);
    expect(r.signals[0]).toMatchObject({
      reference: expect.stringMatching(/^HB-/),
      endedAt: ago(400),
      counts: { messages: 1, reports: 1, addresses: 1, email_subjects: 0, attachments: 0, safety_plans: 1 },
    });
    expect(await sealedSnapshot(db)).toEqual(before);
  });

  it('redacts a signal in no case the period after it ended; recent and open ones stay; audited with counts', async () => {
    const r = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(r.signals.map((x) => x.id)).toEqual([s.old]);
    const rows = await db
      .select()
      .from(signal)
      .where(inArray(signal.id, [s.old!, s.recent!, s.open!]));
    const byId = new Map(rows.map((x) => [x.id, x]));
    const old = byId.get(s.old!)!;
    expect(old).toMatchObject({
      reportSealed: null,
      addressSealed: null,
      visitorTokenHash: null,
      region: 'QC',
      callerType: 'victim',
      language: 'fr',
    });
    expect(old.redactedAt).toBeInstanceOf(Date);
    // The repeat-contact hash stays: a person who writes again is still recognised.
    expect(old.contactHash).not.toBeNull();
    expect(await messageText(s.old!)).toBe('');
    const [plan] = await db.select().from(screening).where(eq(screening.signalId, s.old!));
    expect(plan).toMatchObject({
      safetyPlanSealed: null,
      classification: 'information_request',
      safety: 'unsafe',
    });
    for (const kept of [s.recent!, s.open!]) {
      expect(byId.get(kept)).toMatchObject({ redactedAt: null, reportSealed: expect.any(String) });
      expect(await messageText(kept)).toBe('Test message (fictional)');
    }
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'retention.redact'), eq(auditLog.targetId, s.old!)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ targetType: 'signal' });
    expect(JSON.stringify(audits[0]!.details)).not.toContain('fictional');
    // A second pass finds nothing more to do.
    expect((await runRetention(db, RING, { days: 365, now: NOW, actor })).signals).toEqual([]);
  });

  it('a signal attached to a case waits for its case instead', async () => {
    const id = await loneSignal(500);
    const caseId = randomUUID();
    await db.insert(caseFile).values({ id: caseId, reference: ref('HC'), status: 'active' });
    await db.insert(caseSignal).values({ signalId: id, caseId });
    const r = await runRetention(db, RING, { days: 365, now: NOW, actor });
    expect(r.signals.map((x) => x.id)).not.toContain(id);
    expect(await messageText(id)).toBe('Test message (fictional)');
  });
});
