import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createDirectoryEntry, type DirectoryEntry } from '../../../../test/helpers/directory-factories.js';
import type { HarbourApp } from '../../app.js';
import * as schema from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { pickLanguage, translated } from './hsds.presenter.js';
import { createHsdsReader } from './hsds.routes.js';

// The official HSDS 3.0 schemas (CC BY-SA 4.0, Open Referral), read in place. They declare no `$schema`
// (draft-07 style), so the default Ajv is the right validator; `csv` and `datetime` are HSDS's own
// annotation formats, accepted as is.
const HSDS = path.resolve('../shared/standards/hsds-3.0/schema');
const read = (file: string) => JSON.parse(readFileSync(path.join(HSDS, file), 'utf8')) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('csv', true);
ajv.addFormat('datetime', true);
ajv.addSchema(read('metadata.json'), 'metadata.json');
ajv.addSchema(read('taxonomy.json'), 'taxonomy.json');
const schemas = {
  service: ajv.compile(read('compiled/service.json')),
  serviceList: ajv.compile(read('compiled/service_list.json')),
  organization: ajv.compile(read('compiled/organization.json')),
  serviceAtLocation: ajv.compile(read('compiled/service_at_location.json')),
  taxonomy: ajv.getSchema('taxonomy.json')!,
  taxonomyTerm: ajv.compile(read('taxonomy_term.json')),
};
const openapi = JSON.parse(readFileSync(path.join(HSDS, 'openapi.json'), 'utf8')) as {
  components: { schemas: { Page: object } };
};
const pageSchema = ajv.compile({ ...openapi.components.schemas.Page, required: PAGE_KEYS() });
function PAGE_KEYS() {
  return ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty'];
}

function expectValid(validate: ValidateFunction, value: unknown) {
  const ok = validate(value);
  expect(ok ? [] : validate.errors).toEqual([]);
}

type Page = { total_items: number; size: number; contents: Record<string, unknown>[]; [k: string]: unknown };

let harbour: HarbourApp;
let db: Db;
let entry: DirectoryEntry;
let remote: DirectoryEntry;
const word = `zq${Math.random().toString(36).slice(2, 8)}`;

const get = (url: string, headers: Record<string, string> = {}) =>
  harbour.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
  entry = await createDirectoryEntry(db, {
    serviceName: `Refuge ${word} (fictional)`,
    populations: ['women', `hsds-${word}`],
    capacity: { available: 3, maximum: 12 },
    fr: {
      organization: `Organisme ${word} (fictif)`,
      service: `Hébergement ${word} (fictif)`,
      location: `Lieu ${word} (fictif)`,
    },
    province: 'QC',
    postalCode: 'H2X 1Y4',
    lat: 45.51,
    lng: -73.57,
  });
  remote = await createDirectoryEntry(db, { serviceName: `Line ${word} (fictional)`, withLocation: false });
});
afterAll(() => harbour.app.close());

