import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { withoutIds } from '../../../../test/helpers/privacy.js';
import type { HarbourApp } from '../../app.js';
import {
  auditLog,
  caseEvent,
  caseFile,
  casePerson,
  casePlaceEvent,
  caseTask,
  screening,
} from '../../db/schema.js';
import { decrypt, encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { caller, type Staff, staffMember, testSignal } from './cases.helpers.test-support.js';

let harbour: HarbourApp;
let db: Db;
let call: ReturnType<typeof caller>;
let advocate: Staff;
let colleague: Staff;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  call = caller(harbour);
  advocate = await staffMember(db);
  colleague = await staffMember(db);
});
afterAll(() => harbour.app.close());

const newCase = async (body: Record<string, unknown> = {}) => {
  const res = await call(advocate, 'POST', '/api/cases', body);
  expect(res.status).toBe(201);
  return res.body;
};

describe('people', () => {
  it('identity sealed with the person id; codes stored; minor derived; involves_minor follows in the same write', async () => {
    const c = await newCase();
    const res = await call(advocate, 'POST', `/api/cases/${c.id}/people`, {
      role: 'potential_victim',
      name: 'Test Person (fictional)',
      contact: '555-0142',
      age_band: '16_17',
      gender: 'declined',
      citizenship: ['CA'],
      languages: ['fr', 'es-MX'],
      exploitation_types: ['unknown'],
      means_of_control: ['debt_bondage', 'withholds_documents'],
    });
    expect(res.status).toBe(201);
    const p = res.body;
    expect(p).toMatchObject({
      role: 'potential_victim',
      name: 'Test Person (fictional)',
      alias: null,
      contact: '555-0142',
      gender: 'declined',
      age: null,
      age_band: '16_17',
      exploitation_types: ['unknown'],
      is_minor: true,
      version: 1,
    });
    const [row] = await db.select().from(casePerson).where(eq(casePerson.id, p.id));
    expect(row!.identitySealed).not.toContain('Test Person');
    expect(JSON.parse(decrypt(TEST_KEY, row!.identitySealed!, p.id).toString())).toMatchObject({
      name: 'Test Person (fictional)',
    });
    expect(() => decrypt(TEST_KEY, row!.identitySealed!, c.id)).toThrow();
    const [cRow] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(cRow!.involvesMinor).toBe(true);
    expect(cRow!.version).toBe(c.version + 1);
    const events = await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id));
    expect(withoutIds(JSON.stringify(events.map((e) => e.data)))).not.toMatch(/Test Person|555/);

    // An exact age wins over the band; an adult is no minor; the case follows.
    const upd = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/people/${p.id}`,
      { age: 19, alias: 'Al (fictional)' },
      {
        'if-match': '1',
      },
    );
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ age: 19, age_band: '18_24', is_minor: false, version: 2 });
    expect(upd.body.name).toBe('Test Person (fictional)');
    expect(upd.body.alias).toBe('Al (fictional)');
    const [after] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(after!.involvesMinor).toBe(false);

    const stale = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/people/${p.id}`,
      { age: 12 },
      { 'if-match': '1' },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ id: p.id, age: 19, version: 2 });
    expect(stale.body.changed_by).toMatchObject({ id: advocate.id });
    expect((await call(advocate, 'PATCH', `/api/cases/${c.id}/people/${p.id}`, { age: 12 })).status).toBe(
      428,
    );

    // A minor who is not a victim (a witness) does not make the case involve a minor.
    const w = await call(advocate, 'POST', `/api/cases/${c.id}/people`, { role: 'witness', age: 10 });
    expect(w.body.is_minor).toBe(false);
    const del = await call(advocate, 'DELETE', `/api/cases/${c.id}/people/${w.body.id}`);
    expect(del.status).toBe(204);
    expect((await call(advocate, 'DELETE', `/api/cases/${c.id}/people/${w.body.id}`)).status).toBe(404);
    const d = await call(colleague, 'GET', `/api/cases/${c.id}`);
    expect(d.body.people.map((x: { id: string }) => x.id)).toEqual([p.id]);
    expect(d.body.timeline.items.map((e: { type: string }) => e.type).slice(0, 4)).toEqual([
      'person_removed',
      'person_added',
      'person_updated',
      'person_added',
    ]);
  });

  it('hostile input: markers mixed 422, unknown codes and oversize 400, another case’s person 404', async () => {
    const c = await newCase();
    const post = (body: unknown) => call(advocate, 'POST', `/api/cases/${c.id}/people`, body);
    const mixed = await post({ role: 'survivor', exploitation_types: ['declined', 'sex'] });
    expect(mixed.status).toBe(422);
    expect(mixed.body.error.code).toBe('ANSWER_INVALID');
    expect(mixed.body.error.message).toContain('exploitation_types');
    expect((await post({ role: 'survivor', citizenship: ['CA', 'unknown'] })).status).toBe(422);
    expect((await post({ role: 'survivor', venue: 'casino' })).status).toBe(400);
    expect((await post({ role: 'boss' })).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect((await post({ role: 'survivor', name: 'x'.repeat(201) })).status).toBe(400);
    expect((await post({ role: 'survivor', age: 121 })).status).toBe(400);
    expect((await post({ role: 'survivor', age: '12' })).status).toBe(400);
    expect((await post({ role: 'survivor', languages: ['<script>'] })).status).toBe(400);
    const html = await post({ role: 'survivor', name: '<img src=x onerror=alert(1)>' });
    expect(html.status).toBe(201);
    expect(html.body.name).toBe('<img src=x onerror=alert(1)>');
    const other = await newCase();
    expect(
      (
        await call(
          advocate,
          'PATCH',
          `/api/cases/${other.id}/people/${html.body.id}`,
          { age: 3 },
          { 'if-match': '1' },
        )
      ).status,
    ).toBe(404);
    expect(
      (await call(advocate, 'PATCH', `/api/cases/${c.id}/people/nope`, {}, { 'if-match': '1' })).status,
    ).toBe(400);
  });
});

