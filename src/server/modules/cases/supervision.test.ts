import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestUser } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import {
  auditLog,
  caseAccessGrant,
  caseFile,
  escalation,
  organization,
  referral,
  teamMember,
} from '../../db/schema.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted on.
type Loose = any;

let harbour: HarbourApp;
let db: Db;
let advocate: TestUser;
let sup1: TestUser;
let sup2: TestUser;
let orgId: string;
const headers: Record<string, Record<string, string>> = {};

const rnd = () => Math.random().toString(36).slice(2, 6).toUpperCase();
const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000);

async function newCase(values: Partial<typeof caseFile.$inferInsert> = {}) {
  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-V${rnd()}-${rnd()}`, ...values })
    .returning();
  return c!;
}

async function newGrant(caseId: string, userId: string, opts: { note?: string; reviewedBy?: string } = {}) {
  const id = randomUUID();
  const [g] = await db
    .insert(caseAccessGrant)
    .values({
      id,
      caseId,
      userId,
      reason: 'covering_for_team',
      noteSealed: opts.note ? encrypt(TEST_KEY, opts.note, id) : null,
      expiresAt: new Date(Date.now() + 8 * 3600_000),
      ...(opts.reviewedBy ? { reviewedBy: opts.reviewedBy, reviewedAt: new Date() } : {}),
    })
    .returning();
  return g!;
}

async function newReferral(caseId: string, override?: { at: Date; reason: string }) {
  const id = randomUUID();
  const [r] = await db
    .insert(referral)
    .values({
      id,
      caseId,
      need: 'shelter_housing',
      organizationId: orgId,
      ...(override
        ? {
            overrideBy: sup1.id,
            overrideAt: override.at,
            overrideReasonSealed: encrypt(TEST_KEY, override.reason, id),
          }
        : {}),
    })
    .returning();
  return r!;
}

async function newEscalation(
  caseId: string,
  opts: { consent: boolean; status?: string; createdAt?: Date; note?: string },
) {
  const id = randomUUID();
  const [e] = await db
    .insert(escalation)
    .values({
      id,
      caseId,
      kind: 'child_protection',
      status: opts.status ?? 'open',
      protocolSnapshot: { version: 1, steps: [] },
      consentGiven: opts.consent,
      overrideReason: opts.consent ? null : 'minor',
      overrideNoteSealed: opts.note ? encrypt(TEST_KEY, opts.note, id) : null,
      createdBy: advocate.id,
      ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
    })
    .returning();
  return e!;
}

const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  harbour.app.inject({
    method,
    url,
    headers: headers[who],
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const lastAudit = async (action: string) => {
  const [row] = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.actorId, sup1.id)))
    .orderBy(sql`${auditLog.seq} desc`)
    .limit(1);
  return row;
};

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  advocate = await createUser(db, { role: 'advocate' });
  sup1 = await createUser(db, { role: 'supervisor' });
  sup2 = await createUser(db, { role: 'supervisor' });
  const admin = await createUser(db, { role: 'admin' });
  const analyst = await createUser(db, { role: 'analyst' });
  for (const [k, u] of Object.entries({ advocate, sup1, sup2, admin, analyst }))
    headers[k] = (await sessionFor(db, u)).headers;
  const [org] = await db
    .insert(organization)
    .values({ name: `Supervision Org ${rnd()} (fictional)` })
    .returning();
  orgId = org!.id;
});
afterAll(() => harbour.app.close());

describe('break-glass review', () => {
  it('lists grants with the case reference, who, why and the opened note; reviewed=false hides reviewed ones', async () => {
    const c = await newCase();
    const open = await newGrant(c.id, advocate.id, { note: 'Covering a shift <b>(fictional)</b>' });
    const done = await newGrant(c.id, advocate.id, { reviewedBy: sup2.id });
    const pending = json<Loose>(
      await call('sup1', 'GET', '/api/supervision/break-glass?reviewed=false'),
    ).items;
    const mine = (items: Loose[]) => items.filter((i) => i.case_id === c.id);
    expect(mine(pending)).toEqual([
      {
        id: open.id,
        case_id: c.id,
        case_reference: c.reference,
        user: { id: advocate.id, display_name: expect.stringMatching(/fictional/) },
        reason: 'covering_for_team',
        note: 'Covering a shift <b>(fictional)</b>',
        granted_at: open.grantedAt.toISOString(),
        expires_at: open.expiresAt.toISOString(),
        reviewed_by: null,
        reviewed_at: null,
      },
    ]);
    const reviewed = mine(
      json<Loose>(await call('sup1', 'GET', '/api/supervision/break-glass?reviewed=true')).items,
    );
    expect(reviewed.map((i) => i.id)).toEqual([done.id]);
    expect(reviewed[0].reviewed_by).toMatchObject({ id: sup2.id });
    const all = mine(json<Loose>(await call('sup1', 'GET', '/api/supervision/break-glass')).items);
    expect(all.map((i) => i.id).sort()).toEqual([open.id, done.id].sort());
    const audit = await lastAudit('supervision.read');
    expect(audit!.details).toMatchObject({ list: 'break_glass', count: expect.any(Number) });
    expect(JSON.stringify(audit!.details)).not.toContain('fictional');
  });

  it('supervisors only; a bad filter is 400', async () => {
    for (const who of ['advocate', 'admin', 'analyst'])
      expect((await call(who, 'GET', '/api/supervision/break-glass')).statusCode, who).toBe(403);
    expect((await call('sup1', 'GET', '/api/supervision/break-glass?reviewed=maybe')).statusCode).toBe(400);
  });

  it('review marks once (a second review keeps the first reviewer), never one’s own grant', async () => {
    const c = await newCase();
    const g = await newGrant(c.id, advocate.id);
    const first = await call('sup1', 'POST', `/api/supervision/break-glass/${g.id}/review`, {});
    expect(first.statusCode).toBe(200);
    expect(json<Loose>(first)).toMatchObject({ id: g.id, reviewed_by: { id: sup1.id } });
    const at = json<Loose>(first).reviewed_at;
    expect(typeof at).toBe('string');
    const again = await call('sup2', 'POST', `/api/supervision/break-glass/${g.id}/review`);
    expect(json<Loose>(again)).toMatchObject({ reviewed_by: { id: sup1.id }, reviewed_at: at });
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.break_glass_review'), eq(auditLog.targetId, c.id)));
    expect(audits.map((a) => a.details)).toEqual([{ grant: g.id }]);

    const own = await newGrant(c.id, sup1.id);
    expect((await call('sup1', 'POST', `/api/supervision/break-glass/${own.id}/review`)).statusCode).toBe(
      403,
    );
    const [row] = await db.select().from(caseAccessGrant).where(eq(caseAccessGrant.id, own.id));
    expect(row!.reviewedAt).toBeNull();
    expect((await call('advocate', 'POST', `/api/supervision/break-glass/${g.id}/review`)).statusCode).toBe(
      403,
    );
    expect(
      (await call('sup1', 'POST', `/api/supervision/break-glass/${randomUUID()}/review`)).statusCode,
    ).toBe(404);
    expect((await call('sup1', 'POST', '/api/supervision/break-glass/nope/review')).statusCode).toBe(400);
  });
});

describe('overrides', () => {
  it('last 90 days: overridden referrals, escalations without consent, waivers; nothing else', async () => {
    const c = await newCase();
    const overridden = await newReferral(c.id, {
      at: new Date(),
      reason: 'Danger to life <script>x</script>',
    });
    const consented = await newReferral(c.id);
    const oldOverride = await newReferral(c.id, { at: daysAgo(91), reason: 'Old (fictional)' });
    const noConsent = await newEscalation(c.id, { consent: false, note: 'Child at risk (fictional)' });
    const withConsent = await newEscalation(c.id, { consent: true });
    const oldNoConsent = await newEscalation(c.id, { consent: false, createdAt: daysAgo(95) });
    const waived = await newCase({ status: 'closed', closeReason: 'lost_contact', closedAt: new Date() });
    await db
      .update(caseFile)
      .set({ protocolWaiverSealed: encrypt(TEST_KEY, 'Family moved abroad (fictional)', waived.id) })
      .where(eq(caseFile.id, waived.id));
    const oldWaiver = await newCase({ status: 'closed', closedAt: daysAgo(120), updatedAt: daysAgo(120) });
    await db
      .update(caseFile)
      .set({ protocolWaiverSealed: encrypt(TEST_KEY, 'old', oldWaiver.id) })
      .where(eq(caseFile.id, oldWaiver.id));
    const plainClosed = await newCase({ status: 'closed', closedAt: new Date() });

    const res = await call('sup1', 'GET', '/api/supervision/overrides');
    expect(res.statusCode).toBe(200);
    const body = json<Loose>(res);
    const refIds = body.referrals.map((r: Loose) => r.id);
    expect(refIds).toContain(overridden.id);
    for (const id of [consented.id, oldOverride.id]) expect(refIds).not.toContain(id);
    expect(body.referrals.find((r: Loose) => r.id === overridden.id)).toEqual({
      id: overridden.id,
      case_id: c.id,
      case_reference: c.reference,
      need: 'shelter_housing',
      status: 'proposed',
      organization: { id: orgId, name: expect.stringMatching(/fictional/) },
      override_by: { id: sup1.id, display_name: expect.any(String) },
      override_at: overridden.overrideAt!.toISOString(),
      reason: 'Danger to life <script>x</script>',
      sent_at: null,
    });
    const escIds = body.escalations.map((e: Loose) => e.id);
    expect(escIds).toContain(noConsent.id);
    for (const id of [withConsent.id, oldNoConsent.id]) expect(escIds).not.toContain(id);
    expect(body.escalations.find((e: Loose) => e.id === noConsent.id)).toMatchObject({
      case_reference: c.reference,
      kind: 'child_protection',
      override_reason: 'minor',
      note: 'Child at risk (fictional)',
      created_by: { id: advocate.id },
    });
    const waiverIds = body.waivers.map((w: Loose) => w.case_id);
    expect(waiverIds).toContain(waived.id);
    for (const id of [oldWaiver.id, plainClosed.id, c.id]) expect(waiverIds).not.toContain(id);
    expect(body.waivers.find((w: Loose) => w.case_id === waived.id)).toMatchObject({
      case_reference: waived.reference,
      status: 'closed',
      close_reason: 'lost_contact',
      waiver: 'Family moved abroad (fictional)',
    });
    const audit = await lastAudit('supervision.read');
    expect(audit!.details).toMatchObject({ list: 'overrides' });
    expect(JSON.stringify(audit)).not.toMatch(/fictional|Danger/);
  });

  it('a sealed reason that cannot be opened shows as null instead of failing the list', async () => {
    const c = await newCase();
    const r = await newReferral(c.id, { at: new Date(), reason: 'x' });
    await db
      .update(referral)
      .set({ overrideReasonSealed: encrypt(TEST_KEY, 'sealed for another row', randomUUID()) })
      .where(eq(referral.id, r.id));
    const res = await call('sup1', 'GET', '/api/supervision/overrides');
    expect(res.statusCode).toBe(200);
    expect(json<Loose>(res).referrals.find((x: Loose) => x.id === r.id).reason).toBeNull();
  });

  it('supervisors only', async () => {
    for (const who of ['advocate', 'admin', 'analyst'])
      expect((await call(who, 'GET', '/api/supervision/overrides')).statusCode, who).toBe(403);
  });
});

describe('approvals', () => {
  it('escalations awaiting approval, oldest first, with the case reference and kind; supervisors only', async () => {
    const c = await newCase();
    const older = await newEscalation(c.id, {
      consent: true,
      status: 'awaiting_approval',
      createdAt: daysAgo(2),
    });
    const newer = await newEscalation(c.id, { consent: false, status: 'awaiting_approval' });
    const running = await newEscalation(c.id, { consent: true, status: 'open' });
    const res = await call('sup1', 'GET', '/api/supervision/approvals');
    expect(res.statusCode).toBe(200);
    const mine = json<Loose>(res).items.filter((i: Loose) => i.case_id === c.id);
    expect(mine.map((i: Loose) => i.id)).toEqual([older.id, newer.id]);
    expect(mine.map((i: Loose) => i.id)).not.toContain(running.id);
    expect(mine[1]).toEqual({
      id: newer.id,
      case_id: c.id,
      case_reference: c.reference,
      kind: 'child_protection',
      consent_given: false,
      override_reason: 'minor',
      created_by: { id: advocate.id, display_name: expect.any(String) },
      created_at: newer.createdAt.toISOString(),
      version: 1,
    });
    expect((await lastAudit('supervision.read'))!.details).toMatchObject({ list: 'approvals' });
    for (const who of ['advocate', 'admin', 'analyst'])
      expect((await call(who, 'GET', '/api/supervision/approvals')).statusCode, who).toBe(403);
  });
});

describe('teams', () => {
  it('create (admins, supervisors), names unique regardless of case, text stored as typed', async () => {
    const name = `Team <i>North</i> ${rnd()} (fictional)`;
    const res = await call('sup1', 'POST', '/api/teams', { name: `  ${name}  ` });
    expect(res.statusCode).toBe(201);
    expect(json<Loose>(res)).toMatchObject({ name, member: false, members: [] });
    const dup = await call('admin', 'POST', '/api/teams', { name: name.toUpperCase() });
    expect(dup.statusCode).toBe(409);
    expect(json<Loose>(dup).error.code).toBe('TEAM_NAME_TAKEN');
    expect((await call('admin', 'POST', '/api/teams', { name: `Admin team ${rnd()}` })).statusCode).toBe(201);
    expect((await call('sup1', 'POST', '/api/teams', { name: '   ' })).statusCode).toBe(400);
    expect((await call('sup1', 'POST', '/api/teams', { name: 'x'.repeat(101) })).statusCode).toBe(400);
    expect((await call('sup1', 'POST', '/api/teams', { name: 42 })).statusCode).toBe(400);
    expect((await call('sup1', 'POST', '/api/teams', {})).statusCode).toBe(400);
    for (const who of ['advocate', 'analyst'])
      expect((await call(who, 'POST', '/api/teams', { name: `No ${rnd()}` })).statusCode, who).toBe(403);
    const audit = await lastAudit('team.create');
    expect(audit!.targetId).toBe(json<Loose>(res).id);
  });

  it('members: replaced as a whole; only active advocates and supervisors; audited with ids', async () => {
    const t = json<Loose>(await call('sup1', 'POST', '/api/teams', { name: `Team M${rnd()}` }));
    const url = `/api/teams/${t.id}/members`;
    const set = await call('sup1', 'PUT', url, { user_ids: [advocate.id, sup2.id] });
    expect(set.statusCode).toBe(200);
    expect(
      json<Loose>(set)
        .members.map((m: Loose) => m.id)
        .sort(),
    ).toEqual([advocate.id, sup2.id].sort());
    expect(json<Loose>(set).member).toBe(false);
    // A supervisor cannot add themselves (that would open the team's restricted cases without break-glass).
    const self = await call('sup1', 'PUT', url, { user_ids: [advocate.id, sup2.id, sup1.id] });
    expect(self.statusCode).toBe(403);

    // The advocate sees the team as theirs, without the member list.
    const seen = json<Loose>(await call('advocate', 'GET', '/api/teams')).items.find(
      (x: Loose) => x.id === t.id,
    );
    expect(seen).toEqual({ id: t.id, name: t.name, member: true });
    const bySup1 = json<Loose>(await call('sup1', 'GET', '/api/teams')).items.find(
      (x: Loose) => x.id === t.id,
    );
    expect(bySup1.member).toBe(false);
    expect(bySup1.members).toHaveLength(2);

    const analyst = await createUser(db, { role: 'analyst' });
    const disabled = await createUser(db, { role: 'advocate', disabled: true });
    for (const ids of [
      [analyst.id],
      [disabled.id],
      [randomUUID()],
      ['not-a-uuid'],
      [advocate.id, advocate.id],
    ]) {
      const res = await call('sup1', 'PUT', url, { user_ids: ids });
      expect(res.statusCode, JSON.stringify(ids)).toBe(400);
    }
    expect((await call('sup1', 'PUT', url, { user_ids: 'everyone' })).statusCode).toBe(400);
    expect(
      (await db.select().from(teamMember).where(eq(teamMember.teamId, t.id))).map((m) => m.userId).sort(),
    ).toEqual([advocate.id, sup2.id].sort());

    const swap = await call('admin', 'PUT', url, { user_ids: [sup1.id, advocate.id] });
    expect(
      json<Loose>(swap)
        .members.map((m: Loose) => m.id)
        .sort(),
    ).toEqual([advocate.id, sup1.id].sort());
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'team.members'), eq(auditLog.targetId, t.id)))
      .orderBy(auditLog.seq);
    expect(audits.map((a) => a.details)).toEqual([
      { added: [advocate.id, sup2.id].sort(), removed: [] },
      { added: [sup1.id], removed: [sup2.id] },
    ]);
    const empty = await call('sup1', 'PUT', url, { user_ids: [] });
    expect(json<Loose>(empty)).toMatchObject({ member: false, members: [] });

    expect((await call('advocate', 'PUT', url, { user_ids: [] })).statusCode).toBe(403);
    expect(
      (await call('sup1', 'PUT', `/api/teams/${randomUUID()}/members`, { user_ids: [] })).statusCode,
    ).toBe(404);
    expect((await call('sup1', 'PUT', '/api/teams/x/members', { user_ids: [] })).statusCode).toBe(400);
  });

  it('GET /api/teams: case workers and admins; not analysts', async () => {
    for (const who of ['advocate', 'sup1', 'admin'])
      expect((await call(who, 'GET', '/api/teams')).statusCode, who).toBe(200);
    expect((await call('analyst', 'GET', '/api/teams')).statusCode).toBe(403);
  });
});
