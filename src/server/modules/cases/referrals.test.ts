import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import {
  address,
  attribute,
  auditLog,
  caseEvent,
  caseFile,
  casePlaceEvent,
  caseSignal,
  caseTask,
  location,
  organization,
  place,
  referral,
  screening,
  service,
  serviceAtLocation,
  signal,
  taxonomyTerm,
  team,
  teamMember,
} from '../../db/schema.js';
import { decrypt, encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { refreshSearch } from '../directory/directory.projection.js';
import { caseHasAcceptedReferral } from './referrals.repository.js';
import {
  CONSENT,
  CONTACT,
  makeCase as makeCaseRows,
  proposeReferral,
  type Ref,
  tag,
  versionedCaller,
} from './referrals.test-support.js';

let harbour: HarbourApp;
let db: Db;
let outbox: string;
let advocate: TestSession;
let advocateId: string;
let supervisor: TestSession;
let analyst: TestSession;
let partnerA: TestSession;
let partnerAEmail: string;
let _partnerB: TestSession;
let disabledPartnerEmail: string;
let orgA: string;
let orgB: string;
let serviceA: string;

const outboxFiles = () => (existsSync(outbox) ? readdirSync(outbox) : []);

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'harbour-referrals-'));
  outbox = path.join(dataDir, 'outbox');
  harbour = await testApp({ dataDir });
  db = (await testDatabase()).db;
  [orgA, orgB] = (
    await db
      .insert(organization)
      .values([
        { name: `Referral Org A ${tag()} (fictional)` },
        { name: `Referral Org B ${tag()} (fictional)` },
      ])
      .returning()
  ).map((o) => o.id) as [string, string];
  serviceA = (
    await db.insert(service).values({ organizationId: orgA, name: 'Shelter (fictional)' }).returning()
  )[0]!.id;
  const adv = await createUser(db, { role: 'advocate' });
  advocateId = adv.id;
  advocate = await sessionFor(db, adv);
  supervisor = await sessionFor(db, await createUser(db, { role: 'supervisor' }));
  analyst = await sessionFor(db, await createUser(db, { role: 'analyst' }));
  const pa = await createUser(db, { role: 'partner', organizationId: orgA });
  partnerAEmail = pa.email;
  partnerA = await sessionFor(db, pa);
  _partnerB = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgB }));
  // A disabled partner of A is not e-mailed.
  disabledPartnerEmail = (await createUser(db, { role: 'partner', organizationId: orgA, disabled: true }))
    .email;
});
afterAll(() => harbour.app.close());

const makeCase = (options: { restrictedTeamId?: string; region?: string } = {}) => makeCaseRows(db, options);
const call = versionedCaller(() => harbour);
const propose = (caseId: string, personId: string | undefined, consent?: unknown, org = orgA) =>
  proposeReferral(
    call,
    advocate,
    { caseId, personId, org, serviceId: org === orgA ? serviceA : undefined },
    consent,
  );