describe('places', () => {
  it('added with a sealed description, listed, removed', async () => {
    const c = await newCase();
    const person = await call(advocate, 'POST', `/api/cases/${c.id}/people`, { role: 'survivor' });
    const res = await call(advocate, 'POST', `/api/cases/${c.id}/places`, {
      person_id: person.body.id,
      type: 'recruitment',
      region: 'ON',
      city: 'Sudbury',
      country: 'CA',
      date_marker: 'unknown',
      description: 'Near a bus station (fictional)',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'recruitment',
      city: 'Sudbury',
      description: 'Near a bus station (fictional)',
    });
    const [row] = await db.select().from(casePlaceEvent).where(eq(casePlaceEvent.id, res.body.id));
    expect(row!.descriptionSealed).not.toContain('bus');
    const d = await call(advocate, 'GET', `/api/cases/${c.id}`);
    expect(d.body.places).toHaveLength(1);
    expect((await call(advocate, 'DELETE', `/api/cases/${c.id}/places/${res.body.id}`)).status).toBe(204);
    expect((await call(advocate, 'DELETE', `/api/cases/${c.id}/places/${res.body.id}`)).status).toBe(404);
    const bad = (body: unknown) => call(advocate, 'POST', `/api/cases/${c.id}/places`, body);
    expect((await bad({ type: 'holiday' })).status).toBe(400);
    expect((await bad({ type: 'transit', country: 'Canada' })).status).toBe(400);
    expect((await bad({ type: 'transit', occurred_from: '2020-02-30x' })).status).toBe(400);
    expect(
      (await bad({ type: 'transit', occurred_from: '2020-05-01', occurred_to: '2020-04-01' })).status,
    ).toBe(400);
    expect((await bad({ type: 'transit', person_id: crypto.randomUUID() })).status).toBe(400);
  });
});

