import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import {
  address,
  auditLog,
  caseEvent,
  caseFile,
  casePlaceEvent,
  escalation,
  location,
  organization,
  place,
  service,
  serviceAtLocation,
  team,
} from '../../db/schema.js';
import { decrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { refreshSearch } from '../directory/directory.projection.js';
import { escalationsForCase, pendingProtocols } from './escalations.repository.js';

let harbour: HarbourApp;
let db: Db;
let advocate: TestSession;
let advocateId: string;
let supervisor: TestSession;
let supervisorId: string;
let admin: TestSession;

const tag = () => randomBytes(4).toString('hex').toUpperCase();

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  const adv = await createUser(db, { role: 'advocate' });
  advocateId = adv.id;
  advocate = await sessionFor(db, adv);
  const sup = await createUser(db, { role: 'supervisor' });
  supervisorId = sup.id;
  supervisor = await sessionFor(db, sup);
  admin = await sessionFor(db, await createUser(db, { role: 'admin' }));
});
afterAll(() => harbour.app.close());

async function makeCase(
  options: { involvesMinor?: boolean; restrictedTeamId?: string; region?: string } = {},
) {
  const [c] = await db
    .insert(caseFile)
    .values({
      reference: `HC-T3ST-${tag()}`,
      region: options.region ?? 'ON',
      involvesMinor: options.involvesMinor ?? false,
      restrictedTeamId: options.restrictedTeamId ?? null,
    })
    .returning();
  return c!;
}

type Step = {
  key: string;
  en: string;
  fr: string;
  required: boolean;
  done_at?: string | null;
  done_by?: unknown;
};
type Esc = {
  id: string;
  status: string;
  version: number;
  protocol: { version: number; steps: Step[] };
  approval_required: boolean;
  approved_by: { id: string } | null;
  [k: string]: unknown;
};
type Protocol = { kind: string; version: number; steps: Step[]; requires_approval: boolean };