describe('referrals: consent and override', () => {
  it('refuses to send without consent (422 REFERRAL_CONSENT_REQUIRED) and writes nothing', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId);
    expect(r.status).toBe('proposed');
    expect(r.consent).toBeNull();
    const res = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version);
    expect(res.statusCode).toBe(422);
    expect(json<{ error: { code: string } }>(res).error.code).toBe('REFERRAL_CONSENT_REQUIRED');
    const [row] = await db.select().from(referral).where(eq(referral.id, r.id));
    expect(row!.status).toBe('proposed');
    expect(row!.sharedSealed).toBeNull();
  });

  it('an advocate cannot override (403 OVERRIDE_NEEDS_SUPERVISOR); a supervisor can, then it sends with nothing shared', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId);
    const denied = await call(
      advocate,
      'POST',
      `/api/referrals/${r.id}/override`,
      { reason: 'x' },
      r.version,
    );
    expect(denied.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(denied).error.code).toBe('OVERRIDE_NEEDS_SUPERVISOR');
    const ok = await call(
      supervisor,
      'POST',
      `/api/referrals/${r.id}/override`,
      { reason: 'Imminent risk, the person asked us to act (fictional)' },
      r.version,
    );
    expect(ok.statusCode, ok.body).toBe(200);
    const overridden = json<Ref & { override: { reason: string; by: { id: string } } }>(ok);
    expect(overridden.override.reason).toBe('Imminent risk, the person asked us to act (fictional)');
    const [row] = await db.select().from(referral).where(eq(referral.id, r.id));
    expect(row!.overrideReasonSealed).not.toContain('Imminent');
    const sent = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, overridden.version);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(json<Ref>(sent).status).toBe('sent');
    const seen = await call(partnerA, 'GET', `/api/partner/referrals/${r.id}`);
    expect(seen.statusCode).toBe(200);
    expect(json<{ shared: object }>(seen).shared).toEqual({});
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'referral.override'), eq(auditLog.targetId, r.id)));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toContain('Imminent');
    const events = await db.select().from(caseEvent).where(eq(caseEvent.caseId, caseId));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['referral_created', 'referral_override', 'referral_status', 'task_added']),
    );
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('Imminent');
  });

  it('records consent later (If-Match), as typed, and replaces it while proposed', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId);
    const missing = await call(advocate, 'POST', `/api/referrals/${r.id}/consent`, CONSENT);
    expect(missing.statusCode).toBe(428);
    const res = await call(advocate, 'POST', `/api/referrals/${r.id}/consent`, CONSENT, `W/"${r.version}"`);
    expect(res.statusCode, res.body).toBe(200);
    const saved = json<Ref & { consent: { agreed: string; kind: string; recorded_by: { id: string } } }>(res);
    expect(saved.consent.agreed).toBe(CONSENT.agreed);
    expect(saved.consent.recorded_by.id).toBe(advocateId);
    expect(saved.shared_fields).toEqual(['first_name', 'language']);
    const [row] = await db.select().from(referral).where(eq(referral.id, r.id));
    expect(row!.consentSealed).not.toContain('share');
    expect(JSON.parse(decrypt(TEST_KEY, row!.consentSealed!, r.id).toString()).agreed).toBe(CONSENT.agreed);
  });
});