describe('tasks', () => {
  it('a task: created for me by default, done and undone with If-Match, listed in tasks/mine', async () => {
    const c = await newCase();
    const due = new Date(Date.now() + 2 * 86400_000).toISOString();
    const res = await call(advocate, 'POST', `/api/cases/${c.id}/tasks`, {
      kind: 'task',
      title: 'Call the shelter (fictional)',
      due_at: due,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'task',
      title: 'Call the shelter (fictional)',
      due_at: due,
      assignee: { id: advocate.id },
      done_at: null,
      version: 1,
    });
    const [row] = await db.select().from(caseTask).where(eq(caseTask.id, res.body.id));
    expect(row!.titleSealed).not.toContain('shelter');
    const mine = await call(advocate, 'GET', '/api/tasks/mine');
    expect(mine.body.items.find((t: { id: string }) => t.id === res.body.id)).toMatchObject({
      case_id: c.id,
    });
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.search'), eq(auditLog.actorId, advocate.id)))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    expect(audit!.details).toEqual({ filters: ['tasks_mine'], count: mine.body.items.length });
    const done = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/tasks/${res.body.id}`,
      { done: true },
      {
        'if-match': '1',
      },
    );
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ done_by: { id: advocate.id }, version: 2 });
    expect(done.body.done_at).toBeTruthy();
    const mineAfter = await call(advocate, 'GET', '/api/tasks/mine');
    expect(mineAfter.body.items.find((t: { id: string }) => t.id === res.body.id)).toBeUndefined();
    const stale = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/tasks/${res.body.id}`,
      { done: false },
      {
        'if-match': '1',
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ id: res.body.id, version: 2 });
    const undo = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/tasks/${res.body.id}`,
      { done: false, assignee_id: colleague.id },
      {
        'if-match': '2',
      },
    );
    expect(undo.body).toMatchObject({
      done_at: null,
      done_by: null,
      assignee: { id: colleague.id },
      version: 3,
    });
    const d = await call(advocate, 'GET', `/api/cases/${c.id}`);
    expect(d.body.open_task_count).toBe(1);
    expect(d.body.timeline.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['task_added', 'task_done', 'task_reopened']),
    );
  });

  it('hostile input: bad dates, unknown assignees, another case’s signal', async () => {
    const c = await newCase();
    const post = (body: unknown) => call(advocate, 'POST', `/api/cases/${c.id}/tasks`, body);
    const due = new Date(Date.now() + 86400_000).toISOString();
    expect((await post({ kind: 'task', title: 'x', due_at: 'tomorrow' })).status).toBe(400);
    expect((await post({ kind: 'referral_follow_up', title: 'x', due_at: due })).status).toBe(400);
    expect((await post({ kind: 'task', title: 'x'.repeat(201), due_at: due })).status).toBe(400);
    // Someone who cannot open the case: 422 ASSIGNEE_CANNOT_OPEN_CASE (assignees.test.ts).
    expect(
      (await post({ kind: 'task', title: 'x', due_at: due, assignee_id: crypto.randomUUID() })).status,
    ).toBe(422);
    const analyst = await staffMember(db, 'analyst');
    expect((await post({ kind: 'task', title: 'x', due_at: due, assignee_id: analyst.id })).status).toBe(422);
    const s = await testSignal(db);
    expect(
      (await post({ kind: 'call_back', due_at: due, signal_id: s.id, call_number_ref: 'contact' })).status,
    ).toBe(400);
    expect((await post({ kind: 'call_back', due_at: due })).status).toBe(400);
    expect(
      (await post({ kind: 'call_back', due_at: due, signal_id: s.id, call_number_ref: 'safe:x' })).status,
    ).toBe(400);
  });

  it('a call-back follows the safety plan: none 422, outside the safe times 422, unsafe number 422, else stored with voicemail', async () => {
    const s = await testSignal(db);
    const c = await newCase({ signal_id: s.id });
    const post = (body: Record<string, unknown>) =>
      call(advocate, 'POST', `/api/cases/${c.id}/tasks`, { kind: 'call_back', signal_id: s.id, ...body });
    // 12:00 in Toronto (EDT) on a Wednesday.
    const inside = '2030-06-12T16:00:00.000Z';
    const outside = '2030-06-12T03:00:00.000Z';
    const none = await post({ due_at: inside, call_number_ref: 'contact' });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('CALLBACK_NO_SAFETY_PLAN');
    const plan = {
      safe_times: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
      time_zone: 'America/Toronto',
      contact_number_safe: true,
      safe_numbers: [{ label: 'Friend (fictional)', number: '+15550100123' }],
      voicemail_allowed: true,
    };
    await db.insert(screening).values({
      signalId: s.id,
      safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify(plan), s.id),
    });
    const late = await post({ due_at: outside, call_number_ref: 'contact' });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('CALLBACK_OUTSIDE_SAFE_WINDOW');
    const unsafe = await post({ due_at: inside, call_number_ref: 'safe:4' });
    expect(unsafe.status).toBe(422);
    expect(unsafe.body.error.code).toBe('CALLBACK_NUMBER_NOT_SAFE');
    const ok = await post({ due_at: inside, call_number_ref: 'safe:0', title: 'Call back (fictional)' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      kind: 'call_back',
      signal_id: s.id,
      call_number_ref: 'safe:0',
      voicemail_allowed: true,
      due_at: inside,
    });
    // Moving it outside the safe times is refused too.
    const moved = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}/tasks/${ok.body.id}`,
      { due_at: outside },
      {
        'if-match': '1',
      },
    );
    expect(moved.status).toBe(422);
    expect(moved.body.error.code).toBe('CALLBACK_OUTSIDE_SAFE_WINDOW');

    // The plan changes afterwards (evenings only, no voicemail): the case shows the call-back as no longer safe.
    const open = async () =>
      (await call(advocate, 'GET', `/api/cases/${c.id}`)).body.tasks.find(
        (t: { id: string }) => t.id === ok.body.id,
      );
    expect(await open()).toMatchObject({ plan_conflict: null, voicemail_allowed: true });
    await db
      .update(screening)
      .set({
        safetyPlanSealed: encrypt(
          TEST_KEY,
          JSON.stringify({
            ...plan,
            safe_times: [{ days: ['wed'], from: '19:00', to: '21:00' }],
            voicemail_allowed: false,
          }),
          s.id,
        ),
      })
      .where(eq(screening.signalId, s.id));
    expect(await open()).toMatchObject({
      plan_conflict: 'CALLBACK_OUTSIDE_SAFE_WINDOW',
      voicemail_allowed: false,
    });
  });
});
