import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { HarbourApp } from '../../app.js';
import {
  auditLog,
  caseEvent,
  caseFile,
  caseNote,
  caseSignal,
  caseTask,
  escalation,
  organization,
  referral,
} from '../../db/schema.js';
import { decrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { caller, type Staff, staffMember, testSignal, testTeam } from './cases.helpers.test-support.js';
import { buildSearchText, cleanKeywords, generateCaseReference } from './cases.service.js';

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

const newCase = async (who: Staff, body: Record<string, unknown> = {}) => {
  const res = await call(who, 'POST', '/api/cases', body);
  expect(res.status).toBe(201);
  return res.body;
};

describe('pure helpers', () => {
  it('references look like HB- ones with the case prefix', () => {
    for (let i = 0; i < 50; i++)
      expect(generateCaseReference()).toMatch(/^HC-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
  });

  it('search text is lower-cased, unaccented, with code words', () => {
    expect(
      buildSearchText('HC-ABCD-EFGH', ['Salon de Beauté'], 'QC', [
        'illicit_massage_health_beauty',
        'declined',
      ]),
    ).toBe('hc-abcd-efgh salon de beaute qc illicit_massage_health_beauty illicit massage health beauty');
  });

  it('keywords are trimmed, deduplicated and bounded', () => {
    expect(cleanKeywords(['  nail salon ', 'Nail Salon', '', 'trucking'])).toEqual([
      'nail salon',
      'trucking',
    ]);
    expect(() => cleanKeywords(['x'.repeat(41)])).toThrow();
    expect(() => cleanKeywords(Array.from({ length: 21 }, (_, i) => `k${i}`))).toThrow();
  });
});

describe('creating a case', () => {
  it('from a signal: attached, region from the wrap-up, timeline and audit', async () => {
    const s = await testSignal(db, { region: 'MB' });
    const c = await newCase(advocate, {
      signal_id: s.id,
      title: 'Test Person (fictional)',
      keywords: ['nail salon'],
    });
    expect(c.reference).toMatch(/^HC-/);
    expect(c.region).toBe('MB');
    expect(c.status).toBe('active');
    expect(c.title).toBe('Test Person (fictional)');
    expect(c.signal_count).toBe(1);
    expect(c.signals[0]).toMatchObject({ id: s.id, reference: s.reference, channel: 'sms', region: 'MB' });
    expect(c.owner).toMatchObject({ id: advocate.id });
    expect(c.access).toEqual({ via: 'open', expires_at: null });
    expect(c.timeline.items.map((e: { type: string }) => e.type)).toEqual(['signal_attached', 'created']);
    const [row] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(row!.titleSealed).toMatch(/^v2\./);
    expect(row!.titleSealed).not.toContain('Test Person');
    expect(decrypt(TEST_KEY, row!.titleSealed!, c.id).toString()).toBe('Test Person (fictional)');
    expect(row!.searchText).toContain('nail salon');
    expect(row!.searchText).toContain(c.reference.toLowerCase());
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.create'), eq(auditLog.targetId, c.id)));
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits[0]!.details)).not.toContain('Test Person');
  });

  it('a signal already in a case: 409 SIGNAL_ALREADY_IN_CASE naming that case', async () => {
    const s = await testSignal(db);
    const first = await newCase(advocate, { signal_id: s.id });
    const again = await call(advocate, 'POST', '/api/cases', { signal_id: s.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SIGNAL_ALREADY_IN_CASE');
    expect(again.body.error.message).toContain(first.reference);
    const other = await newCase(advocate);
    const attach = await call(advocate, 'POST', `/api/cases/${other.id}/signals`, { signal_id: s.id });
    expect(attach.status).toBe(409);
    expect(attach.body.error.code).toBe('SIGNAL_ALREADY_IN_CASE');
    // Nothing of the refused create was kept.
    const links = await db.select().from(caseSignal).where(eq(caseSignal.signalId, s.id));
    expect(links.map((l) => l.caseId)).toEqual([first.id]);
  });

  it('restricting to a team one is not in: 403 TEAM_NOT_MEMBER', async () => {
    const t = await testTeam(db, [colleague.id]);
    const res = await call(advocate, 'POST', '/api/cases', { restricted_team_id: t.id });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('TEAM_NOT_MEMBER');
  });

  it('attach and detach; GET /api/signals/:id/case follows', async () => {
    const c = await newCase(advocate);
    const s = await testSignal(db, { region: 'NS' });
    const attached = await call(advocate, 'POST', `/api/cases/${c.id}/signals`, { signal_id: s.id });
    expect(attached.status).toBe(200);
    expect(attached.body.signal_count).toBe(1);
    expect(attached.body.region).toBe('NS');
    const of = await call(colleague, 'GET', `/api/signals/${s.id}/case`);
    expect(of.status).toBe(200);
    expect(of.body.case).toMatchObject({ id: c.id, reference: c.reference, signal_count: 1 });
    const detached = await call(advocate, 'DELETE', `/api/cases/${c.id}/signals/${s.id}`);
    expect(detached.status).toBe(200);
    expect(detached.body.signal_count).toBe(0);
    expect(detached.body.timeline.items[0].type).toBe('signal_detached');
    expect((await call(colleague, 'GET', `/api/signals/${s.id}/case`)).body).toEqual({ case: null });
    expect((await call(advocate, 'DELETE', `/api/cases/${c.id}/signals/${s.id}`)).status).toBe(404);
  });
});

describe('reading a case', () => {
  it('every read is audited case.read once, with no personal data', async () => {
    const c = await newCase(advocate, { title: 'Test Person (fictional)' });
    const res = await call(colleague, 'GET', `/api/cases/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(c.id);
    const reads = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.read'), eq(auditLog.targetId, c.id)));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.actorId).toBe(colleague.id);
  });

  it('garbage ids are 400, unknown ones 404, other roles 403', async () => {
    expect((await call(advocate, 'GET', '/api/cases/not-a-uuid')).status).toBe(400);
    expect((await call(advocate, 'GET', `/api/cases/${crypto.randomUUID()}`)).status).toBe(404);
    const analyst = await staffMember(db, 'analyst');
    expect((await call(analyst, 'GET', '/api/cases')).status).toBe(403);
  });

  it('the timeline pages 200 at a time, newest first, notes joined', async () => {
    const c = await newCase(advocate);
    const rows = Array.from({ length: 230 }, (_, i) => ({
      caseId: c.id,
      type: 'updated',
      at: new Date(Date.now() - 1_000_000 + i * 1000),
      userId: advocate.id,
      data: { n: i },
    }));
    await db.insert(caseEvent).values(rows);
    const first = await call(advocate, 'GET', `/api/cases/${c.id}`);
    expect(first.body.timeline.items).toHaveLength(200);
    expect(first.body.timeline.next_cursor).toBeTruthy();
    const second = await call(
      advocate,
      'GET',
      `/api/cases/${c.id}/timeline?cursor=${encodeURIComponent(first.body.timeline.next_cursor)}`,
    );
    expect(second.status).toBe(200);
    // 230 inserted + `created`
    expect(second.body.items).toHaveLength(31);
    expect(second.body.next_cursor).toBeNull();
    const ids = new Set(
      [...first.body.timeline.items, ...second.body.items].map((e: { id: string }) => e.id),
    );
    expect(ids.size).toBe(231);
    expect((await call(advocate, 'GET', `/api/cases/${c.id}/timeline?cursor=garbage`)).status).toBe(400);
  });
});

describe('changing a case', () => {
  it('If-Match: missing 428, stale 409 with the current case and who changed it; nothing written', async () => {
    const c = await newCase(advocate, { title: 'First title (fictional)' });
    expect((await call(advocate, 'PATCH', `/api/cases/${c.id}`, { title: 'x' })).status).toBe(428);
    const ok = await call(
      colleague,
      'PATCH',
      `/api/cases/${c.id}`,
      { keywords: ['trucking'], status: 'follow_up' },
      {
        'if-match': `"${c.version}"`,
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(c.version + 1);
    expect(ok.body.status).toBe('follow_up');
    const stale = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}`,
      { title: 'Mine (fictional)' },
      {
        'if-match': String(c.version),
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.current).toMatchObject({ id: c.id, version: c.version + 1, keywords: ['trucking'] });
    expect(stale.body.current.title).toBe('First title (fictional)');
    expect(stale.body.changed_by).toMatchObject({ id: colleague.id });
    const [row] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(row!.version).toBe(c.version + 1);
  });

  it('restricting: to my own team only; the restricted flag shows', async () => {
    const mine = await testTeam(db, [advocate.id]);
    const theirs = await testTeam(db, [colleague.id]);
    const c = await newCase(advocate);
    const refused = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}`,
      { restricted_team_id: theirs.id },
      {
        'if-match': String(c.version),
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TEAM_NOT_MEMBER');
    const ok = await call(
      advocate,
      'PATCH',
      `/api/cases/${c.id}`,
      { restricted_team_id: mine.id },
      {
        'if-match': String(c.version),
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.restricted).toBe(true);
    expect(ok.body.restricted_team).toEqual({ id: mine.id, name: mine.name });
    expect(ok.body.access.via).toBe('team');
  });

  it('hostile input: oversize, unknown status, html typed as text', async () => {
    const c = await newCase(advocate);
    const h = { 'if-match': String(c.version) };
    expect((await call(advocate, 'PATCH', `/api/cases/${c.id}`, { title: 'x'.repeat(201) }, h)).status).toBe(
      400,
    );
    expect((await call(advocate, 'PATCH', `/api/cases/${c.id}`, { status: 'closed' }, h)).status).toBe(400);
    expect(
      (await call(advocate, 'PATCH', `/api/cases/${c.id}`, { keywords: ['x'.repeat(61)] }, h)).status,
    ).toBe(400);
    expect((await call(advocate, 'PATCH', `/api/cases/${c.id}`, { region: 'Atlantis' }, h)).status).toBe(400);
    const html = '<script>alert(1)</script>';
    const ok = await call(advocate, 'PATCH', `/api/cases/${c.id}`, { title: html }, h);
    expect(ok.status).toBe(200);
    expect(ok.body.title).toBe(html);
  });
});

describe('notes', () => {
  it('stored sealed exactly as typed, shown in the timeline with their author', async () => {
    const c = await newCase(advocate);
    const body = '<script>alert("x")</script> & Test Person (fictional)';
    const res = await call(advocate, 'POST', `/api/cases/${c.id}/notes`, { body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ body, author: { id: advocate.id } });
    const [row] = await db.select().from(caseNote).where(eq(caseNote.id, res.body.id));
    expect(row!.bodySealed).not.toContain('script');
    const d = await call(colleague, 'GET', `/api/cases/${c.id}`);
    const entry = d.body.timeline.items.find((e: { type: string }) => e.type === 'note_added');
    expect(entry.note).toEqual({ id: res.body.id, body, author: res.body.author });
    expect(entry.data).toEqual({ note_id: res.body.id });
    const events = await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id));
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('script');
    expect((await call(advocate, 'POST', `/api/cases/${c.id}/notes`, { body: '' })).status).toBe(400);
    expect(
      (await call(advocate, 'POST', `/api/cases/${c.id}/notes`, { body: 'x'.repeat(10_001) })).status,
    ).toBe(400);
    expect((await call(advocate, 'POST', `/api/cases/${c.id}/notes`, { body: '   ' })).status).toBe(400);
  });
});

describe('merging', () => {
  it('moves everything into the target; the source closes with merged_into; both timelines say so', async () => {
    const target = await newCase(advocate, { keywords: ['nail salon'] });
    const s = await testSignal(db);
    const source = await newCase(advocate, { signal_id: s.id, keywords: ['trucking'] });
    await call(advocate, 'POST', `/api/cases/${source.id}/notes`, { body: 'Note (fictional)' });
    await call(advocate, 'POST', `/api/cases/${source.id}/people`, { role: 'witness' });
    await call(advocate, 'POST', `/api/cases/${source.id}/tasks`, {
      kind: 'task',
      title: 'Follow up (fictional)',
      due_at: new Date(Date.now() + 86400_000).toISOString(),
    });
    const res = await call(
      advocate,
      'POST',
      `/api/cases/${target.id}/merge`,
      { from_case_id: source.id },
      {
        'if-match': String(target.version),
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.signals.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect(res.body.people).toHaveLength(1);
    expect(res.body.tasks).toHaveLength(1);
    expect(res.body.keywords).toEqual(['nail salon', 'trucking']);
    const types = res.body.timeline.items.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('merged_from');
    expect(types).toContain('note_added');
    const src = await db.select().from(caseFile).where(eq(caseFile.id, source.id));
    expect(src[0]).toMatchObject({ status: 'closed', mergedIntoId: target.id, closeReason: 'duplicate' });
    const srcEvents = await db.select().from(caseEvent).where(eq(caseEvent.caseId, source.id));
    expect(srcEvents.map((e) => e.type)).toEqual(['merged_into']);
    const opened = await call(advocate, 'GET', `/api/cases/${source.id}`);
    expect(opened.status).toBe(409);
    expect(opened.body.error.code).toBe('CASE_MERGED');
    expect(opened.body.error.message).toContain(target.reference);
    const tasks = await db.select().from(caseTask).where(eq(caseTask.caseId, target.id));
    expect(tasks).toHaveLength(1);
  });

  it('a restricted source keeps its restriction in the target', async () => {
    const t = await testTeam(db, [advocate.id]);
    const target = await newCase(advocate);
    const source = await newCase(advocate, { restricted_team_id: t.id });
    const res = await call(
      advocate,
      'POST',
      `/api/cases/${target.id}/merge`,
      { from_case_id: source.id },
      { 'if-match': String(target.version) },
    );
    expect(res.status).toBe(200);
    expect(res.body.restricted_team).toEqual({ id: t.id, name: t.name });
    expect((await call(colleague, 'GET', `/api/cases/${target.id}`)).status).toBe(403);
  });

  it('MERGE_INVALID when a merge would widen who sees a restricted case (other team; only a break-glass grant)', async () => {
    const mine = await testTeam(db, [advocate.id]);
    const theirs = await testTeam(db, [colleague.id]);
    const target = await newCase(advocate, { restricted_team_id: mine.id });
    const source = await newCase(colleague, { restricted_team_id: theirs.id });
    const glass = await call(advocate, 'POST', '/api/cases/break-glass', {
      reference: source.reference,
      reason: 'covering_for_team',
    });
    expect(glass.status).toBe(201);
    const intoMine = await call(
      advocate,
      'POST',
      `/api/cases/${target.id}/merge`,
      { from_case_id: source.id },
      { 'if-match': String(target.version) },
    );
    expect(intoMine.status).toBe(409);
    expect(intoMine.body.error.code).toBe('MERGE_INVALID');
    const open = await newCase(advocate);
    const intoOpen = await call(
      advocate,
      'POST',
      `/api/cases/${open.id}/merge`,
      { from_case_id: source.id },
      { 'if-match': String(open.version) },
    );
    expect(intoOpen.body.error.code).toBe('MERGE_INVALID');
    // Nor can a grant lift the restriction for good.
    const lift = await call(
      advocate,
      'PATCH',
      `/api/cases/${source.id}`,
      { restricted_team_id: null },
      { 'if-match': String(source.version) },
    );
    expect(lift.status).toBe(403);
    expect(lift.body.error.code).toBe('TEAM_NOT_MEMBER');
  });

  it('MERGE_INVALID: the same case, a merged or closed case, one I cannot open; stale If-Match 409', async () => {
    const a = await newCase(advocate);
    const b = await newCase(advocate);
    const same = await call(
      advocate,
      'POST',
      `/api/cases/${a.id}/merge`,
      { from_case_id: a.id },
      {
        'if-match': String(a.version),
      },
    );
    expect(same.body.error.code).toBe('MERGE_INVALID');
    const t = await testTeam(db, [colleague.id]);
    const hidden = await newCase(colleague, { restricted_team_id: t.id });
    const cannot = await call(
      advocate,
      'POST',
      `/api/cases/${a.id}/merge`,
      { from_case_id: hidden.id },
      {
        'if-match': String(a.version),
      },
    );
    expect(cannot.status).toBe(409);
    expect(cannot.body.error.code).toBe('MERGE_INVALID');
    const unknown = await call(
      advocate,
      'POST',
      `/api/cases/${a.id}/merge`,
      { from_case_id: crypto.randomUUID() },
      {
        'if-match': String(a.version),
      },
    );
    expect(unknown.body.error.code).toBe('MERGE_INVALID');
    const closed = await call(
      advocate,
      'POST',
      `/api/cases/${b.id}/close`,
      { reason: 'duplicate' },
      {
        'if-match': String(b.version),
      },
    );
    expect(closed.status).toBe(200);
    const fromClosed = await call(
      advocate,
      'POST',
      `/api/cases/${a.id}/merge`,
      { from_case_id: b.id },
      {
        'if-match': String(a.version),
      },
    );
    expect(fromClosed.body.error.code).toBe('MERGE_INVALID');
    const c = await newCase(advocate);
    const stale = await call(
      advocate,
      'POST',
      `/api/cases/${a.id}/merge`,
      { from_case_id: c.id },
      {
        'if-match': String(a.version + 5),
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.current.id).toBe(a.id);
    const [cRow] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(cRow!.mergedIntoId).toBeNull();
  });
});

describe('closing and reopening', () => {
  it('closes with a reason, refuses changes while closed, reopens', async () => {
    const c = await newCase(advocate);
    const closed = await call(
      advocate,
      'POST',
      `/api/cases/${c.id}/close`,
      { reason: 'services_in_place' },
      {
        'if-match': String(c.version),
      },
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', close_reason: 'services_in_place' });
    expect(closed.body.closed_at).toBeTruthy();
    const note = await call(advocate, 'POST', `/api/cases/${c.id}/notes`, { body: 'late (fictional)' });
    expect(note.status).toBe(409);
    expect(note.body.error.code).toBe('CASE_CLOSED');
    expect(
      (await call(advocate, 'POST', `/api/cases/${c.id}/close`, { reason: 'nonsense' }, { 'if-match': '2' }))
        .status,
    ).toBe(400);
    const reopened = await call(
      advocate,
      'POST',
      `/api/cases/${c.id}/reopen`,
      {},
      {
        'if-match': String(closed.body.version),
      },
    );
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'active', closed_at: null, close_reason: null });
    expect(reopened.body.timeline.items[0].type).toBe('reopened');
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.close'), eq(auditLog.targetId, c.id)));
    expect(audits).toHaveLength(1);
  });

  it('reopening a case redacted after the retention period clears the mark, so it is redacted again later', async () => {
    const c = await newCase(advocate);
    await db
      .update(caseFile)
      .set({
        status: 'closed',
        closedAt: new Date('2020-01-01'),
        redactedAt: new Date('2023-01-02'),
        version: 5,
      })
      .where(eq(caseFile.id, c.id));
    const reopened = await call(advocate, 'POST', `/api/cases/${c.id}/reopen`, {}, { 'if-match': '5' });
    expect(reopened.status).toBe(200);
    const [row] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(row).toMatchObject({ status: 'active', redactedAt: null, closedAt: null });
  });

  it('a completed child-protection escalation lets it close; an accepted referral closes it as closed_referred', async () => {
    const c = await newCase(advocate);
    await call(advocate, 'POST', `/api/cases/${c.id}/people`, { role: 'survivor', age_band: 'under_12' });
    await db.insert(escalation).values({
      caseId: c.id,
      kind: 'child_protection',
      status: 'completed',
      protocolSnapshot: { version: 1, steps: [] },
      completedAt: new Date(),
    });
    const [org] = await db
      .insert(organization)
      .values({ name: `Test Org ${Math.random().toString(16).slice(2, 8)} (fictional)` })
      .returning();
    await db
      .insert(referral)
      .values({ caseId: c.id, need: 'legal', organizationId: org!.id, status: 'accepted' });
    const d = await call(advocate, 'GET', `/api/cases/${c.id}`);
    expect(d.body.involves_minor).toBe(true);
    expect(d.body.pending_protocols).toEqual([]);
    const res = await call(
      advocate,
      'POST',
      `/api/cases/${c.id}/close`,
      { reason: 'referred' },
      {
        'if-match': String(d.body.version),
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed_referred', protocol_waiver: null });
  });

  it('a minor involved: without a completed child-protection protocol, closing needs a waiver (sealed)', async () => {
    const c = await newCase(advocate);
    const p = await call(advocate, 'POST', `/api/cases/${c.id}/people`, {
      role: 'potential_victim',
      age: 15,
    });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ is_minor: true, age_band: '12_15' });
    const d = await call(advocate, 'GET', `/api/cases/${c.id}`);
    expect(d.body.involves_minor).toBe(true);
    expect(d.body.pending_protocols).toEqual([{ kind: 'child_protection', escalation_id: null }]);
    const bare = await call(
      advocate,
      'POST',
      `/api/cases/${c.id}/close`,
      { reason: 'lost_contact' },
      {
        'if-match': String(d.body.version),
      },
    );
    expect(bare.status).toBe(409);
    expect(bare.body.error.code).toBe('CASE_PROTOCOL_PENDING');
    const [unchanged] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(unchanged!.status).toBe('active');
    const waiver = 'Waiver reason (fictional): agency already involved';
    const ok = await call(
      advocate,
      'POST',
      `/api/cases/${c.id}/close`,
      { reason: 'lost_contact', protocol_waiver: waiver },
      {
        'if-match': String(d.body.version),
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.protocol_waiver).toBe(waiver);
    const [row] = await db.select().from(caseFile).where(eq(caseFile.id, c.id));
    expect(row!.protocolWaiverSealed).toMatch(/^v2\./);
    expect(row!.protocolWaiverSealed).not.toContain('agency');
    expect(decrypt(TEST_KEY, row!.protocolWaiverSealed!, c.id).toString()).toBe(waiver);
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'case.close'), eq(auditLog.targetId, c.id)))
      .limit(1);
    expect(audit!.details).toMatchObject({ waiver: true });
    expect(JSON.stringify(audit!.details)).not.toContain('agency');
  });
});