async function call(
  session: TestSession,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  version?: number | string,
) {
  return harbour.app.inject({
    method,
    url,
    headers: { ...session.headers, ...(version !== undefined ? { 'if-match': String(version) } : {}) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}
const code = (res: { body: string }) => json<{ error: { code: string } }>(res as never).error.code;

async function protocols(): Promise<Protocol[]> {
  const res = await call(advocate, 'GET', '/api/protocols');
  expect(res.statusCode).toBe(200);
  return json<{ items: Protocol[] }>(res).items;
}

async function start(session: TestSession, caseId: string, body: Record<string, unknown>) {
  const res = await call(session, 'POST', `/api/cases/${caseId}/escalations`, body);
  expect(res.statusCode, res.body).toBe(201);
  return json<Esc>(res);
}

/** Marks every required step done, one request each (If-Match follows the versions). */
async function doRequired(e: Esc): Promise<Esc> {
  let cur = e;
  for (const s of e.protocol.steps.filter((x) => x.required)) {
    const res = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/steps`,
      { key: s.key, done: true },
      cur.version,
    );
    expect(res.statusCode, res.body).toBe(200);
    cur = json<Esc>(res);
  }
  return cur;
}

describe('escalations', () => {
  it('needs consent or a reason to go ahead without it (422 ESCALATION_OVERRIDE_REQUIRED)', async () => {
    const c = await makeCase();
    const res = await call(advocate, 'POST', `/api/cases/${c.id}/escalations`, {
      kind: 'law_enforcement',
      consent_given: false,
    });
    expect(res.statusCode).toBe(422);
    expect(code(res)).toBe('ESCALATION_OVERRIDE_REQUIRED');
    expect(await db.select().from(escalation).where(eq(escalation.caseId, c.id))).toHaveLength(0);
    const ok = await start(advocate, c.id, {
      kind: 'emergency',
      consent_given: false,
      override_reason: 'imminent_danger',
      override_note: '<img src=x onerror=alert(1)> caller said "now"',
    });
    expect(ok.override_reason).toBe('imminent_danger');
    expect(ok.override_note).toBe('<img src=x onerror=alert(1)> caller said "now"');
    const [row] = await db.select().from(escalation).where(eq(escalation.id, ok.id));
    expect(row!.overrideNoteSealed).not.toContain('caller');
    expect(decrypt(TEST_KEY, row!.overrideNoteSealed!, ok.id).toString()).toContain('caller');
    const events = await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id));
    expect(events.map((e) => e.type)).toContain('escalation_created');
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('caller');
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'escalation.create'), eq(auditLog.targetId, ok.id)));
    expect(audit).toHaveLength(1);
  });

  it('approval: an advocate’s escalation under a protocol that requires it waits for a supervisor', async () => {
    const needing = (await protocols()).find((p) => p.requires_approval);
    expect(needing, 'the seeded law-enforcement protocol requires approval').toBeDefined();
    const c = await makeCase();
    const e = await start(advocate, c.id, { kind: needing!.kind, consent_given: true });
    expect(e.status).toBe('awaiting_approval');
    expect(e.approval_required).toBe(true);
    expect(e.approved_by).toBeNull();
    const made = await call(advocate, 'POST', `/api/escalations/${e.id}/made`, {}, e.version);
    expect(made.statusCode).toBe(409);
    expect(code(made)).toBe('ESCALATION_APPROVAL_REQUIRED');
    const complete = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/complete`,
      { outcome: 'x' },
      e.version,
    );
    expect(code(complete)).toBe('ESCALATION_APPROVAL_REQUIRED');
    expect((await call(advocate, 'POST', `/api/escalations/${e.id}/approve`, {})).statusCode).toBe(403);
    const approved = await call(supervisor, 'POST', `/api/escalations/${e.id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    const a = json<Esc>(approved);
    expect(a.status).toBe('open');
    expect(a.approved_by?.id).toBe(supervisorId);
    expect(a.approved_at).not.toBeNull();
    const again = await call(supervisor, 'POST', `/api/escalations/${e.id}/approve`, {});
    expect(again.statusCode).toBe(409);
    expect(code(again)).toBe('ESCALATION_TRANSITION_INVALID');
    const stale = await call(supervisor, 'POST', `/api/escalations/${e.id}/approve`, {}, e.version);
    expect(code(stale)).toBe('VERSION_CONFLICT');
    const types = (await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id))).map((x) => x.type);
    expect(types).toContain('escalation_approved');

    // A supervisor's own escalation is open at once, approved by them.
    const own = await start(supervisor, c.id, { kind: needing!.kind, consent_given: true });
    expect(own.status).toBe('open');
    expect(own.approved_by?.id).toBe(supervisorId);
  });

  it('steps toggle by key; complete needs every required step (409 ESCALATION_STEPS_PENDING); made, completed, then frozen', async () => {
    const c = await makeCase();
    const e = await start(supervisor, c.id, { kind: 'law_enforcement', consent_given: true });
    const required = e.protocol.steps.filter((s) => s.required);
    expect(required.length).toBeGreaterThan(0);
    const unknown = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/steps`,
      { key: 'no_such_step', done: true },
      e.version,
    );
    expect(unknown.statusCode).toBe(400);
    expect(code(unknown)).toBe('VALIDATION_FAILED');
    const missing = await call(advocate, 'POST', `/api/escalations/${e.id}/steps`, {
      key: required[0]!.key,
      done: true,
    });
    expect(missing.statusCode).toBe(428);
    const first = json<Esc>(
      await call(
        advocate,
        'POST',
        `/api/escalations/${e.id}/steps`,
        { key: required[0]!.key, done: true },
        e.version,
      ),
    );
    const step = first.protocol.steps.find((s) => s.key === required[0]!.key)!;
    expect(step.done_at).not.toBeNull();
    expect(step.done_by).toEqual({ id: advocateId, display_name: expect.any(String) });
    const stale = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/steps`,
      { key: required[0]!.key, done: false },
      e.version,
    );
    expect(stale.statusCode).toBe(409);
    const conflict = json<{ error: { code: string }; current: Esc; changed_by: { id: string } }>(stale);
    expect(conflict.error.code).toBe('VERSION_CONFLICT');
    expect(conflict.current.version).toBe(first.version);
    expect(conflict.changed_by.id).toBe(advocateId);
    const undone = json<Esc>(
      await call(
        advocate,
        'POST',
        `/api/escalations/${e.id}/steps`,
        { key: required[0]!.key, done: false },
        first.version,
      ),
    );
    expect(undone.protocol.steps.find((s) => s.key === required[0]!.key)!.done_at).toBeNull();

    const made = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/made`,
      { agency_reference: ' OCC-2026-0001 ' },
      undone.version,
    );
    expect(made.statusCode, made.body).toBe(200);
    const m = json<Esc>(made);
    expect(m.status).toBe('made');
    expect(m.agency_reference).toBe('OCC-2026-0001');
    expect(m.made_at).not.toBeNull();
    const pending = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/complete`,
      { outcome: 'report_taken' },
      m.version,
    );
    expect(pending.statusCode).toBe(409);
    expect(code(pending)).toBe('ESCALATION_STEPS_PENDING');
    const ready = await doRequired(m);
    const done = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/complete`,
      { outcome: 'report_taken', outcome_note: 'Officer will call back (fictional)' },
      ready.version,
    );
    expect(done.statusCode, done.body).toBe(200);
    const d = json<Esc>(done);
    expect(d.status).toBe('completed');
    expect(d.outcome).toBe('report_taken');
    expect(d.outcome_note).toBe('Officer will call back (fictional)');
    expect(d.completed_at).not.toBeNull();
    for (const [path, body] of [
      ['steps', { key: required[0]!.key, done: false }],
      ['made', {}],
      ['complete', { outcome: 'again' }],
      ['cancel', { note: 'too late' }],
    ] as const) {
      const res = await call(advocate, 'POST', `/api/escalations/${e.id}/${path}`, body, d.version);
      expect(res.statusCode, path).toBe(409);
      expect(code(res), path).toBe('ESCALATION_TRANSITION_INVALID');
    }
    const [shaped] = (await escalationsForCase(db, TEST_KEY, c.id)) as Esc[];
    expect(shaped!.status).toBe('completed');
  });

  it('cancel a running escalation with a note; twice is 409', async () => {
    const c = await makeCase();
    const e = await start(advocate, c.id, { kind: 'emergency', consent_given: true });
    const blank = await call(advocate, 'POST', `/api/escalations/${e.id}/cancel`, { note: '  ' }, e.version);
    expect(blank.statusCode).toBe(400);
    const res = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/cancel`,
      { note: 'Person now safe (fictional)' },
      e.version,
    );
    expect(res.statusCode).toBe(200);
    const x = json<Esc>(res);
    expect(x.status).toBe('cancelled');
    expect(x.outcome_note).toBe('Person now safe (fictional)');
    const again = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/cancel`,
      { note: 'again' },
      x.version,
    );
    expect(code(again)).toBe('ESCALATION_TRANSITION_INVALID');
  });

  it('minors: child protection is pending until completed (running id, then nothing); override "minor" needs no consent', async () => {
    const c = await makeCase({ involvesMinor: true });
    expect(await pendingProtocols(db, c.id, true)).toEqual([
      { kind: 'child_protection', escalation_id: null },
    ]);
    expect(await pendingProtocols(db, c.id, false)).toEqual([]);
    const e = await start(advocate, c.id, {
      kind: 'child_protection',
      consent_given: false,
      override_reason: 'minor',
    });
    expect(e.consent_given).toBe(false);
    expect(await pendingProtocols(db, c.id, true)).toEqual([
      { kind: 'child_protection', escalation_id: e.id },
    ]);
    // A cancelled one does not count as started or done.
    const other = await start(advocate, c.id, { kind: 'child_protection', consent_given: true });
    await call(advocate, 'POST', `/api/escalations/${other.id}/cancel`, { note: 'duplicate' }, other.version);
    const ready = await doRequired(e.status === 'awaiting_approval' ? e : e);
    const done = await call(
      advocate,
      'POST',
      `/api/escalations/${e.id}/complete`,
      { outcome: 'report_made' },
      ready.version,
    );
    expect(done.statusCode, done.body).toBe(200);
    expect(await pendingProtocols(db, c.id, true)).toEqual([]);
    // Other kinds do not settle it.
    const c2 = await makeCase({ involvesMinor: true });
    const le = await start(supervisor, c2.id, { kind: 'emergency', consent_given: true });
    await call(
      supervisor,
      'POST',
      `/api/escalations/${le.id}/complete`,
      { outcome: 'x' },
      (await doRequired(le)).version,
    );
    expect(await pendingProtocols(db, c2.id, true)).toEqual([
      { kind: 'child_protection', escalation_id: null },
    ]);
  });

  it('hostile input: unknown codes, oversize text, garbage ids, restricted and closed cases (never a 5xx)', async () => {
    const c = await makeCase();
    const post = (body: unknown) => call(advocate, 'POST', `/api/cases/${c.id}/escalations`, body);
    for (const body of [
      { kind: 'nope', consent_given: true },
      { kind: 'emergency', consent_given: 'yes' },
      { kind: 'emergency', consent_given: false, override_reason: 'declined' },
      { kind: 'emergency', consent_given: true, override_note: 'n'.repeat(1001) },
      { kind: 'emergency', consent_given: true, organization_id: 'x' },
      { kind: 'emergency', consent_given: true, organization_id: crypto.randomUUID() },
      { consent_given: true },
    ])
      expect((await post(body)).statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
    const e = await start(advocate, c.id, { kind: 'emergency', consent_given: true });
    const bad = async (path: string, body: unknown) =>
      (await call(advocate, 'POST', `/api/escalations/${e.id}/${path}`, body, e.version)).statusCode;
    expect(await bad('complete', { outcome: 'Not a code!' })).toBe(400);
    expect(await bad('complete', { outcome: 'x'.repeat(101) })).toBe(400);
    expect(await bad('complete', { outcome: 'ok', outcome_note: 'n'.repeat(2001) })).toBe(400);
    expect(await bad('made', { agency_reference: 'r'.repeat(101) })).toBe(400);
    expect(await bad('made', { agency_reference: 'OCC\n1' })).toBe(400);
    expect(await bad('steps', { key: 'k'.repeat(41), done: true })).toBe(400);
    expect(await bad('steps', { key: 'x', done: 'maybe' })).toBe(400);
    expect((await call(advocate, 'POST', '/api/escalations/1%20or%201=1/made', {}, 1)).statusCode).toBe(400);
    expect(
      (await call(advocate, 'POST', `/api/escalations/${crypto.randomUUID()}/made`, {}, 1)).statusCode,
    ).toBe(404);
    expect((await call(advocate, 'GET', `/api/cases/${c.id}/agencies?kind=army`)).statusCode).toBe(400);

    const [t] = await db
      .insert(team)
      .values({ name: `Escalation team ${tag()} (fictional)` })
      .returning();
    const restricted = await makeCase({ restrictedTeamId: t!.id });
    const r1 = await call(advocate, 'POST', `/api/cases/${restricted.id}/escalations`, {
      kind: 'emergency',
      consent_given: true,
    });
    expect(r1.statusCode).toBe(403);
    expect(code(r1)).toBe('CASE_RESTRICTED');
    expect(json<{ reference: string }>(r1).reference).toBe(restricted.reference);
    expect(
      (await call(advocate, 'GET', `/api/cases/${restricted.id}/agencies?kind=emergency`)).statusCode,
    ).toBe(403);
    await db.update(caseFile).set({ restrictedTeamId: t!.id }).where(eq(caseFile.id, c.id));
    const byId = await call(advocate, 'POST', `/api/escalations/${e.id}/made`, {}, e.version);
    expect(code(byId)).toBe('CASE_RESTRICTED');

    const closed = await makeCase();
    await db
      .update(caseFile)
      .set({ status: 'closed', closedAt: new Date() })
      .where(eq(caseFile.id, closed.id));
    const onClosed = await call(advocate, 'POST', `/api/cases/${closed.id}/escalations`, {
      kind: 'emergency',
      consent_given: true,
    });
    expect(code(onClosed)).toBe('CASE_CLOSED');
  });
});