describe('HSDS API: shapes validate against the official schemas', () => {
  it('GET /hsds/ names version, profile and OpenAPI', async () => {
    const res = await get('/hsds/');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      version: '3.0',
      profile: expect.stringContaining('harbour-profile.md'),
      openapi_url: 'http://harbour.test/api/docs/json',
    });
    const doc = json<{ paths: Record<string, unknown> }>(await get('/api/docs/json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/hsds/services', '/hsds/services/{id}', '/hsds/service_at_locations']),
    );
  });

  it('services: page, item, minimal and ndjson', async () => {
    const res = await get(`/hsds/services?organization_id=${entry.organizationId}`);
    expect(res.statusCode).toBe(200);
    const page = json<Page>(res);
    expectValid(pageSchema, page);
    expect(page).toMatchObject({
      total_items: 1,
      total_pages: 1,
      page_number: 1,
      size: 1,
      first_page: true,
      last_page: true,
      empty: false,
    });
    const svc = page.contents[0]!;
    expectValid(schemas.service, svc);
    expectValid(schemas.serviceList, svc);
    expect(svc).toMatchObject({ id: entry.serviceId, name: `Refuge ${word} (fictional)`, status: 'active' });
    expect((svc.service_at_locations as unknown[]).length).toBe(1);
    expect(svc.service_capacity).toEqual([expect.objectContaining({ available: 3, maximum: 12 })]);
    expect((svc.organization as Record<string, unknown>).jurisdiction).toEqual(['QC']);
    const codes = (svc.attributes as { taxonomy_term: { code: string } }[]).map((a) => a.taxonomy_term.code);
    expect(codes).toEqual(expect.arrayContaining(['women', `hsds-${word}`]));
    // Public output: no staff-only fields.
    for (const k of [
      'intake_notes',
      'assurer_email',
      'assured_by',
      'contacts',
      'metadata',
      'confidential',
      'translations',
    ]) {
      expect(svc).not.toHaveProperty(k);
    }

    const one = await get(`/hsds/services/${entry.serviceId}`);
    expect(one.statusCode).toBe(200);
    expectValid(schemas.service, json(one));
    expect(json(one)).toEqual(svc);

    const minimal = json<Page>(
      await get(`/hsds/services?organization_id=${entry.organizationId}&minimal=true`),
    );
    expectValid(schemas.serviceList, minimal.contents[0]);
    expect(minimal.contents[0]).not.toHaveProperty('phones');
    expect(minimal.contents[0]).not.toHaveProperty('service_at_locations');

    const nd = await get(`/hsds/services?search=${word}&format=ndjson`);
    expect(nd.statusCode).toBe(200);
    expect(nd.headers['content-type']).toContain('application/x-ndjson');
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id).sort()).toEqual([entry.serviceId, remote.serviceId].sort());
    for (const l of lines) expectValid(schemas.service, l);
  });

  it('service_at_locations: page and item', async () => {
    const page = json<Page>(await get(`/hsds/service_at_locations?organization_id=${entry.organizationId}`));
    expectValid(pageSchema, page);
    expect(page.total_items).toBe(1);
    const sal = page.contents[0]!;
    expectValid(schemas.serviceAtLocation, sal);
    expect(sal).toMatchObject({ id: entry.serviceAtLocationId, service_id: entry.serviceId });
    expect(sal.location).toMatchObject({ latitude: 45.51, longitude: -73.57 });
    const one = await get(`/hsds/service_at_locations/${entry.serviceAtLocationId}`);
    expect(one.statusCode).toBe(200);
    expectValid(schemas.serviceAtLocation, json(one));
    // A service without a location has no service_at_location.
    const none = json<Page>(await get(`/hsds/service_at_locations?organization_id=${remote.organizationId}`));
    expect(none).toMatchObject({ total_items: 0, empty: true, contents: [] });
  });

  it('organizations: page (with and without full services) and item', async () => {
    const page = json<Page>(
      await get(`/hsds/organizations?search=${encodeURIComponent(entry.organizationName)}`),
    );
    expectValid(pageSchema, page);
    expect(page.total_items).toBe(1);
    expectValid(schemas.organization, page.contents[0]);
    expect(page.contents[0]).toMatchObject({ organization_type: 'service_provider', jurisdiction: ['QC'] });
    const full = json<Page>(
      await get(`/hsds/organizations?search=${encodeURIComponent(entry.organizationName)}&full_service=true`),
    );
    expectValid(schemas.organization, full.contents[0]);
    const services = full.contents[0]!.services as Record<string, unknown>[];
    expect(services.map((s) => s.id)).toEqual([entry.serviceId]);
    expect(services[0]).toHaveProperty('service_at_locations');
    const one = await get(`/hsds/organizations/${entry.organizationId}`);
    expect(one.statusCode).toBe(200);
    expectValid(schemas.organization, json(one));
  });

  it('taxonomies and taxonomy terms', async () => {
    const one = await get(`/hsds/taxonomies/${entry.taxonomyId}`);
    expect(one.statusCode).toBe(200);
    expectValid(schemas.taxonomy, json(one));
    const list = json<Page>(await get('/hsds/taxonomies?per_page=5'));
    expectValid(pageSchema, list);
    for (const t of list.contents) expectValid(schemas.taxonomy, t);

    const terms = json<Page>(await get(`/hsds/taxonomy_terms?taxonomy_id=${entry.taxonomyId}`));
    expectValid(pageSchema, terms);
    expect(terms.total_items).toBe(1);
    expectValid(schemas.taxonomyTerm, terms.contents[0]);
    expect(terms.contents[0]).toMatchObject({
      id: entry.serviceTypeTermId,
      taxonomy_detail: { id: entry.taxonomyId },
    });
    const term = await get(`/hsds/taxonomy_terms/${entry.serviceTypeTermId}`);
    expectValid(schemas.taxonomyTerm, json(term));
    const nd = await get(`/hsds/taxonomy_terms?taxonomy_id=${entry.taxonomyId}&format=ndjson`);
    expect(nd.body.trim().split('\n')).toHaveLength(1);
  });

  it('the staff presentation also validates, and carries the profile and staff fields', async () => {
    const reader = createHsdsReader(db);
    const svc = await reader.service({ audience: 'staff' }, entry.serviceId);
    expectValid(schemas.service, svc);
    expect(svc).toMatchObject({
      confidential: false,
      intake_notes: expect.any(String),
      assurer_email: expect.any(String),
      translations: { fr: expect.any(Object) },
    });
    expect((svc!.contacts as unknown[]).length).toBe(1);
    expect((svc!.metadata as unknown[]).length).toBe(1);
    const [org] = await reader.organizations({ audience: 'staff' }, [entry.organizationId], true);
    expectValid(schemas.organization, org);
    const [sal] = await reader.serviceAtLocations({ audience: 'staff' }, [entry.serviceAtLocationId!]);
    expectValid(schemas.serviceAtLocation, sal);
    expect(((sal!.location as Record<string, unknown>).contacts as unknown[]).length).toBe(1);
  });
});

