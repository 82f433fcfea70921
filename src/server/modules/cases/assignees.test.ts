import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { HarbourApp } from '../../app.js';
import { auditLog, caseTask, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { type Body, caller, type Staff, staffMember, testTeam } from './cases.helpers.test-support.js';

// Who a task or call-back may go to (docs/api/cases.md "People, places, notes, tasks"): GET /api/cases/:id/assignees
// lists the active advocates and supervisors who open the case without break-glass, and assigning to anyone else is
// 422 ASSIGNEE_CANNOT_OPEN_CASE. The users table holds other files' rows: lists are checked for my own users only,
// except on a restricted case, whose team is mine.

let harbour: HarbourApp;
let db: Db;
let call: ReturnType<typeof caller>;
let member: Staff;
let memberSupervisor: Staff;
let outsider: Staff;
let supervisor: Staff;
let disabledMember: Staff;
let partnerMember: Staff;
let analyst: Staff;
let teamId: string;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  call = caller(harbour);
  member = await staffMember(db, 'advocate');
  memberSupervisor = await staffMember(db, 'supervisor');
  outsider = await staffMember(db, 'advocate');
  supervisor = await staffMember(db, 'supervisor');
  analyst = await staffMember(db, 'analyst');
  partnerMember = await staffMember(db, 'partner');
  disabledMember = await staffMember(db, 'advocate');
  // A disabled account and a partner in the team: neither may be given a task.
  teamId = (await testTeam(db, [member.id, memberSupervisor.id, disabledMember.id, partnerMember.id])).id;
  await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabledMember.id));
});
afterAll(() => harbour.app.close());

const newCase = async (who: Staff, body: Record<string, unknown> = {}) => {
  const res = await call(who, 'POST', '/api/cases', body);
  expect(res.status).toBe(201);
  return res.body as Body;
};
const due = () => new Date(Date.now() + 86_400_000).toISOString();
const ids = (body: Body): string[] => body.items.map((i: { id: string }) => i.id);

