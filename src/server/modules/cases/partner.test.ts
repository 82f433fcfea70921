import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import { auditLog, caseTask, organization, service } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { caseHasAcceptedReferral, referralsForCase } from './referrals.repository.js';
import {
  CONSENT,
  makeCase as makeCaseRows,
  proposeReferral,
  type Ref,
  tag,
  versionedCaller,
} from './referrals.test-support.js';

let harbour: HarbourApp;
let db: Db;
let advocate: TestSession;
let partnerA: TestSession;
let partnerB: TestSession;
let orgA: string;
let orgB: string;
let serviceA: string;

beforeAll(async () => {
  harbour = await testApp({ dataDir: mkdtempSync(path.join(tmpdir(), 'harbour-partner-')) });
  db = (await testDatabase()).db;
  [orgA, orgB] = (
    await db
      .insert(organization)
      .values([
        { name: `Partner Org A ${tag()} (fictional)` },
        { name: `Partner Org B ${tag()} (fictional)` },
      ])
      .returning()
  ).map((o) => o.id) as [string, string];
  serviceA = (
    await db.insert(service).values({ organizationId: orgA, name: 'Shelter (fictional)' }).returning()
  )[0]!.id;
  advocate = await sessionFor(db, await createUser(db, { role: 'advocate' }));
  partnerA = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgA }));
  partnerB = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgB }));
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