describe('referrals: sending, partner side, e-mail, follow-up', () => {
  it('shares only the consented fields, e-mails the partner without personal data, creates the follow-up task', async () => {
    const { caseId, reference, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    const earlier = new Set(outboxFiles());
    const before = Date.now();
    const res = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version);
    expect(res.statusCode, res.body).toBe(200);
    const sent = json<Ref & { follow_up_task_id: string; sent_at: string }>(res);
    expect(sent.status).toBe('sent');
    expect(sent.sent_at).not.toBeNull();

    // The shared payload: sealed under the referral id, only the consented fields.
    const [row] = await db.select().from(referral).where(eq(referral.id, r.id));
    expect(row!.sharedSealed).not.toContain('Aster');
    expect(JSON.parse(decrypt(TEST_KEY, row!.sharedSealed!, r.id).toString())).toEqual({
      first_name: 'Aster',
      language: 'es',
    });

    // The partner of the organisation sees it, and nothing that was not consented.
    const list = await call(partnerA, 'GET', '/api/partner/referrals');
    expect(list.statusCode).toBe(200);
    const item = json<{ items: Ref[] }>(list).items.find((i) => i.id === r.id);
    expect(item).toMatchObject({
      need: 'shelter_housing',
      status: 'sent',
      shared: { first_name: 'Aster', language: 'es' },
    });
    const one = await call(partnerA, 'GET', `/api/partner/referrals/${r.id}`);
    expect(one.statusCode).toBe(200);
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain('Quillfeather');
      expect(body).not.toContain(CONTACT);
      expect(body).not.toContain(reference);
      expect(body).not.toContain(caseId);
      expect(body).not.toContain('25_34');
      expect(body).not.toContain(CONSENT.agreed);
    }
    const readAudit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'referral.partner_read'), eq(auditLog.targetId, r.id)));
    expect(readAudit).toHaveLength(1);

    // The follow-up task: the sender's, due in 7 days, titled (sealed), tied to the referral.
    const [task] = await db.select().from(caseTask).where(eq(caseTask.referralId, r.id));
    expect(task).toBeDefined();
    expect(task!.id).toBe(sent.follow_up_task_id);
    expect(task!.kind).toBe('referral_follow_up');
    expect(task!.assigneeId).toBe(advocateId);
    expect(task!.doneAt).toBeNull();
    const due = task!.dueAt.getTime() - before;
    expect(due).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(due).toBeLessThan(7 * 86_400_000 + 60_000);
    expect(decrypt(TEST_KEY, task!.titleSealed!, task!.id).toString()).toMatch(/referral/i);

    // The e-mail: to the active partner of A only; a link, no name, number, need or reference.
    const fresh = outboxFiles()
      .filter((f) => !earlier.has(f))
      .map((f) => readFileSync(path.join(outbox, f), 'utf8'));
    expect(fresh.filter((m) => m.includes(disabledPartnerEmail))).toHaveLength(0);
    const mails = fresh.filter((m) => m.includes(partnerAEmail));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toContain('http://harbour.test/console/partner/referrals');
    expect(mail).toMatch(/A referral is waiting for you in Harbour/);
    for (const secret of [
      'Aster',
      'Quillfeather',
      CONTACT,
      '5550100177',
      reference,
      'shelter',
      'housing',
      caseId,
    ])
      expect(mail).not.toContain(secret);
  });

  it('advocates record status on the partner’s behalf; invalid moves and stale versions are 409; final status closes the task', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    const url = `/api/referrals/${r.id}/status`;
    const jump = await call(advocate, 'POST', url, { status: 'accepted' }, r.version);
    expect(jump.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(jump).error.code).toBe('REFERRAL_TRANSITION_INVALID');
    const sent = json<Ref>(await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version));
    const resend = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, sent.version);
    expect(resend.statusCode).toBe(409);
    const stale = await call(advocate, 'POST', url, { status: 'declined' }, r.version);
    expect(stale.statusCode).toBe(409);
    const body = json<{ error: { code: string }; current: Ref; changed_by: { id: string } }>(stale);
    expect(body.error.code).toBe('VERSION_CONFLICT');
    expect(body.current.status).toBe('sent');
    expect(body.changed_by.id).toBe(advocateId);
    const notAStatus = await call(advocate, 'POST', url, { status: 'sent' }, sent.version);
    expect(notAStatus.statusCode).toBe(400);
    const declined = await call(
      advocate,
      'POST',
      url,
      { status: 'declined', note: 'Waitlist full (fictional)' },
      sent.version,
    );
    expect(declined.statusCode, declined.body).toBe(200);
    expect(json<Ref>(declined).outcome_note).toBe('Waitlist full (fictional)');
    const [task] = await db.select().from(caseTask).where(eq(caseTask.referralId, r.id));
    expect(task!.doneAt).not.toBeNull();
    const after = await call(advocate, 'POST', url, { status: 'withdrawn' }, json<Ref>(declined).version);
    expect(after.statusCode).toBe(409);
    expect(await caseHasAcceptedReferral(db, caseId)).toBe(false);
  });

  it('shares the safe times of the most recently screened signal, the contact and the need, nothing else of the plan', async () => {
    const { caseId, personId } = await makeCase();
    const screened = async (plan: object, updatedAt: Date) => {
      const [sig] = await db
        .insert(signal)
        .values({
          reference: `HB-T3ST-${tag()}`,
          channel: 'chat',
          language: 'en',
          state: 'ended',
          queuedAt: new Date(),
        })
        .returning();
      await db.insert(caseSignal).values({ signalId: sig!.id, caseId });
      await db.insert(screening).values({
        signalId: sig!.id,
        safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify(plan), sig!.id),
        updatedAt,
      });
    };
    const secretPlan = {
      safe_contacts: [{ name: 'Sister Fictional', phone: '+15550100188' }],
      code_word: 'bluebird',
      notes: 'Never call after dark (fictional)',
      contact_number_safe: true,
    };
    await screened(
      {
        ...secretPlan,
        safe_times: [{ days: ['sat'], from: '08:00', to: '09:00' }],
        time_zone: 'America/Halifax',
      },
      new Date(Date.now() - 86_400_000),
    );
    await screened(
      {
        ...secretPlan,
        safe_times: [{ days: ['mon', 'tue'], from: '09:00', to: '11:30' }],
        time_zone: 'America/Toronto',
      },
      new Date(),
    );
    const r = await propose(caseId, personId, {
      kind: 'written',
      agreed: 'Share how to reach me and when (fictional)',
      shared_fields: ['contact', 'safe_times', 'need_details'],
    });
    const sent = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version);
    expect(sent.statusCode, sent.body).toBe(200);
    const seen = await call(partnerA, 'GET', `/api/partner/referrals/${r.id}`);
    expect(json<{ shared: unknown }>(seen).shared).toEqual({
      contact: CONTACT,
      need_details: 'shelter_housing',
      safe_times: {
        time_zone: 'America/Toronto',
        times: [{ days: ['mon', 'tue'], from: '09:00', to: '11:30' }],
      },
    });
    for (const secret of ['Aster', 'Sister', '+15550100188', 'bluebird', 'dark', 'es', 'sat'])
      expect(seen.body).not.toContain(`"${secret}`);
  });

  it('two sends of the same version at once: one goes, the other is a 409; one task, one e-mail', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    const earlier = new Set(outboxFiles());
    const results = await Promise.all([
      call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version),
      call(supervisor, 'POST', `/api/referrals/${r.id}/send`, {}, r.version),
    ]);
    expect(results.map((x) => x.statusCode).sort()).toEqual([200, 409]);
    const loser = results.find((x) => x.statusCode === 409)!;
    expect(json<{ error: { code: string } }>(loser).error.code).toBe('VERSION_CONFLICT');
    expect(await db.select().from(caseTask).where(eq(caseTask.referralId, r.id))).toHaveLength(1);
    const fresh = outboxFiles().filter((f) => !earlier.has(f));
    expect(
      fresh.map((f) => readFileSync(path.join(outbox, f), 'utf8')).filter((m) => m.includes(partnerAEmail)),
    ).toHaveLength(1);
  });

  it('a proposed referral can be withdrawn (no task to close)', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId);
    const res = await call(
      advocate,
      'POST',
      `/api/referrals/${r.id}/status`,
      { status: 'withdrawn' },
      r.version,
    );
    expect(res.statusCode).toBe(200);
    expect(json<Ref>(res).status).toBe('withdrawn');
    const send = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, json<Ref>(res).version);
    expect(send.statusCode).toBe(409);
  });
});