describe('GET /api/cases/:id/assignees', () => {
  it('an open case: active advocates and supervisors, not disabled accounts, partners or analysts', async () => {
    const c = await newCase(member);
    const res = await call(member, 'GET', `/api/cases/${c.id}/assignees`);
    expect(res.status).toBe(200);
    const found = ids(res.body);
    expect(found).toEqual(
      expect.arrayContaining([member.id, memberSupervisor.id, outsider.id, supervisor.id]),
    );
    for (const excluded of [disabledMember.id, partnerMember.id, analyst.id])
      expect(found).not.toContain(excluded);
    expect(res.body.items.find((i: { id: string }) => i.id === supervisor.id)).toEqual({
      id: supervisor.id,
      display_name: expect.stringContaining('(fictional)'),
      role: 'supervisor',
    });
    expect(new Set(res.body.items.map((i: { role: string }) => i.role))).toEqual(
      new Set(['advocate', 'supervisor']),
    );
    expect(new Set(found).size).toBe(found.length);
  });

  it('a restricted case: only its team’s active advocates and supervisors, by name; a break-glass reader is not one', async () => {
    const c = await newCase(member, { restricted_team_id: teamId });
    const res = await call(memberSupervisor, 'GET', `/api/cases/${c.id}/assignees`);
    expect(res.status).toBe(200);
    // "Test advocate …" sorts before "Test supervisor …".
    expect(res.body.items.map((i: { id: string; role: string }) => [i.id, i.role])).toEqual([
      [member.id, 'advocate'],
      [memberSupervisor.id, 'supervisor'],
    ]);
    // With a grant the outsider may read the case, and the list, but is not in it.
    const bg = await call(outsider, 'POST', '/api/cases/break-glass', {
      reference: c.reference,
      reason: 'supervision',
    });
    expect(bg.status).toBe(201);
    const viaGrant = await call(outsider, 'GET', `/api/cases/${c.id}/assignees`);
    expect(viaGrant.status).toBe(200);
    expect(ids(viaGrant.body)).toEqual([member.id, memberSupervisor.id]);
  });

  it('a case I cannot see: restricted as on reading it (403 CASE_RESTRICTED), unknown 404; not audited as a read', async () => {
    const c = await newCase(member, { restricted_team_id: teamId });
    const restricted = await call(supervisor, 'GET', `/api/cases/${c.id}/assignees`);
    expect(restricted.status).toBe(403);
    expect(restricted.body.error.code).toBe('CASE_RESTRICTED');
    expect(JSON.stringify(restricted.body)).not.toContain(member.id);
    const unknown = await call(member, 'GET', `/api/cases/${crypto.randomUUID()}/assignees`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    // Partners and analysts have no case routes.
    expect((await call(partnerMember, 'GET', `/api/cases/${c.id}/assignees`)).status).toBe(403);
    expect((await call(analyst, 'GET', `/api/cases/${c.id}/assignees`)).status).toBe(403);
    // Listing colleagues reveals nothing of the case: no case.read row.
    const open = await newCase(member);
    expect((await call(member, 'GET', `/api/cases/${open.id}/assignees`)).status).toBe(200);
    const reads = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.read'), eq(auditLog.targetId, open.id)));
    expect(reads).toEqual([]);
  });

  it('hostile input: a malformed id is 400', async () => {
    for (const bad of ['not-a-uuid', '1%27%20or%201%3D1', `${crypto.randomUUID()}x`]) {
      const res = await call(member, 'GET', `/api/cases/${bad}/assignees`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('assigning a task', () => {
  it('a restricted case: a team member is accepted; an outsider, a partner, a disabled member 422, nothing written', async () => {
    const c = await newCase(member, { restricted_team_id: teamId });
    const post = (assignee: string) =>
      call(member, 'POST', `/api/cases/${c.id}/tasks`, {
        kind: 'task',
        title: 'Visit the shelter (fictional)',
        due_at: due(),
        assignee_id: assignee,
      });
    const ok = await post(memberSupervisor.id);
    expect(ok.status).toBe(201);
    expect(ok.body.assignee).toEqual({ id: memberSupervisor.id, display_name: expect.any(String) });
    for (const who of [outsider.id, partnerMember.id, disabledMember.id, crypto.randomUUID()]) {
      const res = await post(who);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('ASSIGNEE_CANNOT_OPEN_CASE');
      expect(res.body.error.message).not.toContain(who);
    }
    const rows = await db.select().from(caseTask).where(eq(caseTask.caseId, c.id));
    expect(rows.map((r) => r.assigneeId)).toEqual([memberSupervisor.id]);
  });

  it('an open case: a colleague is accepted; a partner, an analyst, a disabled advocate 422 (in French too)', async () => {
    const c = await newCase(member);
    const post = (assignee: string, headers: Record<string, string> = {}) =>
      call(
        member,
        'POST',
        `/api/cases/${c.id}/tasks`,
        { kind: 'task', due_at: due(), assignee_id: assignee },
        headers,
      );
    expect((await post(outsider.id)).status).toBe(201);
    for (const who of [partnerMember.id, analyst.id, disabledMember.id]) {
      const res = await post(who);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('ASSIGNEE_CANNOT_OPEN_CASE');
    }
    const fr = await post(partnerMember.id, { 'accept-language': 'fr-CA' });
    expect(fr.status).toBe(422);
    expect(fr.body.error.message).toMatch(/dossier/);
  });

  it('reassigning (PATCH, If-Match): to a team member 200; to an outsider or a break-glass reader 422, task unchanged', async () => {
    const c = await newCase(member, { restricted_team_id: teamId });
    const created = await call(member, 'POST', `/api/cases/${c.id}/tasks`, {
      kind: 'task',
      title: 'Follow up (fictional)',
      due_at: due(),
    });
    expect(created.status).toBe(201);
    expect(created.body.assignee.id).toBe(member.id);
    const patch = (assignee: string | null, version: number) =>
      call(
        member,
        'PATCH',
        `/api/cases/${c.id}/tasks/${created.body.id}`,
        { assignee_id: assignee },
        { 'if-match': String(version) },
      );
    const moved = await patch(memberSupervisor.id, 1);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ assignee: { id: memberSupervisor.id }, version: 2 });
    // A grant lets the outsider read the case: it does not make them someone a task can go to.
    await call(outsider, 'POST', '/api/cases/break-glass', { reference: c.reference, reason: 'supervision' });
    for (const who of [outsider.id, supervisor.id, partnerMember.id, disabledMember.id]) {
      const res = await patch(who, 2);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('ASSIGNEE_CANNOT_OPEN_CASE');
    }
    const [row] = await db.select().from(caseTask).where(eq(caseTask.id, created.body.id));
    expect(row).toMatchObject({ assigneeId: memberSupervisor.id, version: 2 });
    // A stale version is still a 409 with the task as it is now.
    const stale = await patch(member.id, 1);
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ assignee: { id: memberSupervisor.id }, version: 2 });
  });

  it('hostile input: a malformed assignee id is 400', async () => {
    const c = await newCase(member);
    for (const bad of ['nobody', '', 42, ['x']]) {
      const res = await call(member, 'POST', `/api/cases/${c.id}/tasks`, {
        kind: 'task',
        due_at: due(),
        assignee_id: bad,
      });
      expect(res.status).toBe(400);
    }
  });
});