describe('HSDS loading is batched', () => {
  it('a page of many services costs the same few queries as a page of one (no N+1)', async () => {
    const database = await testDatabase();
    let queries = 0;
    const logger = { logQuery: () => void queries++ };
    const counting = (database.pglite
      ? (await import('drizzle-orm/pglite')).drizzle(database.pglite, { schema, logger })
      : (await import('drizzle-orm/node-postgres')).drizzle(database.pool!, {
          schema,
          logger,
        })) as unknown as Db;
    const batch = `nq${Math.random().toString(36).slice(2, 8)}`;
    for (let i = 0; i < 6; i++) {
      await createDirectoryEntry(db, {
        serviceName: `Batch ${batch} ${i} (fictional)`,
        populations: ['women'],
      });
    }
    const reader = createHsdsReader(counting);
    const count = async (perPage: number) => {
      queries = 0;
      const { contents } = await reader.servicesPage({ audience: 'public' }, { search: batch }, 1, perPage);
      return { queries, size: contents.length };
    };
    const one = await count(1);
    const six = await count(6);
    expect([one.size, six.size]).toEqual([1, 6]);
    expect(six.queries).toBe(one.queries);
    expect(six.queries).toBeLessThanOrEqual(25);
  });
});

describe('language choice (pure)', () => {
  it('pickLanguage: lang wins, then Accept-Language by q-weight; junk is ignored', () => {
    expect(pickLanguage('FR-CA', 'en')).toBe('fr-ca');
    expect(pickLanguage(undefined, 'en;q=0.4, fr-CA;q=0.9, *;q=1')).toBe('fr-ca');
    expect(pickLanguage(undefined, '%%%, ;q=x')).toBeUndefined();
    expect(pickLanguage(undefined, undefined)).toBeUndefined();
  });
  it('translated: exact tag, then primary subtag, then the record’s own text', () => {
    const tr = { fr: { name: 'Refuge' }, 'fr-CA': { name: 'Refuge (Canada)' }, iu: { name: '' } };
    expect(translated(tr, 'fr-ca', 'name', 'Shelter')).toBe('Refuge (Canada)');
    expect(translated(tr, 'fr-be', 'name', 'Shelter')).toBe('Refuge');
    expect(translated(tr, 'fr', 'description', 'Base')).toBe('Base');
    expect(translated(tr, 'iu', 'name', 'Shelter')).toBe('Shelter');
    expect(translated(tr, undefined, 'name', 'Shelter')).toBe('Shelter');
  });
});