describe('referrals: a failing mail relay', () => {
  it('still sends the referral; the failure is logged without personal data', async () => {
    const logs: string[] = [];
    // Port 9 on loopback: nothing listens, the relay refuses at once.
    const failing = await testApp(
      { smtpUrl: 'smtp://127.0.0.1:9', logLevel: 'warn' },
      { write: (m) => logs.push(m) },
    );
    try {
      const { caseId, reference, personId } = await makeCase();
      const r = await propose(caseId, personId, CONSENT);
      const res = await failing.app.inject({
        method: 'POST',
        url: `/api/referrals/${r.id}/send`,
        headers: { ...advocate.headers, 'if-match': String(r.version) },
        payload: {},
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(json<Ref>(res).status).toBe('sent');
      const failure = logs.filter((l) => l.includes('referral notification'));
      expect(failure.length).toBeGreaterThan(0);
      const all = logs.join('\n');
      for (const secret of ['Aster', 'Quillfeather', CONTACT, reference, partnerAEmail, 'shelter'])
        expect(all).not.toContain(secret);
    } finally {
      await failing.app.close();
    }
  });
});

describe('referrals: access and hostile input', () => {
  it('a restricted case stays restricted (403 CASE_RESTRICTED), closed cases refuse new referrals', async () => {
    const [t] = await db
      .insert(team)
      .values({ name: `Referral team ${tag()} (fictional)` })
      .returning();
    const { caseId, personId, reference } = await makeCase({ restrictedTeamId: t!.id });
    const res = await call(advocate, 'POST', `/api/cases/${caseId}/referrals`, {
      need: 'legal',
      organization_id: orgA,
    });
    expect(res.statusCode).toBe(403);
    const body = json<{ error: { code: string }; reference: string; restricted: boolean }>(res);
    expect(body.error.code).toBe('CASE_RESTRICTED');
    expect(body.reference).toBe(reference);
    // A team member proposes; an outsider cannot act on it by its id either.
    const member = await createUser(db, { role: 'advocate' });
    await db.insert(teamMember).values({ teamId: t!.id, userId: member.id });
    const memberSession = await sessionFor(db, member);
    const made = await call(memberSession, 'POST', `/api/cases/${caseId}/referrals`, {
      person_id: personId,
      need: 'legal',
      organization_id: orgA,
      consent: CONSENT,
    });
    expect(made.statusCode).toBe(201);
    const r = json<Ref>(made);
    const outsider = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version);
    expect(outsider.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(outsider).error.code).toBe('CASE_RESTRICTED');
    expect((await call(advocate, 'GET', `/api/cases/${caseId}/referral-search?need=legal`)).statusCode).toBe(
      403,
    );

    const closed = await makeCase();
    await db
      .update(caseFile)
      .set({ status: 'closed', closedAt: new Date() })
      .where(eq(caseFile.id, closed.caseId));
    const onClosed = await call(advocate, 'POST', `/api/cases/${closed.caseId}/referrals`, {
      need: 'legal',
      organization_id: orgA,
    });
    expect(onClosed.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(onClosed).error.code).toBe('CASE_CLOSED');
  });

  it('refuses garbage ids, unknown codes, oversize text and people or services from elsewhere (never a 5xx)', async () => {
    const { caseId, personId } = await makeCase();
    const other = await makeCase();
    const post = (payload: unknown) => call(advocate, 'POST', `/api/cases/${caseId}/referrals`, payload);
    const base = { need: 'legal', organization_id: orgA };
    const cases: [unknown, number][] = [
      [{ ...base, need: 'declined' }, 400],
      [{ ...base, need: 'nonsense' }, 400],
      [{ ...base, organization_id: 'not-a-uuid' }, 400],
      [{ ...base, organization_id: crypto.randomUUID() }, 400],
      [{ ...base, person_id: other.personId }, 400],
      [{ ...base, organization_id: orgB, service_id: serviceA }, 400],
      [{ ...base, consent: { ...CONSENT, agreed: 'x'.repeat(1001) } }, 400],
      [{ ...base, consent: { ...CONSENT, agreed: '' } }, 400],
      [{ ...base, consent: { ...CONSENT, agreed: ' \n ' } }, 400],
      [{ ...base, consent: { ...CONSENT, shared_fields: ['first_name', 'declined'] } }, 400],
      [{ ...base, consent: { ...CONSENT, shared_fields: ['address'] } }, 400],
      [{ ...base, consent: { ...CONSENT, kind: 'telepathic' } }, 400],
    ];
    for (const [payload, status] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(status);
    }
    expect((await call(advocate, 'POST', '/api/cases/not-a-uuid/referrals', base)).statusCode).toBe(400);
    expect(
      (await call(advocate, 'POST', `/api/cases/${crypto.randomUUID()}/referrals`, base)).statusCode,
    ).toBe(404);
    expect(
      (await call(advocate, 'POST', `/api/referrals/${crypto.randomUUID()}/send`, {}, 1)).statusCode,
    ).toBe(404);
    expect((await call(advocate, 'POST', '/api/referrals/%27%3B--/send', {}, 1)).statusCode).toBe(400);
    expect((await call(partnerA, 'GET', '/api/partner/referrals/%3Cscript%3E')).statusCode).toBe(400);
    expect((await call(partnerA, 'GET', '/api/partner/referrals?status=proposed')).statusCode).toBe(400);
    const r = await propose(caseId, personId);
    const oversize = await call(supervisor, 'POST', `/api/referrals/${r.id}/override`, {
      reason: 'y'.repeat(1001),
    });
    expect(oversize.statusCode).toBe(400);
    const blank = await call(supervisor, 'POST', `/api/referrals/${r.id}/override`, { reason: '   ' });
    expect(blank.statusCode).toBe(400);
    const badVersion = await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, 'abc');
    expect(badVersion.statusCode).toBe(428);
    const longNote = await call(
      advocate,
      'POST',
      `/api/referrals/${r.id}/status`,
      { status: 'withdrawn', note: 'z'.repeat(2001) },
      r.version,
    );
    expect(longNote.statusCode).toBe(400);
  });
});

