import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { HarbourApp } from '../../app.js';
import { caseTask, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { type Body, caller, type Staff, staffMember, testTeam } from './cases.helpers.test-support.js';

// Owner and restriction (docs/api/cases.md "PATCH /api/cases/:id"): the owner must be able to open the case without
// break-glass, and restricting a case hands its open tasks and ownership over from non-members to the member who
// restricts it — nothing stays with someone who can no longer open the case.

let harbour: HarbourApp;
let db: Db;
let call: ReturnType<typeof caller>;
let member: Staff;
let colleague: Staff;
let outsider: Staff;
let partner: Staff;
let teamId: string;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  call = caller(harbour);
  member = await staffMember(db, 'advocate');
  colleague = await staffMember(db, 'supervisor');
  outsider = await staffMember(db, 'advocate');
  partner = await staffMember(db, 'partner');
  teamId = (await testTeam(db, [member.id, colleague.id])).id;
});
afterAll(() => harbour.app.close());

const due = () => new Date(Date.now() + 86_400_000).toISOString();
const patch = (who: Staff, c: Body, body: Record<string, unknown>) =>
  call(who, 'PATCH', `/api/cases/${c.id}`, body, { 'if-match': String(c.version) });

describe('case owner', () => {
  it('is an active advocate or supervisor who can open the case, else 422 OWNER_CANNOT_OPEN_CASE', async () => {
    const open = (await call(outsider, 'POST', '/api/cases', {})).body as Body;
    const toPartner = await patch(outsider, open, { owner_id: partner.id });
    expect(toPartner.status).toBe(422);
    expect(toPartner.body.error.code).toBe('OWNER_CANNOT_OPEN_CASE');
    const toMember = await patch(outsider, open, { owner_id: member.id });
    expect(toMember.status).toBe(200);
    expect(toMember.body.owner).toMatchObject({ id: member.id });

    const restricted = (await call(member, 'POST', '/api/cases', { restricted_team_id: teamId }))
      .body as Body;
    const toOutsider = await patch(member, restricted, { owner_id: outsider.id });
    expect(toOutsider.status).toBe(422);
    expect(toOutsider.body.error.code).toBe('OWNER_CANNOT_OPEN_CASE');
    // Nothing was saved: the version did not move.
    const after = await call(member, 'GET', `/api/cases/${restricted.id}`);
    expect(after.body.version).toBe(restricted.version);
    expect((await patch(member, restricted, { owner_id: colleague.id })).status).toBe(200);
  });

  it('checks the owner against the team the same change restricts to', async () => {
    const c = (await call(member, 'POST', '/api/cases', {})).body as Body;
    const res = await patch(member, c, { owner_id: outsider.id, restricted_team_id: teamId });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('OWNER_CANNOT_OPEN_CASE');
  });
});

describe('restricting a case', () => {
  it('hands open tasks and ownership from non-members to the member who restricts it', async () => {
    const c = (await call(outsider, 'POST', '/api/cases', {})).body as Body;
    const add = async (assignee: Staff, title: string) => {
      const res = await call(outsider, 'POST', `/api/cases/${c.id}/tasks`, {
        kind: 'task',
        title,
        due_at: due(),
        assignee_id: assignee.id,
      });
      expect(res.status).toBe(201);
      return res.body as Body;
    };
    const outsiders = await add(outsider, 'Follow up (fictional)');
    const colleagues = await add(colleague, 'Check shelter bed (fictional)');
    const done = await add(outsider, 'Already done (fictional)');
    const closed = await call(
      outsider,
      'PATCH',
      `/api/cases/${c.id}/tasks/${done.id}`,
      { done: true },
      { 'if-match': String(done.version) },
    );
    expect(closed.status).toBe(200);
    const current = (await call(outsider, 'GET', `/api/cases/${c.id}`)).body as Body;
    expect(current.owner).toMatchObject({ id: outsider.id });

    const res = await patch(member, current, { restricted_team_id: teamId });
    expect(res.status).toBe(200);
    expect(res.body.owner).toMatchObject({ id: member.id });
    const tasks = await db.select().from(caseTask).where(eq(caseTask.caseId, c.id));
    const byId = new Map(tasks.map((t) => [t.id, t]));
    expect(byId.get(outsiders.id)?.assigneeId).toBe(member.id);
    expect(byId.get(outsiders.id)?.version).toBe(outsiders.version + 1);
    // A member's task stays theirs; a done task keeps who did it.
    expect(byId.get(colleagues.id)?.assigneeId).toBe(colleague.id);
    expect(byId.get(colleagues.id)?.version).toBe(colleagues.version);
    expect(byId.get(done.id)?.assigneeId).toBe(outsider.id);

    const timeline = await call(member, 'GET', `/api/cases/${c.id}/timeline`);
    const restricted = timeline.body.items.find((e: { type: string }) => e.type === 'restricted');
    expect(restricted.data).toEqual({ team_id: teamId, tasks_handed_over: 1, owner_handed_over: true });

    // The moved task now shows in the member's list, and an edit from its old version is a 409.
    const mine = await call(member, 'GET', '/api/tasks/mine');
    expect(mine.body.items.map((t: { id: string }) => t.id)).toContain(outsiders.id);
    const stale = await call(
      member,
      'PATCH',
      `/api/cases/${c.id}/tasks/${outsiders.id}`,
      { title: 'Stale edit (fictional)' },
      { 'if-match': String(outsiders.version) },
    );
    expect(stale.status).toBe(409);
  });

  it('moves nothing when every assignee and the owner are members', async () => {
    const c = (await call(member, 'POST', '/api/cases', {})).body as Body;
    const task = await call(member, 'POST', `/api/cases/${c.id}/tasks`, {
      kind: 'task',
      title: 'Team task (fictional)',
      due_at: due(),
      assignee_id: colleague.id,
    });
    const current = (await call(member, 'GET', `/api/cases/${c.id}`)).body as Body;
    const res = await patch(member, current, { restricted_team_id: teamId });
    expect(res.status).toBe(200);
    expect(res.body.owner).toMatchObject({ id: member.id });
    const [row] = await db.select().from(caseTask).where(eq(caseTask.id, task.body.id));
    expect(row?.assigneeId).toBe(colleague.id);
    const timeline = await call(member, 'GET', `/api/cases/${c.id}/timeline`);
    const restricted = timeline.body.items.find((e: { type: string }) => e.type === 'restricted');
    expect(restricted.data).toEqual({ team_id: teamId, tasks_handed_over: 0, owner_handed_over: false });
  });
});