describe('HSDS API: language', () => {
  it('lang or Accept-Language picks the translation; missing fields fall back to the record’s own text', async () => {
    const fr = json<Record<string, unknown>>(await get(`/hsds/services/${entry.serviceId}?lang=fr`));
    expect(fr.name).toBe(`Hébergement ${word} (fictif)`);
    expect(fr.description).toBe('Emergency shelter, fictional'); // no French description: base text
    expect((fr.organization as Record<string, unknown>).name).toBe(`Organisme ${word} (fictif)`);
    const sal = (fr.service_at_locations as { location: { name: string } }[])[0]!;
    expect(sal.location.name).toBe(`Lieu ${word} (fictif)`);
    const typeTerm = (
      fr.attributes as { taxonomy_term: { id: string; name: string; language: string } }[]
    ).find((a) => a.taxonomy_term.id === entry.serviceTypeTermId)!.taxonomy_term;
    expect(typeTerm.name).toContain('Type d’hébergement fictif');
    expect(typeTerm.language).toBe('fr');

    const header = await get(`/hsds/services/${entry.serviceId}`, {
      'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5',
    });
    expect(header.headers['content-language']).toBe('fr-ca');
    expect(json(header).name).toBe(`Hébergement ${word} (fictif)`);
    // lang wins over Accept-Language; an unknown language falls back to base text.
    const de = json(await get(`/hsds/services/${entry.serviceId}?lang=de`, { 'accept-language': 'fr' }));
    expect(de.name).toBe(`Refuge ${word} (fictional)`);
    const base = json(await get(`/hsds/services/${entry.serviceId}`));
    expect(base.name).toBe(`Refuge ${word} (fictional)`);
  });

  it('search is accent- and case-insensitive and finds translated text', async () => {
    const page = json<Page>(
      await get(`/hsds/services?search=${encodeURIComponent(`HEBERGEMENT ${word} (FICTIF)`)}`),
    );
    expect(page.contents.map((c) => c.id)).toEqual([entry.serviceId]);
  });
});