describe('partner side', () => {
  it('other organisations and proposed referrals stay invisible to partners (404)', async () => {
    const { caseId, personId } = await makeCase();
    const proposed = await propose(caseId, personId, CONSENT);
    const toB = await propose(caseId, personId, CONSENT, orgB);
    const sentB = await call(advocate, 'POST', `/api/referrals/${toB.id}/send`, {}, toB.version);
    expect(sentB.statusCode).toBe(200);

    expect((await call(partnerA, 'GET', `/api/partner/referrals/${proposed.id}`)).statusCode).toBe(404);
    expect((await call(partnerA, 'GET', `/api/partner/referrals/${toB.id}`)).statusCode).toBe(404);
    const respond = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${toB.id}/respond`,
      { status: 'accepted' },
      json<Ref>(sentB).version,
    );
    expect(respond.statusCode).toBe(404);
    const listA = json<{ items: Ref[] }>(await call(partnerA, 'GET', '/api/partner/referrals'));
    expect(listA.items.map((i) => i.id)).not.toContain(proposed.id);
    expect(listA.items.map((i) => i.id)).not.toContain(toB.id);
    const listB = json<{ items: Ref[] }>(await call(partnerB, 'GET', '/api/partner/referrals?status=sent'));
    expect(listB.items.map((i) => i.id)).toContain(toB.id);
    expect(listB.items.every((i) => i.status === 'sent')).toBe(true);
    // Case workers cannot use the partner side; partners cannot use case routes.
    expect((await call(advocate, 'GET', '/api/partner/referrals')).statusCode).toBe(403);
    expect((await call(partnerA, 'POST', `/api/referrals/${proposed.id}/send`, {}, 1)).statusCode).toBe(403);
  });

  it('partner accepts then records the outcome; the follow-up task is completed; the case counts as referred', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    let v = json<Ref>(await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version)).version;
    const early = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${r.id}/outcome`,
      { status: 'service_received' },
      v,
    );
    expect(early.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(early).error.code).toBe('REFERRAL_TRANSITION_INVALID');
    const stale = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${r.id}/respond`,
      { status: 'accepted' },
      v - 1,
    );
    expect(stale.statusCode).toBe(409);
    const staleBody = json<{ error: { code: string }; current: { version: number }; changed_by: unknown }>(
      stale,
    );
    expect(staleBody.error.code).toBe('VERSION_CONFLICT');
    expect(staleBody.current.version).toBe(v);
    expect(staleBody.changed_by).toBeNull();
    expect(JSON.stringify(staleBody)).not.toContain('Quillfeather');
    const accepted = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${r.id}/respond`,
      { status: 'accepted', note: '<script>alert(1)</script> intake on Monday' },
      v,
    );
    expect(accepted.statusCode, accepted.body).toBe(200);
    v = json<Ref>(accepted).version;
    expect(await caseHasAcceptedReferral(db, caseId)).toBe(true);
    const [openTask] = await db.select().from(caseTask).where(eq(caseTask.referralId, r.id));
    expect(openTask!.doneAt).toBeNull();
    const outcome = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${r.id}/outcome`,
      { status: 'service_received' },
      v,
    );
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(json<Ref>(outcome).status).toBe('service_received');
    const [doneTask] = await db.select().from(caseTask).where(eq(caseTask.referralId, r.id));
    expect(doneTask!.doneAt).not.toBeNull();
    const [shaped] = (await referralsForCase(db, TEST_KEY, caseId)) as Ref[];
    expect(shaped).toMatchObject({
      id: r.id,
      status: 'service_received',
      outcome_note: '<script>alert(1)</script> intake on Monday',
      follow_up_task_id: doneTask!.id,
    });
    expect(shaped!.responded_at).not.toBeNull();
    expect(shaped!.outcome_at).not.toBeNull();
  });

  it('a partner user without an organisation sees nothing; a referral withdrawn after sending shows as withdrawn', async () => {
    const lone = await sessionFor(db, await createUser(db, { role: 'partner' }));
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    const sent = json<Ref>(await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version));
    const none = await call(lone, 'GET', '/api/partner/referrals');
    expect(none.statusCode).toBe(200);
    expect(json<{ items: Ref[] }>(none).items).toEqual([]);
    expect((await call(lone, 'GET', `/api/partner/referrals/${r.id}`)).statusCode).toBe(404);

    const neverSent = await propose(caseId, personId, CONSENT);
    await call(
      advocate,
      'POST',
      `/api/referrals/${neverSent.id}/status`,
      { status: 'withdrawn' },
      neverSent.version,
    );
    await call(advocate, 'POST', `/api/referrals/${r.id}/status`, { status: 'withdrawn' }, sent.version);
    const list = json<{ items: Ref[] }>(
      await call(partnerA, 'GET', '/api/partner/referrals?status=withdrawn'),
    );
    expect(list.items.map((i) => i.id)).toContain(r.id);
    expect(list.items.map((i) => i.id)).not.toContain(neverSent.id);
    // Withdrawn: the partner no longer sees what was shared.
    const withdrawn = json<Ref & { shared: Record<string, unknown> }>(
      await call(partnerA, 'GET', `/api/partner/referrals/${r.id}`),
    );
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.shared).toEqual({});
    expect((await call(partnerA, 'GET', `/api/partner/referrals/${neverSent.id}`)).statusCode).toBe(404);
    const respond = await call(
      partnerA,
      'POST',
      `/api/partner/referrals/${r.id}/respond`,
      { status: 'accepted' },
      sent.version + 1,
    );
    expect(respond.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(respond).error.code).toBe('REFERRAL_TRANSITION_INVALID');
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'referral.partner_list'), eq(auditLog.targetId, orgA)));
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('withdrawn');
  });

  it('refuses hostile input on the partner side (never a 5xx)', async () => {
    const { caseId, personId } = await makeCase();
    const r = await propose(caseId, personId, CONSENT);
    const sent = json<Ref>(await call(advocate, 'POST', `/api/referrals/${r.id}/send`, {}, r.version));
    const url = `/api/partner/referrals/${r.id}/respond`;
    expect((await call(partnerA, 'POST', url, { status: 'service_received' }, sent.version)).statusCode).toBe(
      400,
    );
    expect(
      (await call(partnerA, 'POST', url, { status: 'accepted', note: 'n'.repeat(2001) }, sent.version))
        .statusCode,
    ).toBe(400);
    expect((await call(partnerA, 'POST', url, { status: 'accepted' })).statusCode).toBe(428);
    expect(
      (
        await call(
          partnerA,
          'POST',
          '/api/partner/referrals/..%2F..%2Fadmin/respond',
          { status: 'accepted' },
          1,
        )
      ).statusCode,
    ).toBe(400);
    expect((await call(partnerA, 'GET', '/api/partner/referrals?status=%3Cscript%3E')).statusCode).toBe(400);
    expect((await call(partnerA, 'GET', `/api/cases/${caseId}/referral-search`)).statusCode).toBe(403);
  });
});