describe('hand-over rules', () => {
  const addTask = async (c: Body, who: Staff, assignee: Staff, title: string) => {
    const res = await call(who, 'POST', `/api/cases/${c.id}/tasks`, {
      kind: 'task',
      title,
      due_at: due(),
      assignee_id: assignee.id,
    });
    expect(res.status).toBe(201);
    return res.body as Body;
  };
  const assigneeOf = async (taskId: string) =>
    (await db.select().from(caseTask).where(eq(caseTask.id, taskId)))[0]?.assigneeId;

  it('a non-member cannot learn who is in a team through the owner check: 403 whoever the owner', async () => {
    const c = (await call(outsider, 'POST', '/api/cases', {})).body as Body;
    for (const owner of [member, outsider]) {
      const res = await patch(outsider, c, { owner_id: owner.id, restricted_team_id: teamId });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('TEAM_NOT_MEMBER');
    }
  });

  it('a disabled team member does not keep open tasks when the case is restricted', async () => {
    const leaving = await staffMember(db, 'advocate');
    const team2 = (await testTeam(db, [member.id, leaving.id])).id;
    const c = (await call(member, 'POST', '/api/cases', {})).body as Body;
    const task = await addTask(c, member, leaving, 'Call back (fictional)');
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, leaving.id));
    const current = (await call(member, 'GET', `/api/cases/${c.id}`)).body as Body;
    expect((await patch(member, current, { restricted_team_id: team2 })).status).toBe(200);
    expect(await assigneeOf(task.id)).toBe(member.id);
  });

  it('merging an open case into a restricted one hands the outsiders’ open tasks to the member who merges', async () => {
    const target = (await call(member, 'POST', '/api/cases', { restricted_team_id: teamId })).body as Body;
    const source = (await call(outsider, 'POST', '/api/cases', {})).body as Body;
    const task = await addTask(source, outsider, outsider, 'Outsider task (fictional)');
    const res = await call(
      member,
      'POST',
      `/api/cases/${target.id}/merge`,
      { from_case_id: source.id },
      { 'if-match': String(target.version) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await assigneeOf(task.id)).toBe(member.id);
    const timeline = await call(member, 'GET', `/api/cases/${target.id}/timeline`);
    const merged = timeline.body.items.find((e: { type: string }) => e.type === 'merged_from');
    expect(merged.data).toMatchObject({ tasks_handed_over: 1, owner_handed_over: false });
  });

  it('merging a restricted case into an open one owned by an outsider hands over the ownership and tasks', async () => {
    const target = (await call(outsider, 'POST', '/api/cases', {})).body as Body;
    const targetTask = await addTask(target, outsider, outsider, 'Target task (fictional)');
    const source = (await call(member, 'POST', '/api/cases', { restricted_team_id: teamId })).body as Body;
    const current = (await call(outsider, 'GET', `/api/cases/${target.id}`)).body as Body;
    const res = await call(
      member,
      'POST',
      `/api/cases/${target.id}/merge`,
      { from_case_id: source.id },
      { 'if-match': String(current.version) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.owner).toMatchObject({ id: member.id });
    expect(await assigneeOf(targetTask.id)).toBe(member.id);
    // The outsider can no longer open it, and nothing of theirs is stranded in it.
    expect((await call(outsider, 'GET', `/api/cases/${target.id}`)).status).toBe(403);
    const mine = await call(outsider, 'GET', '/api/tasks/mine');
    expect(mine.body.items.map((t: { id: string }) => t.id)).not.toContain(targetTask.id);
  });
});

describe('default assignee of a new task', () => {
  it('the creator; a break-glass reader’s goes to the owner; with no owner who may hold it, 422', async () => {
    const c = (await call(member, 'POST', '/api/cases', { restricted_team_id: teamId })).body as Body;
    const bg = await call(outsider, 'POST', '/api/cases/break-glass', {
      reference: c.reference,
      reason: 'supervision',
    });
    expect(bg.status, JSON.stringify(bg.body)).toBe(201);
    const add = (who: Staff) =>
      call(who, 'POST', `/api/cases/${c.id}/tasks`, {
        kind: 'task',
        title: 'Follow up (fictional)',
        due_at: due(),
      });
    const mine = await add(member);
    expect(mine.status).toBe(201);
    expect(mine.body.assignee).toMatchObject({ id: member.id });
    const theirs = await add(outsider);
    expect(theirs.status).toBe(201);
    expect(theirs.body.assignee).toMatchObject({ id: member.id });
    // The owner leaves the case: nobody to default to.
    const current = (await call(member, 'GET', `/api/cases/${c.id}`)).body as Body;
    expect((await patch(member, current, { owner_id: null })).status).toBe(200);
    const refused = await add(outsider);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('ASSIGNEE_CANNOT_OPEN_CASE');
  });
});