describe('protocols', () => {
  it('lists the three kinds; PUT validates (1–20 steps, unique keys ^[a-z_]{2,40}$, en/fr 1–200) and checks the version', async () => {
    const items = await protocols();
    expect(items.map((p) => p.kind).sort()).toEqual(['child_protection', 'emergency', 'law_enforcement']);
    const emergency = items.find((p) => p.kind === 'emergency')!;
    const step = { key: 'call_made', en: 'Call made', fr: 'Appel fait', required: true };
    const put = (body: unknown, version: number | string = emergency.version, who = supervisor) =>
      call(who, 'PUT', '/api/protocols/emergency', body, version);
    const invalid: unknown[] = [
      { steps: [], requires_approval: false },
      {
        steps: Array.from({ length: 21 }, (_, i) => ({
          ...step,
          key: `step_${'abcdefghijklmnopqrstuvwxyz'[i]}`,
        })),
        requires_approval: false,
      },
      { steps: [step, step], requires_approval: false },
      { steps: [{ ...step, key: 'Bad-Key' }], requires_approval: false },
      { steps: [{ ...step, key: 'a' }], requires_approval: false },
      { steps: [{ ...step, key: 'k'.repeat(41) }], requires_approval: false },
      { steps: [{ ...step, en: '' }], requires_approval: false },
      { steps: [{ ...step, fr: 'f'.repeat(201) }], requires_approval: false },
      { steps: [{ ...step, en: '   ' }], requires_approval: false },
      { steps: [{ ...step, required: 'yes' }], requires_approval: false },
      { steps: [step] },
    ];
    for (const body of invalid) {
      const res = await put(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 100)).toBe(400);
    }
    expect(
      (await put({ steps: [step], requires_approval: false }, emergency.version, advocate)).statusCode,
    ).toBe(403);
    expect(
      (await call(supervisor, 'PUT', '/api/protocols/army', { steps: [step], requires_approval: false }, 1))
        .statusCode,
    ).toBe(400);
    expect(
      (await call(supervisor, 'PUT', '/api/protocols/emergency', { steps: [step], requires_approval: false }))
        .statusCode,
    ).toBe(428);
    const stale = await put({ steps: [step], requires_approval: false }, emergency.version - 1 || 999999);
    expect(stale.statusCode).toBe(409);
    expect(json<{ current: Protocol }>(stale).current.kind).toBe('emergency');
    expect((await call(advocate, 'GET', '/api/protocols')).statusCode).toBe(200);
    expect((await call(admin, 'GET', '/api/protocols')).statusCode).toBe(200);
  });

  it('a new version applies to new escalations; running ones keep their snapshot', async () => {
    const c = await makeCase();
    const before = (await protocols()).find((p) => p.kind === 'emergency')!;
    const running = await start(advocate, c.id, { kind: 'emergency', consent_given: true });
    const extra = {
      key: 'extra_check_fictional',
      en: 'Extra check <b>(fictional)</b>',
      fr: 'Vérification',
      required: false,
    };
    const res = await call(
      admin,
      'PUT',
      '/api/protocols/emergency',
      { steps: [...before.steps, extra], requires_approval: before.requires_approval },
      before.version,
    );
    try {
      expect(res.statusCode, res.body).toBe(200);
      const saved = json<Protocol>(res);
      expect(saved.version).toBe(before.version + 1);
      expect(saved.steps.at(-1)).toEqual(extra);
      const fresh = await start(advocate, c.id, { kind: 'emergency', consent_given: true });
      expect(fresh.protocol.version).toBe(saved.version);
      expect(fresh.protocol.steps.map((s) => s.key)).toContain('extra_check_fictional');
      const [old] = (await escalationsForCase(db, TEST_KEY, c.id)) as Esc[];
      expect(old!.id).toBe(running.id);
      expect(old!.protocol.version).toBe(before.version);
      expect(old!.protocol.steps.map((s) => s.key)).not.toContain('extra_check_fictional');
    } finally {
      // Put the shared checklist back as it was (other tests use it).
      const now = (await protocols()).find((p) => p.kind === 'emergency')!;
      const restored = await call(
        admin,
        'PUT',
        '/api/protocols/emergency',
        {
          steps: before.steps.map(({ key, en, fr, required }) => ({ key, en, fr, required })),
          requires_approval: before.requires_approval,
        },
        now.version,
      );
      expect(restored.statusCode).toBe(200);
    }
  });
});

