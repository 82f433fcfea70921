import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { HarbourApp } from '../../app.js';
import { auditLog, caseAccessGrant, caseFile } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { contactHash } from '../channels/contact.js';
import { caller, type Staff, staffMember, testSignal, testTeam } from './cases.helpers.test-support.js';

let harbour: HarbourApp;
let db: Db;
let call: ReturnType<typeof caller>;
let member: Staff;
let outsider: Staff;
let teamId: string;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  call = caller(harbour);
  member = await staffMember(db);
  outsider = await staffMember(db);
  teamId = (await testTeam(db, [member.id])).id;
});
afterAll(() => harbour.app.close());

/** A keyword no other test uses: isolates this test's cases in the shared database. */
const token = () => `zq${Math.random().toString(36).slice(2, 10)}`;

const newCase = async (who: Staff, body: Record<string, unknown> = {}) => {
  const res = await call(who, 'POST', '/api/cases', body);
  expect(res.status).toBe(201);
  return res.body;
};
const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id).sort();

describe('the permission filter', () => {
  it('a restricted case is invisible to a non-member in list, search and by id; visible to a member and after break-glass', async () => {
    const k = token();
    const open = await newCase(member, { keywords: [k] });
    const hidden = await newCase(member, {
      keywords: [k],
      restricted_team_id: teamId,
      title: 'Secret (fictional)',
    });

    const mine = await call(member, 'GET', `/api/cases?q=${k}`);
    expect(ids(mine.body)).toEqual([open.id, hidden.id].sort());
    const theirs = await call(outsider, 'GET', `/api/cases?q=${k}`);
    expect(ids(theirs.body)).toEqual([open.id]);
    expect(theirs.body.restricted).toBeUndefined();
    // The plain list (no filter) never shows it either.
    const list = await call(outsider, 'GET', '/api/cases?limit=100');
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(hidden.id);

    const byId = await call(outsider, 'GET', `/api/cases/${hidden.id}`);
    expect(byId.status).toBe(403);
    expect(byId.body).toMatchObject({
      error: { code: 'CASE_RESTRICTED' },
      reference: hidden.reference,
      restricted: true,
    });
    expect(JSON.stringify(byId.body)).not.toContain('Secret');
    expect((await call(outsider, 'POST', `/api/cases/${hidden.id}/notes`, { body: 'x' })).status).toBe(403);

    // Exact reference: tells that it exists, nothing else.
    const ref = await call(outsider, 'GET', `/api/cases?reference=${hidden.reference}`);
    expect(ref.body).toEqual({ items: [], next_cursor: null, restricted: { reference: hidden.reference } });
    const refMember = await call(member, 'GET', `/api/cases?reference=${hidden.reference.toLowerCase()}`);
    expect(ids(refMember.body)).toEqual([hidden.id]);

    // Break glass: 201 with an 8-hour grant, then it is visible; a second time 200, nothing recorded.
    const bg = await call(outsider, 'POST', '/api/cases/break-glass', {
      reference: hidden.reference,
      reason: 'covering_for_team',
      note: 'Covering a shift (fictional)',
    });
    expect(bg.status).toBe(201);
    expect(bg.body.case_id).toBe(hidden.id);
    const hours = (new Date(bg.body.expires_at).getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8);
    const grants = await db.select().from(caseAccessGrant).where(eq(caseAccessGrant.caseId, hidden.id));
    expect(grants).toHaveLength(1);
    expect(grants[0]!.noteSealed).not.toContain('Covering');
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.break_glass'), eq(auditLog.targetId, hidden.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.reason).toBe('covering_for_team');
    expect(JSON.stringify(audit[0]!.details)).not.toContain('Covering');

    const after = await call(outsider, 'GET', `/api/cases?q=${k}`);
    expect(ids(after.body)).toEqual([open.id, hidden.id].sort());
    const opened = await call(outsider, 'GET', `/api/cases/${hidden.id}`);
    expect(opened.status).toBe(200);
    expect(opened.body.access.via).toBe('break_glass');
    expect(opened.body.timeline.items[0]).toMatchObject({ type: 'break_glass', user: { id: outsider.id } });
    const again = await call(outsider, 'POST', '/api/cases/break-glass', {
      reference: hidden.reference,
      reason: 'covering_for_team',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ case_id: hidden.id, expires_at: null });
    expect(await db.select().from(caseAccessGrant).where(eq(caseAccessGrant.caseId, hidden.id))).toHaveLength(
      1,
    );

    // An expired grant no longer opens it.
    await db
      .update(caseAccessGrant)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(caseAccessGrant.caseId, hidden.id));
    expect((await call(outsider, 'GET', `/api/cases/${hidden.id}`)).status).toBe(403);
    expect(ids((await call(outsider, 'GET', `/api/cases?q=${k}`)).body)).toEqual([open.id]);
  });

  it('break-glass: unknown reference 404, bad reason 400, a case I can open 200', async () => {
    expect(
      (await call(outsider, 'POST', '/api/cases/break-glass', { reference: 'HC-2222-2222', reason: 'other' }))
        .status,
    ).toBe(404);
    const c = await newCase(outsider);
    expect(
      (await call(outsider, 'POST', '/api/cases/break-glass', { reference: c.reference, reason: 'because' }))
        .status,
    ).toBe(400);
    const res = await call(outsider, 'POST', '/api/cases/break-glass', {
      reference: c.reference,
      reason: 'other',
    });
    expect(res.status).toBe(200);
    expect(res.body.expires_at).toBeNull();
  });

  it('tasks/mine lists only visible cases', async () => {
    // A task given to the outsider before the case was restricted to a team they are not in (a task cannot be
    // assigned to them afterwards: 422 ASSIGNEE_CANNOT_OPEN_CASE, assignees.test.ts).
    const open = await newCase(member);
    const due = new Date(Date.now() + 3600_000).toISOString();
    const t = await call(member, 'POST', `/api/cases/${open.id}/tasks`, {
      kind: 'task',
      title: 'Check in (fictional)',
      due_at: due,
      assignee_id: outsider.id,
    });
    expect(t.status).toBe(201);
    const restricted = await call(
      member,
      'PATCH',
      `/api/cases/${open.id}`,
      { restricted_team_id: teamId },
      { 'if-match': String(open.version) },
    );
    expect(restricted.status).toBe(200);
    const c = restricted.body;
    const mine = await call(outsider, 'GET', '/api/tasks/mine');
    expect(mine.body.items.map((i: { id: string }) => i.id)).not.toContain(t.body.id);
    const own = await call(member, 'POST', `/api/cases/${c.id}/tasks`, {
      kind: 'task',
      title: 'Mine',
      due_at: due,
    });
    const memberMine = await call(member, 'GET', '/api/tasks/mine');
    expect(memberMine.body.items.find((i: { id: string }) => i.id === own.body.id)).toMatchObject({
      case_id: c.id,
      case_reference: c.reference,
      title: 'Mine',
    });
  });
});