describe('HSDS API: filters', () => {
  it('taxonomy_term_id, taxonomy_id, modified_after', async () => {
    const byTerm = json<Page>(await get(`/hsds/services?taxonomy_term_id=${entry.serviceTypeTermId}`));
    expect(byTerm.contents.map((c) => c.id)).toEqual([entry.serviceId]);
    const byTaxonomy = json<Page>(await get(`/hsds/services?taxonomy_id=${entry.taxonomyId}`));
    expect(byTaxonomy.contents.map((c) => c.id)).toEqual([entry.serviceId]);
    const future = json<Page>(
      await get(`/hsds/services?organization_id=${entry.organizationId}&modified_after=2999-01-01T00:00:00Z`),
    );
    expect(future.total_items).toBe(0);
    const past = json<Page>(
      await get(`/hsds/services?organization_id=${entry.organizationId}&modified_after=2000-01-01T00:00:00Z`),
    );
    expect(past.total_items).toBe(1);
  });

  it('proximity around lat/lng, and postcode narrowing to a province', async () => {
    const near = json<Page>(
      await get(`/hsds/service_at_locations?lat=45.515&lng=-73.575&proximity=2000&search=${word}`),
    );
    expect(near.contents.map((c) => c.id)).toEqual([entry.serviceAtLocationId]);
    const far = json<Page>(
      await get(`/hsds/service_at_locations?lat=49.28&lng=-123.12&proximity=2000&search=${word}`),
    );
    expect(far.total_items).toBe(0);
    const qc = await get(`/hsds/service_at_locations?postcode=H2X1Y4&search=${word}`);
    expect(qc.statusCode).toBe(200);
    expect(qc.headers['x-harbour-postcode-match']).toBeDefined();
    expect(json<Page>(qc).contents.map((c) => c.id)).toEqual([entry.serviceAtLocationId]);
    const bc = json<Page>(await get(`/hsds/service_at_locations?postcode=V6B&search=${word}`));
    expect(bc.total_items).toBe(0);
  });

  it('paging: per_page is capped, pages are consistent', async () => {
    const a = json<Page>(await get(`/hsds/services?search=${word}&per_page=1&page=1`));
    const b = json<Page>(await get(`/hsds/services?search=${word}&per_page=1&page=2`));
    expect(a).toMatchObject({ total_items: 2, total_pages: 2, size: 1, first_page: true, last_page: false });
    expect(b).toMatchObject({ total_items: 2, page_number: 2, size: 1, first_page: false, last_page: true });
    expect(a.contents[0]!.id).not.toBe(b.contents[0]!.id);
    const capped = json<Page>(await get('/hsds/services?per_page=100000&minimal=true'));
    expect(capped.contents.length).toBeLessThanOrEqual(200);
  });
});

describe('HSDS API: hostile and invalid parameters', () => {
  const urls = [
    "/hsds/services?search=' OR 1=1; drop table service; --",
    '/hsds/services?search=%25%25%25_\\',
    `/hsds/services?search=${'a'.repeat(10_000)}`,
    `/hsds/services?search=${encodeURIComponent('🏠 refuge 👩‍👧')}`,
    `/hsds/services?search=${encodeURIComponent('a\u0000b\u001bc')}`,
    '/hsds/services?page=-1',
    '/hsds/services?page=0',
    '/hsds/services?page=abc',
    '/hsds/services?per_page=100000',
    '/hsds/services?per_page=0',
    '/hsds/services?taxonomy_term_id=not-a-uuid',
    '/hsds/services?modified_after=yesterday',
    '/hsds/services?format=xml',
    '/hsds/services?minimal=perhaps',
    '/hsds/services?lang=%27%3B--',
    '/hsds/services/not-a-uuid',
    '/hsds/service_at_locations?proximity=1000',
    '/hsds/service_at_locations?lat=45',
    '/hsds/service_at_locations?lat=91&lng=0',
    '/hsds/service_at_locations?lat=45&lng=-73&proximity=-5',
    '/hsds/service_at_locations?postcode=ZZZ',
    `/hsds/service_at_locations?postcode=${encodeURIComponent("K1A'; --")}`,
    '/hsds/organizations?search=%F0%9F%92%A5&full_service=1',
    '/hsds/taxonomy_terms?parent_id=1%20or%201=1',
    '/hsds/taxonomies/00000000-0000-0000-0000-000000000000',
  ];
  it.each(urls.map((u) => [u.slice(0, 90), u]))(
    '%s → 2xx/4xx with the error shape, never 5xx',
    async (_label, url) => {
      const res = await get(url);
      expect(res.statusCode).toBeLessThan(500);
      if (res.statusCode >= 400) {
        expect(json(res)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
        expect(res.body).not.toContain('drop table');
      }
    },
  );

  it('invalid values are 400 VALIDATION_FAILED', async () => {
    for (const url of [
      '/hsds/services?page=-1',
      '/hsds/service_at_locations?proximity=1000',
      '/hsds/services?search=a%00b',
    ]) {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(json<{ error: { code: string } }>(res).error.code).toBe('VALIDATION_FAILED');
    }
  });
});