describe('agencies', () => {
  it('lists police covering the case’s province, nearest to the case’s place first; child protection separately', async () => {
    const city = `Agencyville ${tag()}`;
    const lat = 44 + Math.random();
    const lng = -79 - Math.random();
    await db.insert(place).values({
      kind: 'city',
      name: city,
      key: sql`lower(unaccent(${city}::text))`,
      province: 'ON',
      latitude: lat,
      longitude: lng,
      population: 1000,
    });
    const seed = async (
      name: string,
      type: 'law_enforcement' | 'child_protection',
      province: string,
      dLat: number,
    ) => {
      const [org] = await db
        .insert(organization)
        .values({ name, organizationType: type, jurisdiction: [province] })
        .returning();
      const [svc] = await db
        .insert(service)
        .values({ organizationId: org!.id, name: `${name} intake` })
        .returning();
      const [loc] = await db
        .insert(location)
        .values({ organizationId: org!.id, latitude: lat + dLat, longitude: lng })
        .returning();
      await db.insert(address).values({
        locationId: loc!.id,
        address1: '1 Fictional Street',
        city: `${name} town`,
        stateProvince: province,
        postalCode: 'K0K 0K0',
        country: 'CA',
      });
      await db.insert(serviceAtLocation).values({ serviceId: svc!.id, locationId: loc!.id });
      await db.transaction((tx) => refreshSearch(tx, [svc!.id]));
      return org!.id;
    };
    const t = tag();
    const far = await seed(`Far Police ${t} (fictional)`, 'law_enforcement', 'ON', 2);
    const near = await seed(`Near Police ${t} (fictional)`, 'law_enforcement', 'ON', 0.1);
    const quebec = await seed(`Quebec Police ${t} (fictional)`, 'law_enforcement', 'QC', 0.05);
    const cps = await seed(`Child Services ${t} (fictional)`, 'child_protection', 'ON', 0.2);
    const c = await makeCase({ region: 'ON' });
    await db.insert(casePlaceEvent).values({ caseId: c.id, type: 'exploitation', region: 'ON', city });

    const res = await call(advocate, 'GET', `/api/cases/${c.id}/agencies?kind=law_enforcement`);
    expect(res.statusCode, res.body).toBe(200);
    const items = json<{ items: { id: string; distance_km: number | null; organization_type: string }[] }>(
      res,
    ).items;
    const ids = items.map((i) => i.id);
    expect(ids).toContain(near);
    expect(ids).toContain(far);
    expect(ids).not.toContain(quebec);
    expect(ids).not.toContain(cps);
    expect(ids.indexOf(near)).toBeLessThan(ids.indexOf(far));
    expect(items.find((i) => i.id === near)!.distance_km).toBeGreaterThan(5);
    expect(items.find((i) => i.id === near)!.distance_km).toBeLessThan(20);
    const child = json<{ items: { id: string }[] }>(
      await call(advocate, 'GET', `/api/cases/${c.id}/agencies?kind=child_protection`),
    ).items.map((i) => i.id);
    expect(child).toContain(cps);
    expect(child).not.toContain(near);
  });
});
