import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { json, TEST_KEY } from '../../../../test/helpers/app.js';
import type { TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import { caseFile, casePerson } from '../../db/schema.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

// Shared by the referral and partner tests: a case written straight to the tables (as another module would), calls
// with an optional If-Match, and proposing a referral. Names and numbers are fictional.

export const NAME = 'Aster Quillfeather (fictional)';
export const CONTACT = '+15550100177';
export const CONSENT = {
  kind: 'verbal',
  agreed: 'Yes, <b>share</b> my first name and language only',
  shared_fields: ['first_name', 'language'],
};

export type Ref = Record<string, unknown> & { id: string; version: number; status: string };

export const tag = () => randomBytes(4).toString('hex').toUpperCase();

/** A case and one potential victim (name and contact sealed with the test key). */
export async function makeCase(db: Db, options: { restrictedTeamId?: string; region?: string } = {}) {
  const [c] = await db
    .insert(caseFile)
    .values({
      reference: `HC-T3ST-${tag()}`,
      region: options.region ?? 'ON',
      restrictedTeamId: options.restrictedTeamId ?? null,
    })
    .returning();
  const personId = crypto.randomUUID();
  await db.insert(casePerson).values({
    id: personId,
    caseId: c!.id,
    role: 'potential_victim',
    identitySealed: encrypt(TEST_KEY, JSON.stringify({ name: NAME, contact: CONTACT }), personId),
    languages: ['es'],
    ageBand: '25_34',
    gender: 'declined',
  });
  return { caseId: c!.id, reference: c!.reference, personId };
}

/** `call(session, method, url, payload?, version?)`: version becomes the If-Match header. */
export function versionedCaller(harbour: () => HarbourApp) {
  return (
    session: TestSession,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    version?: number | string,
  ) =>
    harbour().app.inject({
      method,
      url,
      headers: { ...session.headers, ...(version !== undefined ? { 'if-match': String(version) } : {}) },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
}

/** Proposes a shelter referral to `org` (with `serviceId` when given); expects 201. */
export async function proposeReferral(
  call: ReturnType<typeof versionedCaller>,
  advocate: TestSession,
  target: { caseId: string; personId: string | undefined; org: string; serviceId?: string | undefined },
  consent?: unknown,
) {
  const res = await call(advocate, 'POST', `/api/cases/${target.caseId}/referrals`, {
    ...(target.personId ? { person_id: target.personId } : {}),
    need: 'shelter_housing',
    organization_id: target.org,
    ...(target.serviceId ? { service_id: target.serviceId } : {}),
    ...(consent ? { consent } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return json<Ref>(res);
}