describe('search filters', () => {
  it('q matches keywords and coded labels, unaccented, case-insensitive; audited with filter names and count', async () => {
    const k = token();
    const a = await newCase(member, { keywords: [`${k} Salon Beauté`] });
    const b = await newCase(member, { keywords: [k] });
    await call(member, 'POST', `/api/cases/${b.id}/people`, {
      role: 'potential_victim',
      venue: 'illicit_massage_health_beauty',
      exploitation_types: ['labour'],
    });
    expect(ids((await call(member, 'GET', `/api/cases?q=${k}`)).body)).toEqual([a.id, b.id].sort());
    expect(ids((await call(member, 'GET', `/api/cases?q=${k}+beaute`)).body)).toEqual([a.id]);
    expect(ids((await call(member, 'GET', `/api/cases?q=${k.toUpperCase()}+MASSAGE`)).body)).toEqual([b.id]);
    expect(ids((await call(member, 'GET', `/api/cases?q=${k}+labour`)).body)).toEqual([b.id]);
    // % and _ are not wildcards.
    expect((await call(member, 'GET', `/api/cases?q=${k}+%25`)).body.items).toEqual([]);
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.search'), eq(auditLog.actorId, member.id)))
      .orderBy(sql`${auditLog.seq} desc`)
      .limit(1);
    expect(audit!.details).toEqual({ filters: ['q'], count: 0 });
    expect(JSON.stringify(audit!.details)).not.toContain(k);
  });

  it('status, region, mine, reference by a signal HB-, city and dates', async () => {
    const k = token();
    const s = await testSignal(db, { region: 'QC' });
    const a = await newCase(member, { keywords: [k], signal_id: s.id });
    const b = await newCase(outsider, { keywords: [k], region: 'BC' });
    await call(
      member,
      'PATCH',
      `/api/cases/${b.id}`,
      { status: 'follow_up' },
      { 'if-match': String(b.version) },
    );
    const q = (extra: string) => call(member, 'GET', `/api/cases?q=${k}&${extra}`).then((r) => r.body);
    expect(ids(await q('status=follow_up'))).toEqual([b.id]);
    expect(ids(await q('status=active,follow_up'))).toEqual([a.id, b.id].sort());
    expect((await call(member, 'GET', `/api/cases?status=active,bogus`)).status).toBe(400);
    expect(ids(await q('region=QC'))).toEqual([a.id]);
    expect(ids(await q('mine=true'))).toEqual([a.id]);
    expect(ids((await call(member, 'GET', `/api/cases?reference=${s.reference}`)).body)).toEqual([a.id]);

    await call(member, 'POST', `/api/cases/${b.id}/places`, {
      type: 'exploitation',
      region: 'BC',
      city: 'Kelowna',
      occurred_from: '2019-03-01',
      occurred_to: '2019-06-30',
    });
    expect(ids(await q('city=kelowna'))).toEqual([b.id]);
    expect(ids(await q('from=2019-05-01&to=2019-05-31'))).toEqual([b.id]);
    const today = new Date().toISOString().slice(0, 10);
    expect(ids(await q(`from=${today}`))).toEqual([a.id, b.id].sort());
    expect(ids(await q('to=2000-01-01'))).toEqual([]);
    expect((await call(member, 'GET', '/api/cases?from=yesterday')).status).toBe(400);
    // Control characters (U+0000 cannot even be compared in PostgreSQL) are refused, never a 500.
    for (const hostile of ['q=ab%00cd', 'city=Mont%00real', 'q=%1b%5b31m', `q=${'x'.repeat(201)}`]) {
      const res = await call(member, 'GET', `/api/cases?${hostile}`);
      expect(res.status, hostile).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('same_contact_as: cases with a signal of the same contact hash; the hash never leaves', async () => {
    const hash = contactHash(TEST_KEY, `+1555010${Math.floor(1000 + Math.random() * 8999)}`);
    const s1 = await testSignal(db, { contactHash: hash });
    const s2 = await testSignal(db, { contactHash: hash });
    const s3 = await testSignal(db, { contactHash: contactHash(TEST_KEY, '+15550100199') });
    const a = await newCase(member, { signal_id: s1.id });
    const b = await newCase(member, { signal_id: s2.id });
    await newCase(member, { signal_id: s3.id });
    const res = await call(member, 'GET', `/api/cases?same_contact_as=${s1.id}`);
    expect(ids(res.body)).toEqual([a.id, b.id].sort());
    expect(JSON.stringify(res.body)).not.toContain(hash);
    const lone = await testSignal(db);
    expect((await call(member, 'GET', `/api/cases?same_contact_as=${lone.id}`)).body.items).toEqual([]);
    expect((await call(member, 'GET', '/api/cases?same_contact_as=nope')).status).toBe(400);
  });

  it('keyset pages: ordered by last activity, no duplicates, no gaps; the same query by two users counts differently', async () => {
    const k = token();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await newCase(member, { keywords: [k] })).id);
    for (let i = 0; i < 3; i++)
      made.push((await newCase(member, { keywords: [k], restricted_team_id: teamId })).id);
    // Same activity time for several: the id breaks the tie.
    await db
      .update(caseFile)
      .set({ lastActivityAt: new Date('2026-01-01T00:00:00.123456Z') })
      .where(
        sql`${caseFile.id} in (${sql.join(
          made.slice(0, 4).map((id) => sql`${id}`),
          sql`, `,
        )})`,
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/cases?q=${k}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await call(member, 'GET', url);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      const times = res.body.items.map((i: { last_activity_at: string }) => i.last_activity_at);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen.sort()).toEqual([...made].sort());
    const outsiderCount = (await call(outsider, 'GET', `/api/cases?q=${k}&limit=100`)).body.items.length;
    expect(outsiderCount).toBe(7);
    expect((await call(member, 'GET', '/api/cases?cursor=bm9wZQ')).status).toBe(400);
    expect((await call(member, 'GET', '/api/cases?limit=101')).status).toBe(400);
  });
});
