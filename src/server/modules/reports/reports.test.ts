import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor } from '../../../../test/helpers/factories.js';
import type { Role } from '../../../shared/roles.js';
import type { HarbourApp } from '../../app.js';
import { caseFile, casePerson, screening, signal } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { checkPeriod } from './reports.service.js';

// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely and asserted on.
type Loose = any;

let harbour: HarbourApp;
let db: Db;
const headers: Partial<Record<Role, Record<string, string>>> = {};

const rnd = () => Math.random().toString(36).slice(2, 6).toUpperCase();
const pad = (n: number) => String(n).padStart(2, '0');

// A three-day period of our own, far in the past (other test files share the database): 1950–1989, a random day.
const year = 1950 + Math.floor(Math.random() * 40);
const month = 1 + Math.floor(Math.random() * 12);
const day = 10 + Math.floor(Math.random() * 10);
const D = (offset: number) => `${year}-${pad(month)}-${pad(day + offset)}`;
const FROM = D(0);
const TO = D(2);

async function screened(
  arrivedAt: string,
  values: { safety?: string | null; classification?: string | null; needs?: string[] },
) {
  const [s] = await db
    .insert(signal)
    .values({
      reference: `HB-R${rnd()}-${rnd()}`,
      channel: 'chat',
      language: 'en',
      state: 'ended',
      arrivedAt: new Date(arrivedAt),
    })
    .returning();
  await db.insert(screening).values({
    signalId: s!.id,
    safety: values.safety ?? null,
    classification: values.classification ?? null,
    needs: values.needs ?? [],
  });
  return s!.id;
}

const caseIds: string[] = [];
const signalIds: string[] = [];