describe('referral needs', () => {
  it('counts each referral once by need in the period, share rounded to 0.1 %', async () => {
    const { caseId } = await makeCase();
    const needs = ['shelter_housing', 'shelter_housing', 'counselling', 'legal', 'legal', 'legal'];
    const ids: string[] = [];
    for (const need of needs) {
      const res = await call(advocate, 'POST', `/api/cases/${caseId}/referrals`, {
        need,
        organization_id: orgA,
      });
      ids.push(json<Ref>(res).id);
    }
    // Move them to a day nobody else uses, so the shared database does not disturb the counts.
    const day = `1999-0${1 + Math.floor(Math.random() * 9)}-${10 + Math.floor(Math.random() * 18)}`;
    for (const id of ids)
      await db
        .update(referral)
        .set({ createdAt: new Date(`${day}T12:00:00Z`) })
        .where(eq(referral.id, id));
    const res = await call(supervisor, 'GET', `/api/referrals/needs?from=${day}&to=${day}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({
      total: 6,
      needs: [
        { need: 'legal', count: 3, share: 0.5 },
        { need: 'shelter_housing', count: 2, share: 0.333 },
        { need: 'counselling', count: 1, share: 0.167 },
      ],
    });
    // Days are the hotline's (America/Toronto in tests): 02:00 UTC on `day` is the evening before, locally.
    const evening = json<Ref>(
      await call(advocate, 'POST', `/api/cases/${caseId}/referrals`, {
        need: 'medical',
        organization_id: orgA,
      }),
    );
    await db
      .update(referral)
      .set({ createdAt: new Date(`${day}T02:00:00Z`) })
      .where(eq(referral.id, evening.id));
    const dayBefore = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(
      json<{ total: number }>(await call(supervisor, 'GET', `/api/referrals/needs?from=${day}&to=${day}`))
        .total,
    ).toBe(6);
    expect(
      json(await call(supervisor, 'GET', `/api/referrals/needs?from=${dayBefore}&to=${dayBefore}`)),
    ).toEqual({ total: 1, needs: [{ need: 'medical', count: 1, share: 1 }] });
    expect((await call(analyst, 'GET', `/api/referrals/needs?from=${day}&to=${day}`)).statusCode).toBe(200);
    expect((await call(advocate, 'GET', '/api/referrals/needs')).statusCode).toBe(403);
    expect((await call(supervisor, 'GET', '/api/referrals/needs?from=1999-13-45')).statusCode).toBe(400);
    expect((await call(supervisor, 'GET', '/api/referrals/needs?from=yesterday')).statusCode).toBe(400);
    // Shaped like dates but not days: 400, never a database error.
    for (const bad of ['from=2021-02-30', 'to=2021-04-31', 'from=0000-01-01', 'to=2021-02-29'])
      expect((await call(supervisor, 'GET', `/api/referrals/needs?${bad}`)).statusCode, bad).toBe(400);
  });
});

describe('referral search', () => {
  it('searches the directory for the need, near the case’s place, in the person’s language', async () => {
    const city = `Refville ${tag()}`;
    await db.insert(place).values({
      kind: 'city',
      name: city,
      key: sql`lower(unaccent(${city}::text))`,
      province: 'ON',
      latitude: 46.5 + Math.random(),
      longitude: -84.5 + Math.random(),
      population: 1000,
    });
    const [p] = await db.select().from(place).where(eq(place.name, city));
    const { caseId } = await makeCase({ region: 'ON' });
    await db.insert(casePlaceEvent).values({ caseId, type: 'exploitation', region: 'ON', city });
    const term = async (code: string) => {
      const [found] = await db
        .select({ id: taxonomyTerm.id })
        .from(taxonomyTerm)
        .where(and(eq(taxonomyTerm.code, code), eq(taxonomyTerm.taxonomy, 'open-eligibility')))
        .limit(1);
      if (found) return found.id;
      return (
        await db
          .insert(taxonomyTerm)
          .values({ code, name: `Term ${code}`, description: code, taxonomy: 'open-eligibility' })
          .returning()
      )[0]!.id;
    };
    const seed = async (name: string, code: string, lang: string) => {
      const [org] = await db
        .insert(organization)
        .values({ name: `${name} Org`, jurisdiction: ['ON'] })
        .returning();
      const [svc] = await db.insert(service).values({ organizationId: org!.id, name }).returning();
      const [loc] = await db
        .insert(location)
        .values({ organizationId: org!.id, latitude: p!.latitude + 0.01, longitude: p!.longitude })
        .returning();
      await db.insert(address).values({
        locationId: loc!.id,
        address1: '1 Fictional Street',
        city,
        stateProvince: 'ON',
        postalCode: 'P0P 0P0',
        country: 'CA',
      });
      await db.insert(serviceAtLocation).values({ serviceId: svc!.id, locationId: loc!.id });
      await db
        .insert(attribute)
        .values({ linkId: svc!.id, linkEntity: 'service', taxonomyTermId: await term(code) });
      await db.execute(sql`insert into language (service_id, code) values (${svc!.id}, ${lang})`);
      await db.transaction((tx) => refreshSearch(tx, [svc!.id]));
      return svc!.id;
    };
    const shelter = await seed(`Shelter ${tag()} (fictional)`, '1121', 'es');
    const counselling = await seed(`Counselling ${tag()} (fictional)`, '1220', 'es');
    const shelterEn = await seed(`Shelter EN ${tag()} (fictional)`, '1121', 'en');
    const res = await call(
      advocate,
      'GET',
      `/api/cases/${caseId}/referral-search?need=shelter_housing&limit=100`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const found = json<{ items: { serviceId: string }[]; place: { name: string } | null }>(res);
    const ids = found.items.map((i) => i.serviceId);
    expect(ids).toContain(shelter);
    expect(ids).not.toContain(counselling);
    expect(ids).not.toContain(shelterEn);
    expect(found.place?.name).toBe(city);
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.read'), eq(auditLog.targetId, caseId)));
    expect(audit.length).toBeGreaterThan(0);
    // The advocate may widen it: another language.
    const en = json<{ items: { serviceId: string }[] }>(
      await call(
        advocate,
        'GET',
        `/api/cases/${caseId}/referral-search?need=shelter_housing&language=en&limit=100`,
      ),
    );
    expect(en.items.map((i) => i.serviceId)).toContain(shelterEn);
    expect((await call(advocate, 'GET', `/api/cases/${caseId}/referral-search?need=drugs`)).statusCode).toBe(
      400,
    );
    expect(
      (await call(advocate, 'GET', `/api/cases/${caseId}/referral-search?near=${'x'.repeat(101)}`))
        .statusCode,
    ).toBe(400);
  });
});
