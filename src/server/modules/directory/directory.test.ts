import { eq, or } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import {
  auditLog,
  directorySearch,
  location,
  organization,
  schedule,
  taxonomyTerm,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { POPULATIONS_TAXONOMY } from './directory.projection.js';

let app: FastifyInstance;
let db: Db;
let manager: TestSession;

beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
  manager = await sessionFor(db, await createUser(db, { role: 'directory_manager' }));
});
afterAll(() => app.close());

const tag = () => Math.random().toString(16).slice(2, 8);

async function populationTerm(code: string) {
  await db.insert(taxonomyTerm).values({
    code,
    name: code,
    description: code,
    taxonomy: POPULATIONS_TAXONOMY,
    translations: { fr: { name: `${code} (fr)` } },
  });
  return code;
}

async function newOrg(headers = manager.headers) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/directory/organizations',
    headers,
    payload: {
      name: `Refuge Test ${tag()} (fictional)`,
      organizationType: 'service_provider',
      jurisdiction: ['QC'],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ organization: { id: string } }>(res).organization.id;
}

describe('directory editing', () => {
  it('creates an organization, a service and a location; search sees them at once', async () => {
    const orgId = await newOrg();
    const women = await populationTerm(`women-${tag()}`);
    const svc = await app.inject({
      method: 'POST',
      url: '/api/directory/services',
      headers: manager.headers,
      payload: {
        organizationId: orgId,
        name: 'Hébergement d’urgence',
        translations: { en: { name: 'Emergency shelter' } },
        populations: [women],
        languages: ['fr', 'EN'],
        phones: [{ number: '418-555-0142', type: 'voice' }],
      },
    });
    expect(svc.statusCode, svc.body).toBe(201);
    const serviceId = json<{ service: { id: string } }>(svc).service.id;
    const loc = await app.inject({
      method: 'POST',
      url: '/api/directory/locations',
      headers: manager.headers,
      payload: {
        organizationId: orgId,
        latitude: 46.8,
        longitude: -71.2,
        confidential: true,
        address: {
          address1: '1 rue Fictive',
          city: 'Québec',
          stateProvince: 'QC',
          postalCode: 'G1A 0A0',
          country: 'CA',
        },
        serviceIds: [serviceId],
      },
    });
    expect(loc.statusCode, loc.body).toBe(201);

    const rows = await db.select().from(directorySearch).where(eq(directorySearch.serviceId, serviceId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      populations: [women],
      languages: ['en', 'fr'],
      city: 'Québec',
      locationConfidential: true,
    });
    expect(rows[0]!.document).toContain('emergency shelter');

    const read = await app.inject({
      method: 'GET',
      url: `/api/directory/services/${serviceId}`,
      headers: manager.headers,
    });
    expect(json(read)).toMatchObject({
      populations: [women],
      languages: ['en', 'fr'],
      phones: [{ number: '418-555-0142' }],
    });
  });

  it('records every changed field in the HSDS metadata history and the audit log', async () => {
    const orgId = await newOrg();
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/directory/organizations/${orgId}`,
      headers: manager.headers,
      payload: { description: 'Nouvelle description', website: 'https://refuge.example' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const history = await app.inject({
      method: 'GET',
      url: `/api/directory/history/organization/${orgId}`,
      headers: manager.headers,
    });
    const rows = json<{
      history: Array<{
        fieldName: string;
        lastActionType: string;
        previousValue: string;
        replacementValue: string;
      }>;
    }>(history).history;
    expect(rows.find((r) => r.fieldName === 'description')).toMatchObject({
      lastActionType: 'update',
      previousValue: '',
      replacementValue: 'Nouvelle description',
    });
    expect(rows.filter((r) => r.lastActionType === 'create').map((r) => r.fieldName)).toContain('name');
    const audit = await db.select().from(auditLog).where(eq(auditLog.targetId, orgId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['directory.organization_created', 'directory.organization_updated']),
    );
  });

  it('refuses unknown population codes with the code, and changes nothing', async () => {
    const orgId = await newOrg();
    const res = await app.inject({
      method: 'POST',
      url: '/api/directory/services',
      headers: { ...manager.headers, 'accept-language': 'fr' },
      payload: { organizationId: orgId, name: 'Service X', populations: ['no-such-group'] },
    });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toEqual({
      error: { code: 'UNKNOWN_POPULATION', message: 'Code de population inconnu : no-such-group.' },
    });
    const count = await db.select().from(organization).where(eq(organization.id, orgId));
    expect(count).toHaveLength(1);
  });

  it('verifies a listing and keeps the overdue queue', async () => {
    const orgId = await newOrg();
    const svc = await app.inject({
      method: 'POST',
      url: '/api/directory/services',
      headers: manager.headers,
      payload: { organizationId: orgId, name: `Overdue ${tag()}` },
    });
    const serviceId = json<{ service: { id: string } }>(svc).service.id;
    const queue = async () =>
      json<{ services: Array<{ id: string }> }>(
        await app.inject({
          method: 'GET',
          url: '/api/directory/verification/overdue?limit=200',
          headers: manager.headers,
        }),
      ).services.map((s) => s.id);
    expect(await queue()).toContain(serviceId);
    const verified = await app.inject({
      method: 'POST',
      url: `/api/directory/services/${serviceId}/verify`,
      headers: manager.headers,
      payload: { note: 'called them' },
    });
    const body = json<{ service: { assuredDate: string; verificationDue: string; assurerEmail: string } }>(
      verified,
    ).service;
    const due = new Date(body.assuredDate);
    due.setUTCMonth(due.getUTCMonth() + 6);
    expect(body.verificationDue).toBe(due.toISOString().slice(0, 10));
    expect(body.assurerEmail).toMatch(/@test\.harbour\.example$/);
    expect(await queue()).not.toContain(serviceId);
  });

  it('lets a partner propose changes to its own listing only; a manager approves them', async () => {
    const orgId = await newOrg();
    const otherOrg = await newOrg();
    const partner = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgId }));
    const svc = await app.inject({
      method: 'POST',
      url: '/api/directory/services',
      headers: manager.headers,
      payload: { organizationId: orgId, name: 'Beds' },
    });
    const serviceId = json<{ service: { id: string } }>(svc).service.id;

    const foreign = await app.inject({
      method: 'POST',
      url: '/api/directory/proposals',
      headers: partner.headers,
      payload: { resourceType: 'organization', resourceId: otherOrg, changes: { description: 'hijack' } },
    });
    expect(foreign.statusCode).toBe(404);
    const direct = await app.inject({
      method: 'PATCH',
      url: `/api/directory/services/${serviceId}`,
      headers: partner.headers,
      payload: { name: 'x' },
    });
    expect(direct.statusCode).toBe(403);
    const sneaky = await app.inject({
      method: 'POST',
      url: '/api/directory/proposals',
      headers: partner.headers,
      payload: { resourceType: 'service', resourceId: serviceId, changes: { confidential: false } },
    });
    expect(sneaky.statusCode).toBe(400);

    const proposed = await app.inject({
      method: 'POST',
      url: '/api/directory/proposals',
      headers: partner.headers,
      payload: { resourceType: 'capacity', resourceId: serviceId, changes: { available: 3, maximum: 12 } },
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const proposalId = json<{ proposal: { id: string } }>(proposed).proposal.id;

    // Nothing applied yet.
    const before = json<{ capacity: unknown[] }>(
      await app.inject({
        method: 'GET',
        url: `/api/directory/services/${serviceId}`,
        headers: manager.headers,
      }),
    );
    expect(before.capacity).toEqual([]);

    const approve = await app.inject({
      method: 'POST',
      url: `/api/directory/proposals/${proposalId}/approve`,
      headers: manager.headers,
      payload: {},
    });
    expect(approve.statusCode, approve.body).toBe(200);
    const after = json<{ capacity: Array<{ available: number; maximum: number }> }>(
      await app.inject({
        method: 'GET',
        url: `/api/directory/services/${serviceId}`,
        headers: manager.headers,
      }),
    );
    expect(after.capacity).toMatchObject([{ available: 3, maximum: 12 }]);
    const again = await app.inject({
      method: 'POST',
      url: `/api/directory/proposals/${proposalId}/reject`,
      headers: manager.headers,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(again).error.code).toBe('PROPOSAL_NOT_PENDING');
  });

  it("refuses the same pending proposal twice with 409 PROPOSAL_DUPLICATE, in the caller's language", async () => {
    const orgId = await newOrg();
    const partner = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgId }));
    const svc = await app.inject({
      method: 'POST',
      url: '/api/directory/services',
      headers: manager.headers,
      payload: { organizationId: orgId, name: `Dup Beds ${tag()} (fictional)` },
    });
    const serviceId = json<{ service: { id: string } }>(svc).service.id;
    const propose = (changes: Record<string, unknown>, headers = partner.headers) =>
      app.inject({
        method: 'POST',
        url: '/api/directory/proposals',
        headers,
        payload: { resourceType: 'capacity', resourceId: serviceId, changes },
      });

    const first = await propose({ available: 3, maximum: 12 });
    expect(first.statusCode, first.body).toBe(201);
    // Same change, keys in another order, in French: refused, with a stable code and a French message.
    const again = await propose(
      { maximum: 12, available: 3 },
      { ...partner.headers, 'accept-language': 'fr-CA' },
    );
    expect(again.statusCode).toBe(409);
    const error = json<{ error: { code: string; message: string } }>(again).error;
    expect(error.code).toBe('PROPOSAL_DUPLICATE');
    expect(error.message).toMatch(/attend déjà/);
    expect(
      json<{ error: { message: string } }>(await propose({ available: 3, maximum: 12 })).error.message,
    ).toMatch(/already waiting for review/);
    // Sent twice at once (a double click): exactly one is filed.
    const both = await Promise.all([
      propose({ available: 4, maximum: 12 }),
      propose({ available: 4, maximum: 12 }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    // A different change to the same record is a proposal of its own.
    expect((await propose({ available: 5, maximum: 12 })).statusCode).toBe(201);
    const pending = json<{ proposals: Array<{ resourceId: string; changes: unknown }> }>(
      await app.inject({ method: 'GET', url: '/api/directory/proposals', headers: manager.headers }),
    ).proposals.filter((p) => p.resourceId === serviceId);
    expect(pending.map((p) => p.changes)).toEqual([
      { available: 3, maximum: 12 },
      { available: 4, maximum: 12 },
      { available: 5, maximum: 12 },
    ]);

    // Once the first is decided, the same change may be proposed again.
    const firstId = json<{ proposal: { id: string } }>(first).proposal.id;
    const reject = await app.inject({
      method: 'POST',
      url: `/api/directory/proposals/${firstId}/reject`,
      headers: manager.headers,
      payload: {},
    });
    expect(reject.statusCode, reject.body).toBe(200);
    expect((await propose({ available: 3, maximum: 12 })).statusCode).toBe(201);
  });

  it('lets a partner propose weekly hours for its own service; approval replaces them, with history and audit', async () => {
    const orgId = await newOrg();
    const otherOrg = await newOrg();
    const partner = await sessionFor(db, await createUser(db, { role: 'partner', organizationId: orgId }));
    const newService = async (organizationId: string) =>
      json<{ service: { id: string } }>(
        await app.inject({
          method: 'POST',
          url: '/api/directory/services',
          headers: manager.headers,
          payload: { organizationId, name: `Drop-in ${tag()} (fictional)` },
        }),
      ).service.id;
    const serviceId = await newService(orgId);
    const foreignId = await newService(otherOrg);
    // What is there now: weekday hours, plus a summer rule and a location's own hours that hours proposals leave alone.
    const [loc] = await db
      .insert(location)
      .values({ organizationId: orgId, name: 'Site (fictional)' })
      .returning();
    await db.insert(schedule).values([
      {
        serviceId,
        freq: 'WEEKLY',
        byday: 'MO,TU,WE,TH,FR',
        opensAt: '09:00',
        closesAt: '17:00',
        timezone: 'America/Toronto',
      },
      {
        serviceId,
        freq: 'WEEKLY',
        byday: 'SA',
        opensAt: '10:00',
        closesAt: '12:00',
        validFrom: '2026-06-01',
        validTo: '2026-08-31',
      },
      { locationId: loc!.id, freq: 'WEEKLY', byday: 'MO', opensAt: '08:00', closesAt: '18:00' },
    ]);
    const getService = async () =>
      json<{ hours: unknown }>(
        await app.inject({
          method: 'GET',
          url: `/api/directory/services/${serviceId}`,
          headers: partner.headers,
        }),
      );
    expect((await getService()).hours).toEqual({
      timezone: 'America/Toronto',
      hours: ['MO', 'TU', 'WE', 'TH', 'FR'].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
    });

    const propose = (resourceId: string, changes: unknown, headers = partner.headers) =>
      app.inject({
        method: 'POST',
        url: '/api/directory/proposals',
        headers,
        payload: { resourceType: 'schedule', resourceId, changes },
      });
    const week = {
      timezone: 'America/Winnipeg',
      hours: [
        { day: 'SA', opens: '10:00', closes: '16:00' },
        { day: 'MO', opens: '13:00', closes: '21:00' },
        { day: 'MO', opens: '08:00', closes: '12:00' },
        { day: 'FR', opens: '22:00', closes: '06:00' },
      ],
    };
    expect((await propose(foreignId, week)).statusCode).toBe(404);
    for (const bad of [
      { ...week, timezone: '-06:00' },
      { ...week, timezone: 'America/Atlantis' },
      { ...week, hours: [{ day: 'MO', opens: '9h', closes: '17:00' }] },
      {
        ...week,
        hours: [
          { day: 'MO', opens: '08:00', closes: '12:00' },
          { day: 'MO', opens: '11:00', closes: '15:00' },
        ],
      },
      { ...week, hours: [{ day: 'Monday', opens: '08:00', closes: '12:00' }] },
      { hours: week.hours },
    ]) {
      const res = await propose(serviceId, bad, { ...partner.headers, 'accept-language': 'fr-CA' });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      const error = json<{ error: { code: string; message: string } }>(res).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/invalides/);
    }

    const sent = await propose(serviceId, week);
    expect(sent.statusCode, sent.body).toBe(201);
    const proposal = json<{ proposal: { id: string; changes: { hours: Array<{ day: string }> } } }>(
      sent,
    ).proposal;
    expect(proposal.changes.hours.map((h) => h.day)).toEqual(['MO', 'MO', 'FR', 'SA']);
    // The same week in another order is the same proposal.
    const again = await propose(serviceId, { ...week, hours: [...week.hours].reverse() });
    expect(again.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(again).error.code).toBe('PROPOSAL_DUPLICATE');

    const listed = json<{ proposals: Array<{ id: string; resourceType: string }> }>(
      await app.inject({ method: 'GET', url: '/api/directory/proposals', headers: manager.headers }),
    ).proposals.find((p) => p.id === proposal.id);
    expect(listed?.resourceType).toBe('schedule');
    // Nothing changes before approval.
    expect((await getService()).hours).toMatchObject({ timezone: 'America/Toronto' });

    const approve = await app.inject({
      method: 'POST',
      url: `/api/directory/proposals/${proposal.id}/approve`,
      headers: manager.headers,
      payload: {},
    });
    expect(approve.statusCode, approve.body).toBe(200);
    expect((await getService()).hours).toEqual({
      timezone: 'America/Winnipeg',
      hours: [
        { day: 'MO', opens: '08:00', closes: '12:00' },
        { day: 'MO', opens: '13:00', closes: '21:00' },
        { day: 'FR', opens: '22:00', closes: '06:00' },
        { day: 'SA', opens: '10:00', closes: '16:00' },
      ],
    });
    const rows = await db
      .select()
      .from(schedule)
      .where(or(eq(schedule.serviceId, serviceId), eq(schedule.locationId, loc!.id)));
    expect(rows.filter((r) => r.validFrom)).toHaveLength(1); // the summer rule stays
    expect(rows.filter((r) => r.locationId)).toHaveLength(1); // and so do the location's hours
    expect(
      rows.filter((r) => !r.validFrom && !r.locationId).every((r) => r.timezone === 'America/Winnipeg'),
    ).toBe(true);

    const history = json<{
      history: Array<{ fieldName: string; previousValue: string; replacementValue: string }>;
    }>(
      await app.inject({
        method: 'GET',
        url: `/api/directory/history/service/${serviceId}`,
        headers: manager.headers,
      }),
    ).history.find((h) => h.fieldName === 'hours');
    expect(history).toMatchObject({
      previousValue:
        'MO 09:00-17:00; TU 09:00-17:00; WE 09:00-17:00; TH 09:00-17:00; FR 09:00-17:00 (America/Toronto)',
      replacementValue: 'MO 08:00-12:00, 13:00-21:00; FR 22:00-06:00; SA 10:00-16:00 (America/Winnipeg)',
    });
    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, serviceId));
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(['directory.change_proposed', 'directory.hours_updated']),
    );
  });

  it('survives hostile text and bad values without a 5xx', async () => {
    const orgId = await newOrg();
    const hostile = ["'; drop table service; --", 'x'.repeat(10_000), '🏠🧭‍', 'a\u0000b\u0007c'];
    for (const name of hostile) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/directory/services',
        headers: manager.headers,
        payload: { organizationId: orgId, name },
      });
      expect(res.statusCode).toBeLessThan(500);
    }
    for (const payload of [{ latitude: 91 }, { address: { city: 'x' } }, { confidential: 'yes' }]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/directory/locations',
        headers: manager.headers,
        payload: { organizationId: orgId, ...payload },
      });
      expect(res.statusCode).toBe(400);
    }
  });
});
