import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createDirectoryEntry, type DirectoryEntry } from '../../../../test/helpers/directory-factories.js';
import type { HarbourApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { createHsdsReader } from './hsds.routes.js';

/**
 * Confidentiality is tested, not assumed: a confidential organization, a confidential service (of a public
 * organization) and a confidential location (of a public service) each carry a unique canary in every text
 * field. No /hsds response — lists, items, ndjson, searches, counts, 404s — may contain or betray them.
 */

type Page = { total_items: number; contents: Record<string, unknown>[] };

let harbour: HarbourApp;
let db: Db;
const run = Math.random().toString(36).slice(2, 8);
const word = `cq${run}`; // shared by every entry of this file, to scope searches and counts
const canaries = { org: `canaryorg${run}`, svc: `canarysvc${run}`, loc: `canaryloc${run}` };
// A remote spot of coordinates nobody else uses, for the confidential location.
const secretLat = 58.1 + Math.random() * 0.5;
const secretLng = -68.3 - Math.random() * 0.5;

let confOrg: DirectoryEntry;
let confSvc: DirectoryEntry;
let confLoc: DirectoryEntry;
let publicSibling: DirectoryEntry;
const responses: { url: string; body: string }[] = [];

const get = async (url: string) => {
  const res = await harbour.app.inject({ method: 'GET', url });
  responses.push({ url, body: res.body });
  return res;
};

function expectNoCanary(body: string) {
  const lower = body.toLowerCase();
  for (const c of Object.values(canaries)) expect(lower).not.toContain(c);
  expect(body).not.toContain(secretLat.toString().slice(0, 7));
}

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  confOrg = await createDirectoryEntry(db, {
    confidential: { organization: true },
    canary: canaries.org,
    serviceName: `Org secret ${word} ${canaries.org}`,
    populations: [`pop-${word}`],
  });
  // A public organization with one public and one confidential service.
  publicSibling = await createDirectoryEntry(db, {
    serviceName: `Public ${word} (fictional)`,
    province: 'NS',
  });
  confSvc = await createDirectoryEntry(db, {
    confidential: { service: true },
    serviceCanary: canaries.svc,
    serviceName: `Service secret ${word} ${canaries.svc}`,
  });
  // A public service whose only location is confidential: the service is public, the location is not.
  confLoc = await createDirectoryEntry(db, {
    confidential: { location: true },
    locationCanary: canaries.loc,
    serviceName: `Safe house line ${word} (fictional)`,
    lat: secretLat,
    lng: secretLng,
    province: 'NL',
    city: `Secretcity ${canaries.loc}`,
    postalCode: `A1A 1A1 ${canaries.loc}`,
  });
});
afterAll(() => harbour.app.close());

