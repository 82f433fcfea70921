import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { HarbourApp } from '../../app.js';
import { caseTask, screening } from '../../db/schema.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { type Body, caller, type Staff, staffMember, testSignal } from './cases.helpers.test-support.js';
import { presentTasksWithPlan } from './cases.service.js';

// GET /api/tasks/mine checks an open call-back against its signal's safety plan as it is now, exactly as the case
// detail does (plan_conflict, voicemail_allowed), and never carries a number.

let harbour: HarbourApp;
let db: Db;
let call: ReturnType<typeof caller>;
let advocate: Staff;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  call = caller(harbour);
  advocate = await staffMember(db);
});
afterAll(() => harbour.app.close());

const SAFE_NUMBER = '+15550100177';
const plan = {
  safe_times: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
  time_zone: 'America/Toronto',
  contact_number_safe: true,
  safe_numbers: [{ label: 'Friend (fictional)', number: SAFE_NUMBER }],
  voicemail_allowed: true,
};
const setPlan = (signalId: string, value: unknown) =>
  db
    .update(screening)
    .set({ safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify(value), signalId) })
    .where(eq(screening.signalId, signalId));

/** A case with one call-back (12:00 Toronto on a Wednesday, on safe number 0) and one plain task. */
async function caseWithCallBack(who: Staff) {
  const s = await testSignal(db);
  const created = await call(who, 'POST', '/api/cases', { signal_id: s.id });
  expect(created.status).toBe(201);
  await db.insert(screening).values({
    signalId: s.id,
    safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify(plan), s.id),
  });
  const callBack = await call(who, 'POST', `/api/cases/${created.body.id}/tasks`, {
    kind: 'call_back',
    signal_id: s.id,
    call_number_ref: 'safe:0',
    due_at: '2030-06-12T16:00:00.000Z',
    title: 'Check in (fictional)',
  });
  expect(callBack.status).toBe(201);
  const task = await call(who, 'POST', `/api/cases/${created.body.id}/tasks`, {
    kind: 'task',
    due_at: '2030-06-13T16:00:00.000Z',
    title: 'Find a shelter (fictional)',
  });
  expect(task.status).toBe(201);
  return { signal: s, caseId: created.body.id as string, callBack: callBack.body, task: task.body };
}

async function mine(who: Staff, ids: string[]) {
  const res = await call(who, 'GET', '/api/tasks/mine');
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.items as Body[]).filter((t) => ids.includes(t.id)).map((t) => [t.id, t]),
  ) as Record<string, Body>;
}