beforeAll(async () => {
  // The hotline's zone decides where a day starts: America/Toronto (UTC−5 / −4).
  harbour = await testApp({ timeZone: 'America/Toronto' });
  db = (await testDatabase()).db;
  for (const role of ['supervisor', 'analyst', 'advocate', 'admin', 'partner'] as const)
    headers[role] = (await sessionFor(db, await createUser(db, { role }))).headers;

  // In the period (the last one at 23:30 local time on its last day, 03:30 UTC the day after).
  signalIds.push(
    await screened(`${D(0)}T15:00:00Z`, {
      safety: 'safe_now',
      classification: 'trafficking',
      needs: ['shelter_housing', 'counselling'],
    }),
    await screened(`${D(1)}T15:00:00Z`, {
      safety: 'declined',
      classification: 'trafficking',
      needs: ['declined'],
    }),
    await screened(`${D(1)}T16:00:00Z`, { safety: 'unknown', classification: null, needs: [] }),
    await screened(`${D(2)}T15:00:00Z`, {
      safety: null,
      classification: 'not_trafficking',
      needs: ['unknown'],
    }),
    await screened(`${D(3)}T03:30:00Z`, {
      safety: 'unsafe',
      classification: 'information_request',
      needs: ['shelter_housing'],
    }),
  );
  // Outside: 23:30 local the evening before, and noon the day after.
  await screened(`${D(0)}T03:30:00Z`, {
    safety: 'immediate_danger',
    classification: 'other_crisis',
    needs: ['legal'],
  });
  await screened(`${D(3)}T16:00:00Z`, {
    safety: 'immediate_danger',
    classification: 'other_crisis',
    needs: ['legal'],
  });

  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-R${rnd()}-${rnd()}` })
    .returning();
  caseIds.push(c!.id);
  const person = (
    role: string,
    createdAt: string,
    v: { gender?: string | null; ageBand?: string | null; exploitationTypes?: string[] },
  ) => ({
    caseId: c!.id,
    role,
    gender: v.gender ?? null,
    ageBand: v.ageBand ?? null,
    exploitationTypes: v.exploitationTypes ?? [],
    createdAt: new Date(createdAt),
  });
  await db.insert(casePerson).values([
    person('potential_victim', `${D(0)}T15:00:00Z`, {
      gender: 'feminine',
      ageBand: '18_24',
      exploitationTypes: ['sex', 'labour'],
    }),
    person('potential_victim', `${D(1)}T15:00:00Z`, {
      gender: 'declined',
      ageBand: 'unknown',
      exploitationTypes: ['declined'],
    }),
    person('potential_victim', `${D(3)}T03:30:00Z`, {}),
    person('caller_reporter', `${D(2)}T15:00:00Z`, { gender: 'masculine' }),
    // Outside the period.
    person('potential_victim', `${D(0)}T03:30:00Z`, { gender: 'masculine', ageBand: '65_plus' }),
    person('survivor', `${D(3)}T16:00:00Z`, { gender: 'masculine' }),
  ]);
});
afterAll(() => harbour.app.close());

const get = (role: Role | null, url: string, extra: Record<string, string> = {}) =>
  harbour.app.inject({ method: 'GET', url, headers: { ...(role ? headers[role] : {}), ...extra } });

const field = (fields: Loose[], name: string) => {
  const f = fields.find((x) => x.field === name);
  return {
    counts: Object.fromEntries(f.counts.map((c: Loose) => [c.code, c.count])),
    declined: f.declined,
    unknown: f.unknown,
    not_asked: f.not_asked,
  };
};

describe('GET /api/reports/screening', () => {
  it('counts each code, and declined, unknown and not asked apart, over days in the hotline’s zone', async () => {
    const res = await get('supervisor', `/api/reports/screening?from=${FROM}&to=${TO}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = json<Loose>(res);
    expect(body).toMatchObject({
      from: FROM,
      to: TO,
      time_zone: 'America/Toronto',
      screenings: 5,
      people: 4,
    });
    expect(field(body.fields, 'safety')).toEqual({
      counts: { safe_now: 1, unsafe: 1, immediate_danger: 0 },
      declined: 1,
      unknown: 1,
      not_asked: 1,
    });
    expect(field(body.fields, 'classification')).toEqual({
      counts: {
        trafficking: 2,
        indicators_early_stage: 0,
        not_trafficking: 1,
        information_request: 1,
        other_crisis: 0,
      },
      declined: 0,
      unknown: 0,
      not_asked: 1,
    });
    const needs = field(body.fields, 'needs');
    expect(needs.counts).toMatchObject({ shelter_housing: 2, counselling: 1, legal: 0, case_management: 0 });
    expect({ ...needs, counts: undefined }).toEqual({
      counts: undefined,
      declined: 1,
      unknown: 1,
      not_asked: 1,
    });
    // Codes come in the shared list's order, every one of them.
    expect(body.fields.map((f: Loose) => f.field)).toEqual(['safety', 'classification', 'needs']);
    expect(body.fields[0].counts.map((c: Loose) => c.code)).toEqual([
      'safe_now',
      'unsafe',
      'immediate_danger',
    ]);

    const roles = Object.fromEntries(body.people_by_role.map((r: Loose) => [r.role, r]));
    expect(body.people_by_role.map((r: Loose) => r.role)).toEqual([
      'potential_victim',
      'survivor',
      'caller_reporter',
      'family_member',
      'exploiter',
      'witness',
    ]);
    expect(roles.potential_victim.people).toBe(3);
    expect(roles.caller_reporter.people).toBe(1);
    expect(roles.survivor.people).toBe(0);
    const victims = roles.potential_victim.fields;
    expect(field(victims, 'gender')).toEqual({
      counts: {
        feminine: 1,
        masculine: 0,
        transgender_feminine: 0,
        transgender_masculine: 0,
        non_conforming: 0,
      },
      declined: 1,
      unknown: 0,
      not_asked: 1,
    });
    const age = field(victims, 'age_band');
    expect([age.counts['18_24'], age.counts['65_plus'], age.declined, age.unknown, age.not_asked]).toEqual([
      1, 0, 0, 1, 1,
    ]);
    const exploitation = field(victims, 'exploitation_types');
    expect([
      exploitation.counts.sex,
      exploitation.counts.labour,
      exploitation.counts.both,
      exploitation.declined,
      exploitation.unknown,
      exploitation.not_asked,
    ]).toEqual([1, 1, 0, 1, 0, 1]);
    expect(field(roles.caller_reporter.fields, 'gender').counts.masculine).toBe(1);
    expect(field(roles.caller_reporter.fields, 'exploitation_types').not_asked).toBe(1);

    // Aggregates only: no case or signal id leaves.
    for (const id of [...caseIds, ...signalIds]) expect(res.body).not.toContain(id);
  });

  it('a one-day period counts that local day only', async () => {
    const body = json<Loose>(await get('analyst', `/api/reports/screening?from=${D(1)}&to=${D(1)}`));
    expect(body.screenings).toBe(2);
    expect(field(body.fields, 'safety')).toMatchObject({ declined: 1, unknown: 1, not_asked: 0 });
    expect(body.people).toBe(1);
  });

  it('refuses impossible, reversed, too long and hostile periods with a stable code, in the caller’s language', async () => {
    const code = async (query: string, lang = 'en-CA') => {
      const res = await get('supervisor', `/api/reports/screening?${query}`, { 'accept-language': lang });
      return {
        status: res.statusCode,
        code: json<Loose>(res).error?.code,
        message: json<Loose>(res).error?.message,
      };
    };
    expect(await code(`from=${TO}&to=${FROM}`)).toMatchObject({ status: 400, code: 'REPORT_PERIOD_INVALID' });
    expect(await code('from=2021-02-30&to=2021-03-31')).toMatchObject({
      status: 400,
      code: 'REPORT_PERIOD_INVALID',
    });
    expect(await code('from=2021-04-01&to=2021-13-01')).toMatchObject({
      status: 400,
      code: 'REPORT_PERIOD_INVALID',
    });
    const long = await code('from=2019-04-01&to=2024-04-01', 'fr-CA');
    expect(long).toMatchObject({ status: 400, code: 'REPORT_PERIOD_TOO_LONG' });
    expect(long.message).toContain('5 ans');
    expect((await get('supervisor', '/api/reports/screening?from=2019-04-01&to=2024-03-31')).statusCode).toBe(
      200,
    );
    for (const hostile of [
      "from=2021-04-01'%20or%201=1--&to=2022-03-31",
      'from=%3Cscript%3E&to=2022-03-31',
      'from=2021-04-01%00&to=2022-03-31',
      'from=yesterday&to=today',
      'from=2021-04-01',
      '',
    ]) {
      const r = await code(hostile);
      expect(r.status, hostile).toBe(400);
      expect(r.message).not.toContain('script');
    }
  });

  it('is for supervisors and analysts only', async () => {
    const url = `/api/reports/screening?from=${FROM}&to=${TO}`;
    expect((await get('analyst', url)).statusCode).toBe(200);
    for (const role of ['advocate', 'admin', 'partner'] as const)
      expect((await get(role, url)).statusCode, role).toBe(403);
    expect((await get(null, url)).statusCode).toBe(401);
  });
});

describe('checkPeriod', () => {
  it('takes both days included, from ≤ to, less than five years', () => {
    expect(() => checkPeriod('2021-04-01', '2021-04-01')).not.toThrow();
    expect(() => checkPeriod('2020-02-29', '2025-02-28')).not.toThrow();
    expect(() => checkPeriod('2020-02-29', '2025-03-01')).toThrow('REPORT_PERIOD_TOO_LONG');
    expect(() => checkPeriod('2021-04-02', '2021-04-01')).toThrow('REPORT_PERIOD_INVALID');
    expect(() => checkPeriod('2021-04-31', '2021-05-01')).toThrow('REPORT_PERIOD_INVALID');
  });
});