describe('HSDS confidentiality canary', () => {
  it('lists and counts contain only public rows', async () => {
    const services = json<Page>(await get(`/hsds/services?search=${word}&per_page=200`));
    expect(services.contents.map((s) => s.id).sort()).toEqual(
      [publicSibling.serviceId, confLoc.serviceId].sort(),
    );
    expect(services.total_items).toBe(2);
    const minimal = json<Page>(await get(`/hsds/services?search=${word}&minimal=true`));
    expect(minimal.total_items).toBe(2);

    // The public service at a confidential location: present, but without any trace of the location.
    const safe = services.contents.find((s) => s.id === confLoc.serviceId)!;
    expect(safe.service_at_locations).toEqual([]);
    expect(JSON.stringify(safe)).not.toContain(confLoc.locationId!);
    expect(JSON.stringify(safe)).not.toContain(confLoc.serviceAtLocationId!);

    const sals = json<Page>(await get(`/hsds/service_at_locations?search=${word}`));
    expect(sals.contents.map((s) => s.id)).toEqual([publicSibling.serviceAtLocationId]);
    expect(sals.total_items).toBe(1);

    for (const e of [confOrg]) {
      const byOrg = json<Page>(await get(`/hsds/services?organization_id=${e.organizationId}`));
      expect(byOrg.total_items).toBe(0);
      expect(
        json<Page>(await get(`/hsds/service_at_locations?organization_id=${e.organizationId}`)).total_items,
      ).toBe(0);
    }
    expect(
      json<Page>(await get(`/hsds/services?organization_id=${confSvc.organizationId}`)).total_items,
    ).toBe(0);
    expect(
      json<Page>(await get(`/hsds/services?organization_id=${confLoc.organizationId}`)).total_items,
    ).toBe(1);
    expect(
      json<Page>(await get(`/hsds/service_at_locations?organization_id=${confLoc.organizationId}`))
        .total_items,
    ).toBe(0);
    // Filters by a term only the confidential organization's service uses count nothing.
    expect(
      json<Page>(await get(`/hsds/services?taxonomy_term_id=${confOrg.populationTermIds[0]}`)).total_items,
    ).toBe(0);
    expect(json<Page>(await get(`/hsds/services?taxonomy_id=${confSvc.taxonomyId}`)).total_items).toBe(0);
  });

  it('searching for a canary, or for a confidential location’s name or city, finds nothing', async () => {
    for (const c of Object.values(canaries)) {
      for (const path of ['services', 'service_at_locations', 'organizations']) {
        const page = json<Page>(await get(`/hsds/${path}?search=${c}`));
        expect(page.total_items).toBe(0);
      }
    }
    expect(json<Page>(await get('/hsds/services?search=secretcity')).contents.map((s) => s.id)).not.toContain(
      confLoc.serviceId,
    );
  });

  it('proximity and postcode searches do not reveal the confidential location', async () => {
    const near = json<Page>(
      await get(`/hsds/service_at_locations?lat=${secretLat}&lng=${secretLng}&proximity=5000`),
    );
    expect(near.total_items).toBe(0);
    const nl = json<Page>(await get(`/hsds/service_at_locations?postcode=A1A1A1&search=${word}`));
    expect(nl.total_items).toBe(0);
  });

  it('items: confidential and unknown ids get the identical 404', async () => {
    const unknown = await get(`/hsds/services/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    const cases = [
      `/hsds/services/${confOrg.serviceId}`,
      `/hsds/services/${confSvc.serviceId}`,
      `/hsds/organizations/${confOrg.organizationId}`,
      `/hsds/service_at_locations/${confOrg.serviceAtLocationId}`,
      `/hsds/service_at_locations/${confSvc.serviceAtLocationId}`,
      `/hsds/service_at_locations/${confLoc.serviceAtLocationId}`,
      `/hsds/service_at_locations/${randomUUID()}`,
      `/hsds/organizations/${randomUUID()}`,
    ];
    for (const url of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toBe(unknown.body);
      expect(Object.keys(res.headers).sort(), url).toEqual(Object.keys(unknown.headers).sort());
    }
    // The public organization of a confidential service: listed, without the confidential service.
    const org = json(await get(`/hsds/organizations/${confSvc.organizationId}?full_service=true`));
    expect(org.services).toEqual([]);
    // The public organization of the confidential location: without the location.
    const org2 = json(await get(`/hsds/organizations/${confLoc.organizationId}`));
    expect(org2.locations).toEqual([]);
    const safe = await get(`/hsds/services/${confLoc.serviceId}`);
    expect(safe.statusCode).toBe(200);
  });

  it('ndjson exports of every endpoint contain no confidential row', async () => {
    for (const path of [
      'services',
      'services?minimal=true',
      'service_at_locations',
      'organizations?full_service=true',
      'taxonomies',
      'taxonomy_terms',
    ]) {
      const res = await get(`/hsds/${path}${path.includes('?') ? '&' : '?'}format=ndjson`);
      expect(res.statusCode).toBe(200);
      const ids = res.body
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id);
      for (const hidden of [
        confOrg.serviceId,
        confSvc.serviceId,
        confOrg.organizationId,
        confLoc.serviceAtLocationId,
      ]) {
        expect(ids).not.toContain(hidden);
      }
    }
  });

  it('no response body of this file carries a canary or the secret coordinates', async () => {
    await get('/hsds/');
    await get(`/hsds/services/${confLoc.serviceId}?lang=fr`);
    await get(`/hsds/organizations?search=${word}&full_service=true`);
    expect(responses.length).toBeGreaterThan(30);
    for (const r of responses) expectNoCanary(r.body);
  });

  it('the staff presentation keeps them, flagged (so the canary test above can fail)', async () => {
    const reader = createHsdsReader(db);
    const svc = await reader.service({ audience: 'staff' }, confLoc.serviceId);
    const body = JSON.stringify(svc);
    expect(body).toContain(canaries.loc);
    const sal = (svc!.service_at_locations as { location: { confidential: boolean } }[])[0]!;
    expect(sal.location.confidential).toBe(true);
    const hidden = await reader.service({ audience: 'staff' }, confSvc.serviceId);
    expect(hidden).toMatchObject({ confidential: true });
    expect(await reader.service({ audience: 'public' }, confSvc.serviceId)).toBeUndefined();
  });
});