describe('GET /api/tasks/mine and the safety plan', () => {
  it('a call-back the plan allows: no conflict, voicemail as the plan says; a plain task is never checked', async () => {
    const { callBack, task, caseId } = await caseWithCallBack(advocate);
    const items = await mine(advocate, [callBack.id, task.id]);
    expect(items[callBack.id]).toMatchObject({
      kind: 'call_back',
      case_id: caseId,
      plan_conflict: null,
      voicemail_allowed: true,
      call_number_ref: 'safe:0',
    });
    expect(items[task.id]).toMatchObject({ kind: 'task', plan_conflict: null, voicemail_allowed: null });
    // The reference to the number, never the number.
    const res = await call(advocate, 'GET', '/api/tasks/mine');
    expect(JSON.stringify(res.body)).not.toContain(SAFE_NUMBER);
  });

  it('says whether calling is safe right now (an overdue call-back asks "may I call now?"); null for a task', async () => {
    const { callBack, task } = await caseWithCallBack(advocate);
    const rows = await db.select().from(caseTask).where(eq(caseTask.id, callBack.id));
    const at = async (iso: string) =>
      (await presentTasksWithPlan(db, TEST_KEY, rows, new Map(), 'America/Toronto', new Date(iso)))[0];
    // Wednesday 12:00 in Toronto: inside the plan's weekday 09:00–17:00.
    expect((await at('2030-06-12T16:00:00.000Z'))?.safe_now).toBe(true);
    // Saturday, and Wednesday 19:30: outside.
    expect((await at('2030-06-15T16:00:00.000Z'))?.safe_now).toBe(false);
    expect((await at('2030-06-12T23:30:00.000Z'))?.safe_now).toBe(false);
    // The number is no longer safe: never safe now, whatever the time.
    await setPlan(callBack.signal_id, { ...plan, safe_numbers: [] });
    expect((await at('2030-06-12T16:00:00.000Z'))?.safe_now).toBe(false);
    const items = await mine(advocate, [callBack.id, task.id]);
    expect(items[callBack.id]?.safe_now).toBe(false);
    expect(items[task.id]?.safe_now).toBeNull();
  });

  it('the plan changes afterwards: each broken rule is named, and no voicemail — same answer as the case', async () => {
    const { signal, callBack, caseId } = await caseWithCallBack(advocate);
    const onCase = async () =>
      (await call(advocate, 'GET', `/api/cases/${caseId}`)).body.tasks.find(
        (t: { id: string }) => t.id === callBack.id,
      );

    // Voicemail withdrawn only: still safe, no voicemail.
    await setPlan(signal.id, { ...plan, voicemail_allowed: 'declined' });
    expect((await mine(advocate, [callBack.id]))[callBack.id]).toMatchObject({
      plan_conflict: null,
      voicemail_allowed: false,
    });

    // Evenings only.
    await setPlan(signal.id, { ...plan, safe_times: [{ days: ['wed'], from: '19:00', to: '21:00' }] });
    const outside = (await mine(advocate, [callBack.id]))[callBack.id];
    expect(outside).toMatchObject({
      plan_conflict: 'CALLBACK_OUTSIDE_SAFE_WINDOW',
      voicemail_allowed: false,
    });
    expect(await onCase()).toMatchObject({
      plan_conflict: outside.plan_conflict,
      voicemail_allowed: outside.voicemail_allowed,
    });

    // The safe number is gone.
    await setPlan(signal.id, { ...plan, safe_numbers: [] });
    expect((await mine(advocate, [callBack.id]))[callBack.id]).toMatchObject({
      plan_conflict: 'CALLBACK_NUMBER_NOT_SAFE',
      voicemail_allowed: false,
    });

    // No safe times at all.
    await setPlan(signal.id, { ...plan, safe_times: [] });
    expect((await mine(advocate, [callBack.id]))[callBack.id]).toMatchObject({
      plan_conflict: 'CALLBACK_NO_SAFETY_PLAN',
      voicemail_allowed: false,
    });
    expect(await onCase()).toMatchObject({ plan_conflict: 'CALLBACK_NO_SAFETY_PLAN' });
  });

  it('done call-backs leave the list; a reassigned one moves to the new assignee with its check', async () => {
    const colleague = await staffMember(db);
    const { signal, callBack, task, caseId } = await caseWithCallBack(advocate);
    await setPlan(signal.id, { ...plan, contact_number_safe: false, safe_numbers: [] });
    const moved = await call(
      advocate,
      'PATCH',
      `/api/cases/${caseId}/tasks/${callBack.id}`,
      { assignee_id: colleague.id },
      { 'if-match': String(callBack.version) },
    );
    expect(moved.status).toBe(200);
    expect(await mine(advocate, [callBack.id])).toEqual({});
    expect((await mine(colleague, [callBack.id]))[callBack.id]).toMatchObject({
      plan_conflict: 'CALLBACK_NUMBER_NOT_SAFE',
      assignee: { id: colleague.id },
    });
    const done = await call(
      advocate,
      'PATCH',
      `/api/cases/${caseId}/tasks/${task.id}`,
      { done: true },
      { 'if-match': String(task.version) },
    );
    expect(done.status).toBe(200);
    expect(await mine(advocate, [task.id])).toEqual({});
  });
});
