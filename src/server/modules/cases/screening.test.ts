import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestUser } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import {
  auditLog,
  caseEvent,
  caseFile,
  caseSignal,
  screening,
  signal,
  team,
  teamMember,
} from '../../db/schema.js';
import { decrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { loadSafetyPlan, type SafetyPlan } from './safety.js';

// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted on.
type Loose = any;

let harbour: HarbourApp;
let db: Db;
let holder: TestUser;
let other: TestUser;
let supervisor: TestUser;
const headers: Record<string, Record<string, string>> = {};

const rnd = () => Math.random().toString(36).slice(2, 6).toUpperCase();

async function newSignal(assignedUserId: string | null = holder.id) {
  const [row] = await db
    .insert(signal)
    .values({
      reference: `HB-S${rnd()}-${rnd()}`,
      channel: 'chat',
      language: 'en',
      state: 'active',
      queuedAt: new Date(),
      answeredAt: new Date(),
      assignedUserId,
    })
    .returning();
  return row!.id;
}

async function newCase(signalId: string, restrictedTeamId: string | null = null) {
  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-S${rnd()}-${rnd()}`, restrictedTeamId })
    .returning();
  await db.insert(caseSignal).values({ signalId, caseId: c!.id });
  return c!;
}

const get = (who: string, id: string) =>
  harbour.app.inject({ method: 'GET', url: `/api/signals/${id}/screening`, headers: headers[who] });
const put = (who: string, id: string, ifMatch: string | undefined, payload: unknown) =>
  harbour.app.inject({
    method: 'PUT',
    url: `/api/signals/${id}/screening`,
    headers: { ...headers[who], ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
    payload: payload as object,
  });

const plan: SafetyPlan = {
  safe_contacts: [{ name: 'Test Person (fictional)', relationship: 'friend', phone: '+1 555 010 0123' }],
  code_word: 'bluebird-fictional',
  safe_times: [{ days: ['mon', 'wed'], from: '09:00', to: '11:30' }],
  time_zone: 'America/Winnipeg',
  contact_number_safe: 'unknown',
  safe_numbers: [{ label: 'Shelter desk (fictional)', number: '+1 555 010 0199' }],
  voicemail_allowed: false,
  notes: 'Only call when the code word is used.',
};

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  holder = await createUser(db, { role: 'advocate' });
  other = await createUser(db, { role: 'advocate' });
  supervisor = await createUser(db, { role: 'supervisor' });
  const analyst = await createUser(db, { role: 'analyst' });
  const partner = await createUser(db, { role: 'partner' });
  for (const [k, u] of Object.entries({ holder, other, supervisor, analyst, partner }))
    headers[k] = (await sessionFor(db, u)).headers;
});
afterAll(() => harbour.app.close());

describe('GET /api/signals/:id/screening', () => {
  it('none recorded yet: the same shape with version 0 and nulls; any case role may read', async () => {
    const id = await newSignal();
    for (const who of ['holder', 'other', 'supervisor']) {
      const res = await get(who, id);
      expect(res.statusCode).toBe(200);
      expect(json(res)).toEqual({
        signal_id: id,
        safety: null,
        classification: null,
        needs: [],
        safety_plan: null,
        emergency_prompted_at: null,
        version: 0,
        updated_at: null,
        updated_by: null,
      });
    }
    expect((await get('analyst', id)).statusCode).toBe(403);
    expect((await get('partner', id)).statusCode).toBe(403);
  });

  it('garbage and unknown ids: 400 / 404', async () => {
    expect((await get('holder', 'not-a-uuid')).statusCode).toBe(400);
    expect((await get('holder', "1' or '1'='1")).statusCode).toBe(400);
    const res = await get('holder', randomUUID());
    expect(res.statusCode).toBe(404);
    expect(json(res)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('PUT /api/signals/:id/screening: versions', () => {
  it('If-Match is required (428); the first save is version 0 and creates version 1', async () => {
    const id = await newSignal();
    expect((await put('holder', id, undefined, { safety: 'safe_now' })).statusCode).toBe(428);
    const first = await put('holder', id, '0', {
      safety: 'safe_now',
      classification: 'trafficking',
      needs: ['shelter_housing', 'legal'],
    });
    expect(first.statusCode).toBe(200);
    const body = json<Record<string, unknown>>(first);
    expect(body).toMatchObject({
      signal_id: id,
      safety: 'safe_now',
      classification: 'trafficking',
      needs: ['shelter_housing', 'legal'],
      safety_plan: null,
      version: 1,
      updated_by: { id: holder.id },
    });
    expect(first.headers.etag).toBe('"1"');
    expect(json(await get('other', id))).toEqual(body);
  });

  it('a second "first save" (version 0) is a conflict with the stored record; nothing is written', async () => {
    const id = await newSignal();
    expect((await put('holder', id, '0', { safety: 'unsafe' })).statusCode).toBe(200);
    const res = await put('supervisor', id, '0', { safety: 'safe_now', classification: 'not_trafficking' });
    expect(res.statusCode).toBe(409);
    const body = json<Loose>(res);
    expect(body.error.code).toBe('VERSION_CONFLICT');
    expect(body.current).toMatchObject({ signal_id: id, safety: 'unsafe', classification: null, version: 1 });
    expect(body.changed_by).toMatchObject({ id: holder.id });
    expect(body.changed_by.display_name).toMatch(/fictional/);
    const [row] = await db.select().from(screening).where(eq(screening.signalId, id));
    expect(row).toMatchObject({ safety: 'unsafe', classification: null, version: 1 });
  });

  it('a version when none is recorded, and a stale version, are conflicts; every If-Match form is read', async () => {
    const id = await newSignal();
    const none = await put('holder', id, '1', { safety: 'unsafe' });
    expect(none.statusCode).toBe(409);
    expect(json<Loose>(none).current).toMatchObject({ version: 0, safety: null });
    expect(json<Loose>(none).changed_by).toBeNull();
    expect((await db.select().from(screening).where(eq(screening.signalId, id))).length).toBe(0);

    expect((await put('holder', id, '0', { safety: 'unsafe' })).statusCode).toBe(200);
    expect((await put('holder', id, '"1"', { safety: 'safe_now' })).statusCode).toBe(200);
    expect((await put('holder', id, 'W/"2"', { safety: 'immediate_danger' })).statusCode).toBe(200);
    const stale = await put('supervisor', id, '2', { classification: 'trafficking' });
    expect(stale.statusCode).toBe(409);
    expect(json<Loose>(stale).current).toMatchObject({
      version: 3,
      safety: 'immediate_danger',
      classification: null,
    });
    expect(json(await get('holder', id))).toMatchObject({ version: 3, classification: null });
    expect((await put('holder', id, 'abc', { safety: 'unsafe' })).statusCode).toBe(428);
  });

  it('two saves at once on the same version: one wins, the other gets 409 with the winner', async () => {
    const id = await newSignal();
    const first = await Promise.all([
      put('holder', id, '0', { safety: 'unsafe' }),
      put('supervisor', id, '0', { safety: 'safe_now' }),
    ]);
    expect(first.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = json<Loose>(first.find((r) => r.statusCode === 200)!);
    expect(json<Loose>(first.find((r) => r.statusCode === 409)!).current).toEqual(winner);
    const next = await Promise.all([
      put('holder', id, '1', { needs: ['legal'] }),
      put('supervisor', id, '1', { needs: ['medical'] }),
    ]);
    expect(next.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const [row] = await db.select().from(screening).where(eq(screening.signalId, id));
    expect(row!.version).toBe(2);
  });

  it('absent fields keep their value; null clears; a save that changes nothing writes nothing', async () => {
    const id = await newSignal();
    await put('holder', id, '0', { safety: 'unsafe', needs: ['medical'], safety_plan: plan });
    const kept = json<Loose>(await put('holder', id, '1', { classification: 'trafficking' }));
    expect(kept).toMatchObject({
      safety: 'unsafe',
      needs: ['medical'],
      classification: 'trafficking',
      version: 2,
    });
    expect(kept.safety_plan).toEqual(plan);
    const audits = async () =>
      (
        await db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, 'screening.update'), eq(auditLog.targetId, id)))
      ).length;
    const before = await audits();
    const same = await put('holder', id, '2', { safety: 'unsafe', safety_plan: { ...plan } });
    expect(json(same)).toMatchObject({ version: 2 });
    expect(await audits()).toBe(before);
    const cleared = json<Loose>(
      await put('holder', id, '2', { safety: null, needs: null, safety_plan: null }),
    );
    expect(cleared).toMatchObject({ safety: null, needs: [], safety_plan: null, version: 3 });
    const [row] = await db.select().from(screening).where(eq(screening.signalId, id));
    expect(row!.safetyPlanSealed).toBeNull();
  });

  it('emergency_prompted: true stamps the time once', async () => {
    const id = await newSignal();
    const a = json<Loose>(
      await put('holder', id, '0', { safety: 'immediate_danger', emergency_prompted: true }),
    );
    expect(typeof a.emergency_prompted_at).toBe('string');
    await new Promise((r) => setTimeout(r, 5));
    const b = json<Loose>(await put('holder', id, '1', { emergency_prompted: true, safety: 'unsafe' }));
    expect(b.emergency_prompted_at).toBe(a.emergency_prompted_at);
    const c = json<Loose>(await put('holder', id, '2', { emergency_prompted: false }));
    expect(c.emergency_prompted_at).toBe(a.emergency_prompted_at);
    const none = json<Loose>(await put('holder', await newSignal(), '0', { emergency_prompted: false }));
    expect(none.emergency_prompted_at).toBeNull();
  });
});

describe('PUT /api/signals/:id/screening: answers', () => {
  it('a classification is a judgement: declined / unknown are refused (422 ANSWER_INVALID, field named)', async () => {
    const id = await newSignal();
    for (const marker of ['declined', 'unknown']) {
      const res = await put('holder', id, '0', { classification: marker });
      expect(res.statusCode).toBe(422);
      expect(json<Loose>(res).error.code).toBe('ANSWER_INVALID');
      expect(json<Loose>(res).error.message).toContain('classification');
    }
    expect((await db.select().from(screening).where(eq(screening.signalId, id))).length).toBe(0);
  });

  it('needs: codes or one marker alone; a marker mixed with codes is 422; unknown codes are 400', async () => {
    const id = await newSignal();
    const mixed = await put('holder', id, '0', { needs: ['declined', 'legal'] });
    expect(mixed.statusCode).toBe(422);
    expect(json<Loose>(mixed).error.message).toContain('needs');
    expect((await put('holder', id, '0', { needs: ['unknown', 'declined'] })).statusCode).toBe(422);
    expect((await put('holder', id, '0', { needs: ['legal', 'legal'] })).statusCode).toBe(400);
    expect((await put('holder', id, '0', { needs: ['teleportation'] })).statusCode).toBe(400);
    expect((await put('holder', id, '0', { needs: 'legal' })).statusCode).toBe(400);
    expect((await put('holder', id, '0', { safety: 'fine' })).statusCode).toBe(400);
    expect((await put('holder', id, '0', { classification: 'trafficking<script>' })).statusCode).toBe(400);
    const ok = await put('holder', id, '0', { needs: ['declined'], safety: 'unknown' });
    expect(json(ok)).toMatchObject({ needs: ['declined'], safety: 'unknown', version: 1 });
  });
});

describe('PUT /api/signals/:id/screening: the safety plan', () => {
  it('is sealed at rest (AAD = signal id) and returned opened, with script text as typed', async () => {
    const id = await newSignal();
    const hostile: SafetyPlan = {
      ...plan,
      notes: '<script>alert("x")</script> & <img src=x onerror=alert(1)>',
      code_word: "'; drop table screening; --",
    };
    const res = await put('holder', id, '0', { safety_plan: hostile });
    expect(res.statusCode).toBe(200);
    expect(json<Loose>(res).safety_plan).toEqual(hostile);
    const [row] = await db.select().from(screening).where(eq(screening.signalId, id));
    const raw = row!.safetyPlanSealed!;
    expect(raw.startsWith('v2.')).toBe(true);
    for (const clear of ['Test Person', '+1 555', 'script', 'drop table', 'safe_times', '{'])
      expect(raw).not.toContain(clear);
    expect(JSON.parse(decrypt(TEST_KEY, raw, id).toString('utf8'))).toEqual(hostile);
    expect(() => decrypt(TEST_KEY, raw, randomUUID())).toThrow();
    expect(await loadSafetyPlan(db, TEST_KEY, id)).toEqual(hostile);
    expect(await loadSafetyPlan(db, TEST_KEY, await newSignal())).toBeNull();
    expect(json<Loose>(await get('other', id)).safety_plan).toEqual(hostile);
  });

  it('unknown fields are not stored; nulls (not asked) are left out', async () => {
    const id = await newSignal();
    const res = await put('holder', id, '0', {
      safety_plan: {
        code_word: 'x',
        voicemail_allowed: null,
        extra: 'smuggled',
        safe_numbers: [{ number: '1', x: 2 }],
      },
      signal_id: randomUUID(),
      version: 99,
    });
    expect(res.statusCode).toBe(200);
    expect(json<Loose>(res)).toMatchObject({ signal_id: id, version: 1 });
    expect(json<Loose>(res).safety_plan).toEqual({
      code_word: 'x',
      safe_numbers: [{ number: '1' }],
    });
  });

  it('hostile plans are refused (400) and nothing is written', async () => {
    const id = await newSignal();
    const window = { days: ['mon'], from: '09:00', to: '10:00' };
    const bad: [string, unknown][] = [
      ['notes over 2,000', { notes: 'x'.repeat(2001) }],
      ['string over 200', { code_word: 'x'.repeat(201) }],
      ['contact name over 200', { safe_contacts: [{ name: 'x'.repeat(201) }] }],
      ['15 safe times', { safe_times: Array(15).fill(window) }],
      ['50 safe times', { safe_times: Array(50).fill(window) }],
      ['11 contacts', { safe_contacts: Array(11).fill({ name: 'Test Person (fictional)' }) }],
      ['6 numbers', { safe_numbers: Array(6).fill({ number: '+1 555 010 0100' }) }],
      ['number missing', { safe_numbers: [{ label: 'x' }] }],
      ['24:00', { safe_times: [{ ...window, to: '24:00' }] }],
      ['9:00', { safe_times: [{ ...window, from: '9:00' }] }],
      ['09:60', { safe_times: [{ ...window, from: '09:60' }] }],
      ['0900', { safe_times: [{ ...window, from: '0900' }] }],
      ['09:00:00', { safe_times: [{ ...window, from: '09:00:00' }] }],
      ['from = to', { safe_times: [{ ...window, to: '09:00' }] }],
      ['no days', { safe_times: [{ ...window, days: [] }] }],
      ['bad day', { safe_times: [{ ...window, days: ['funday'] }] }],
      ['repeated day', { safe_times: [{ ...window, days: ['mon', 'mon'] }] }],
      ['unknown zone', { time_zone: 'Mars/Olympus_Mons' }],
      ['script zone', { time_zone: '<script>alert(1)</script>' }],
      ['voicemail maybe', { voicemail_allowed: 'maybe' }],
      ['contact safe "true"', { contact_number_safe: 'true' }],
      ['plan is a string', 'call me'],
      ['plan is an array', [plan]],
    ];
    for (const [what, safety_plan] of bad) {
      const res = await put('holder', id, '0', { safety_plan });
      expect(res.statusCode, what).toBe(400);
      expect(json<Loose>(res).error.code, what).toBe('VALIDATION_FAILED');
      expect(res.body, what).not.toContain('Olympus');
    }
    expect((await db.select().from(screening).where(eq(screening.signalId, id))).length).toBe(0);
    // The biggest plan the limits allow is accepted.
    const full: SafetyPlan = {
      safe_contacts: Array(10).fill({
        name: 'n'.repeat(200),
        relationship: 'r'.repeat(200),
        phone: 'p'.repeat(200),
      }),
      code_word: 'c'.repeat(200),
      safe_times: Array(14).fill({
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        from: '22:00',
        to: '02:00',
      }),
      time_zone: 'America/St_Johns',
      contact_number_safe: true,
      safe_numbers: Array(5).fill({ label: 'l'.repeat(200), number: '9'.repeat(200) }),
      voicemail_allowed: 'declined',
      notes: 'é'.repeat(2000),
    };
    const ok = await put('holder', id, '0', { safety_plan: full });
    expect(ok.statusCode).toBe(200);
    expect(json<Loose>(ok).safety_plan).toEqual(full);
  });
});

describe('PUT /api/signals/:id/screening: who may write', () => {
  it('the advocate holding the signal or a supervisor; another advocate is refused (403) and nothing is written', async () => {
    const id = await newSignal();
    const res = await put('other', id, '0', { safety: 'unsafe' });
    expect(res.statusCode).toBe(403);
    expect(json<Loose>(res).error.code).toBe('FORBIDDEN');
    // Refused before the answers are looked at: a hostile body tells them nothing either.
    expect((await put('other', id, '0', { classification: 'declined' })).statusCode).toBe(403);
    expect((await db.select().from(screening).where(eq(screening.signalId, id))).length).toBe(0);
    expect((await put('supervisor', id, '0', { safety: 'unsafe' })).statusCode).toBe(200);
    expect((await put('holder', id, '1', { safety: 'safe_now' })).statusCode).toBe(200);
    const unassigned = await newSignal(null);
    expect((await put('holder', unassigned, '0', { safety: 'unsafe' })).statusCode).toBe(403);
    expect((await put('analyst', id, '2', { safety: 'unsafe' })).statusCode).toBe(403);
    expect((await put('partner', id, '2', { safety: 'unsafe' })).statusCode).toBe(403);
    expect((await put('holder', randomUUID(), '0', { safety: 'unsafe' })).statusCode).toBe(404);
  });

  it('a signal of a restricted case: only the team, a break-glass holder, or the advocate holding it', async () => {
    const id = await newSignal();
    const [t] = await db
      .insert(team)
      .values({ name: `Team S${rnd()} (fictional)` })
      .returning();
    const c = await newCase(id, t!.id);
    for (const who of ['other', 'supervisor']) {
      const res = await get(who, id);
      expect(res.statusCode, who).toBe(403);
      expect(json(res)).toMatchObject({
        error: { code: 'CASE_RESTRICTED' },
        reference: c.reference,
        restricted: true,
      });
    }
    expect((await put('supervisor', id, '0', { safety: 'unsafe' })).statusCode).toBe(403);
    expect((await get('holder', id)).statusCode).toBe(200);
    await db.insert(teamMember).values({ teamId: t!.id, userId: supervisor.id });
    expect((await get('supervisor', id)).statusCode).toBe(200);
    expect((await put('supervisor', id, '0', { safety: 'unsafe' })).statusCode).toBe(200);
  });
});

describe('PUT /api/signals/:id/screening: audit and timeline', () => {
  it('audits screening.update with the changed field names only', async () => {
    const id = await newSignal();
    await put('holder', id, '0', { safety: 'unsafe', safety_plan: plan });
    await put('holder', id, '1', { safety: 'unsafe', needs: ['legal'] });
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'screening.update'), eq(auditLog.targetId, id)))
      .orderBy(auditLog.seq);
    expect(rows.map((r) => r.details)).toEqual([
      { fields: ['safety', 'safety_plan'], version: 1 },
      { fields: ['needs'], version: 2 },
    ]);
    expect(rows[0]!.actorId).toBe(holder.id);
    expect(rows[0]!.targetType).toBe('signal');
    const all = JSON.stringify(rows.map((r) => [r.details, r.reason, r.targetId]));
    for (const v of ['bluebird', 'Test Person', '555', 'unsafe', 'legal']) expect(all).not.toContain(v);
  });

  it("a signal in a case: the case's timeline gets an `updated` entry with ids and field names", async () => {
    const id = await newSignal();
    const c = await newCase(id);
    await put('holder', id, '0', { classification: 'trafficking', safety_plan: plan });
    const events = await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id));
    expect(events.map((e) => [e.type, e.userId, e.data])).toEqual([
      ['updated', holder.id, { screening: id, fields: ['classification', 'safety_plan'] }],
    ]);
    const alone = await newSignal();
    await put('holder', alone, '0', { classification: 'trafficking' });
    expect(JSON.stringify(await db.select().from(caseEvent).where(eq(caseEvent.caseId, c.id)))).not.toContain(
      alone,
    );
  });
});
