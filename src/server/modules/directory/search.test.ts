import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import {
  address,
  attribute,
  language,
  location,
  organization,
  phone,
  place,
  schedule,
  service,
  serviceAtLocation,
  serviceCapacity,
  taxonomyTerm,
  unit,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { POPULATIONS_TAXONOMY, refreshSearch } from './directory.projection.js';
import { coveringCells } from './search.repository.js';
import { createSearchService, type SearchParams, searchWords } from './search.service.js';

let app: FastifyInstance;
let db: Db;
let advocate: TestSession;

beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
  advocate = await sessionFor(db, await createUser(db, { role: 'advocate' }));
});
afterAll(() => app.close());

const tag = () => `t${randomBytes(4).toString('hex')}`;

/** A fictional place far from everyone else's test data (a unique spot per test). */
async function testPlace(name: string, lat: number, lng: number, province = 'ON') {
  await db.insert(place).values({
    kind: 'city',
    name,
    key: sql`lower(unaccent(${name}::text))`,
    province,
    latitude: lat,
    longitude: lng,
    population: 1000,
  });
}

async function populationTerm(code: string, fr?: string) {
  await db.insert(taxonomyTerm).values({
    code,
    name: `${code} people`,
    description: code,
    taxonomy: POPULATIONS_TAXONOMY,
    translations: fr ? { fr: { name: fr } } : {},
  });
  return code;
}

interface Seed {
  orgName?: string;
  orgConfidential?: boolean;
  name: string;
  description?: string;
  serviceConfidential?: boolean;
  translations?: Record<string, Record<string, string>>;
  intakeNotes?: string;
  lat?: number;
  lng?: number;
  city?: string;
  province?: string;
  address1?: string;
  locationName?: string;
  locationConfidential?: boolean;
  locationPhone?: string;
  servicePhone?: string;
  populations?: string[];
  languages?: string[];
  bedsAvailable?: number;
  schedules?: { byday: string; opens: string; closes: string; timezone: string }[];
}

/** Writes one organization + service (+ location) the way the editor does, then refreshes the projection. */
async function seed(s: Seed) {
  const [org] = await db
    .insert(organization)
    .values({
      name: s.orgName ?? `Org ${tag()} (fictional)`,
      confidential: s.orgConfidential ?? false,
      jurisdiction: [s.province ?? 'ON'],
    })
    .returning();
  const [svc] = await db
    .insert(service)
    .values({
      organizationId: org!.id,
      name: s.name,
      description: s.description ?? null,
      confidential: s.serviceConfidential ?? false,
      translations: s.translations ?? {},
      intakeNotes: s.intakeNotes ?? null,
      eligibilityDescription: 'Adults (fictional)',
    })
    .returning();
  let locationId: string | undefined;
  if (s.lat !== undefined && s.lng !== undefined) {
    const [loc] = await db
      .insert(location)
      .values({
        organizationId: org!.id,
        name: s.locationName ?? null,
        latitude: s.lat,
        longitude: s.lng,
        confidential: s.locationConfidential ?? false,
      })
      .returning();
    locationId = loc!.id;
    await db.insert(address).values({
      locationId: loc!.id,
      address1: s.address1 ?? '1 Fictional Street',
      city: s.city ?? 'Testville',
      stateProvince: s.province ?? 'ON',
      postalCode: 'K0K 0K0',
      country: 'CA',
    });
    await db.insert(serviceAtLocation).values({ serviceId: svc!.id, locationId: loc!.id });
    if (s.locationPhone) await db.insert(phone).values({ locationId: loc!.id, number: s.locationPhone });
  }
  if (s.servicePhone) await db.insert(phone).values({ serviceId: svc!.id, number: s.servicePhone });
  for (const code of s.populations ?? []) {
    const [term] = await db
      .select({ id: taxonomyTerm.id })
      .from(taxonomyTerm)
      .where(sql`${taxonomyTerm.code} = ${code} and ${taxonomyTerm.taxonomy} = ${POPULATIONS_TAXONOMY}`);
    await db.insert(attribute).values({ linkId: svc!.id, linkEntity: 'service', taxonomyTermId: term!.id });
  }
  for (const code of s.languages ?? []) await db.insert(language).values({ serviceId: svc!.id, code });
  if (s.bedsAvailable !== undefined) {
    const [beds] = await db
      .insert(unit)
      .values({ name: 'bed', translations: { fr: { name: 'lit' } } })
      .returning();
    await db
      .insert(serviceCapacity)
      .values({ serviceId: svc!.id, unitId: beds!.id, available: s.bedsAvailable, maximum: 10 });
  }
  for (const sch of s.schedules ?? []) {
    await db.insert(schedule).values({
      serviceId: svc!.id,
      freq: 'WEEKLY',
      byday: sch.byday,
      opensAt: sch.opens,
      closesAt: sch.closes,
      timezone: sch.timezone,
    });
  }
  await db.transaction((tx) => refreshSearch(tx, [svc!.id]));
  return { orgId: org!.id, serviceId: svc!.id, locationId };
}

interface Item {
  serviceId: string;
  serviceName: string;
  organizationName: string;
  distanceKm: number | null;
  address: { address1: string } | null;
  city: string | null;
  phones: { number: string }[];
  populations: { code: string; en: string; fr: string }[];
  capacity: { available: number; maximum: number | null }[];
  hoursToday: { openNow: boolean; periods: { opens: string; closes: string }[] } | null;
  intakeNotes?: string | null;
  confidential?: { organization: boolean; service: boolean; location: boolean };
  latitude: number | null;
}
interface Result {
  total: number;
  fuzzy: boolean;
  items: Item[];
  place: { name: string | null; province: string | null; approximate: boolean } | null;
}

const qs = (params: Record<string, string | number | boolean | string[]>) =>
  Object.entries(params)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${encodeURIComponent(String(x))}`))
    .join('&');

async function staffSearch(params: Record<string, string | number | boolean | string[]>, status = 200) {
  const res = await app.inject({
    method: 'GET',
    url: `/api/directory/search?${qs(params)}`,
    headers: advocate.headers,
  });
  expect(res.statusCode, res.body).toBe(status);
  return json<Result>(res);
}

async function publicGet(path: string, params: Record<string, string | number | boolean | string[]>) {
  return app.inject({ method: 'GET', url: `${path}?${qs(params)}` });
}

describe('directory search: ranking', () => {
  it('ranks nearer and more relevant first, and leaves out what does not match', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    await testPlace(`Rankton ${t}`, 55.0, -100.0);
    const near = await seed({
      name: 'Emergency shelter (fictional)',
      lat: 55.03,
      lng: -100.0,
      populations: [pop],
    });
    const far = await seed({
      name: 'Emergency shelter (fictional)',
      lat: 55.35,
      lng: -100.0,
      populations: [pop],
    });
    const food = await seed({ name: 'Food bank (fictional)', lat: 55.01, lng: -100.0, populations: [pop] });
    const tooFar = await seed({
      name: 'Emergency shelter (fictional)',
      lat: 57.5,
      lng: -100.0,
      populations: [pop],
    });

    const text = await staffSearch({ q: 'shelter', near: `Rankton ${t}`, population: pop, radius_km: 100 });
    expect(text.items.map((i) => i.serviceId)).toEqual([near.serviceId, far.serviceId]);
    expect(text.total).toBe(2);
    expect(text.place?.name).toBe(`Rankton ${t}`);
    expect(text.items[0]!.distanceKm).toBeCloseTo(3.3, 0);

    const all = await staffSearch({ near: `Rankton ${t}`, population: pop, radius_km: 100 });
    expect(all.items.map((i) => i.serviceId)).toEqual([food.serviceId, near.serviceId, far.serviceId]);
    expect(all.items.map((i) => i.serviceId)).not.toContain(tooFar.serviceId);

    // Within the radius, matching more of the words beats being a little nearer.
    const both = await seed({
      name: 'Shelter for women (fictional)',
      lat: 55.1,
      lng: -100.0,
      populations: [pop],
    });
    const ranked = await staffSearch({
      q: 'women shelter',
      near: `Rankton ${t}`,
      population: pop,
      radius_km: 100,
    });
    expect(ranked.items[0]!.serviceId).toBe(both.serviceId);
  });

  it('serving mode finds services of the province at any distance; radius bounds are enforced', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    await testPlace(`Servington ${t}`, 60.0, -135.0, 'YT');
    const farAway = await seed({
      name: 'Outreach line (fictional)',
      lat: 69.0,
      lng: -139.0,
      province: 'YT',
      populations: [pop],
    });
    const near = await staffSearch({ near: `Servington ${t}`, population: pop, radius_km: 50 });
    expect(near.total).toBe(0);
    const serving = await staffSearch({ near: `Servington ${t}`, population: pop, mode: 'serving' });
    expect(serving.items.map((i) => i.serviceId)).toEqual([farAway.serviceId]);

    for (const radius of [0, 2001, -5]) {
      const res = await staffSearch({ near: `Servington ${t}`, radius_km: radius }, 400);
      expect(JSON.stringify(res)).toContain('VALIDATION_FAILED');
    }
    await staffSearch({ near: `Servington ${t}`, radius_km: 1 });
    await staffSearch({ near: `Servington ${t}`, radius_km: 2000 });
    await staffSearch({ limit: 101 }, 400);
  });

  it('an unknown place or an unknown postal code region is a 400; a known FSA letter is approximate', async () => {
    const none = await staffSearch({ near: `Nowhereville ${tag()} zzqx` }, 400);
    expect(JSON.stringify(none)).toContain('UNKNOWN_PLACE');
    const approx = await staffSearch({ postcode: 'X0A 1H0' });
    expect(approx.place).toMatchObject({ province: 'NU', approximate: true });
  });
});

describe('directory search: text', () => {
  it('ignores accents and case, in both languages, and answers in the asked language', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    const svc = await seed({
      name: 'Hébergement d’urgence (fictif)',
      translations: { en: { name: 'Emergency housing (fictional)' } },
      populations: [pop],
    });
    for (const q of ['hebergement', 'HÉBERGEMENT', 'Hebergement urgence', 'emergency housing']) {
      const r = await staffSearch({ q, population: pop });
      expect(
        r.items.map((i) => i.serviceId),
        q,
      ).toEqual([svc.serviceId]);
    }
    const en = await staffSearch({ q: 'hebergement', population: pop, lang: 'en' });
    expect(en.items[0]!.serviceName).toBe('Emergency housing (fictional)');
    const fr = await staffSearch({ q: 'housing', population: pop, lang: 'fr' });
    expect(fr.items[0]!.serviceName).toBe('Hébergement d’urgence (fictif)');
  });

  it('tolerates typos: "shelter" finds "Shleter"', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    const svc = await seed({ name: 'Womens Shleter (fictional)', populations: [pop] });
    const r = await staffSearch({ q: 'shelter', population: pop });
    expect(r.items.map((i) => i.serviceId)).toEqual([svc.serviceId]);
    expect(r.fuzzy).toBe(true);
    const none = await staffSearch({ q: 'zzyzx qqqq', population: pop });
    expect(none.total).toBe(0);
  });

  it('splits query words sensibly', () => {
    expect(searchWords('Hébergement pour les FEMMES!')).toEqual(['hebergement', 'femmes']);
    expect(searchWords("'; drop table service; --")).toEqual(['drop', 'table', 'service']);
    expect(searchWords('🏠\u0000\u0007')).toEqual([]);
  });

  it('hostile text never gives a 5xx', async () => {
    const hostile = [
      "'; drop table service; --",
      "' or 1=1 --",
      '%_\\',
      '🏠🆘 shelter 👩‍👧',
      'a\u0000b\u0007c\u001b[31m',
      'x'.repeat(200),
      '<script>alert(1)</script>',
    ];
    for (const q of hostile) {
      for (const path of ['/api/public/directory/search', '/api/public/directory/suggest']) {
        const res = await publicGet(path, { q });
        expect(res.statusCode, `${path} ${JSON.stringify(q)}: ${res.body}`).toBe(200);
      }
      const res = await app.inject({
        method: 'GET',
        url: `/api/directory/search?${qs({ q, near: q.slice(0, 100) })}`,
        headers: advocate.headers,
      });
      expect([200, 400]).toContain(res.statusCode);
    }
    for (const path of ['/api/public/directory/search', '/api/directory/search']) {
      const long = await app.inject({
        method: 'GET',
        url: `${path}?${qs({ q: 'é'.repeat(10_000) })}`,
        headers: advocate.headers,
      });
      expect(long.statusCode).toBe(400);
      expect(long.body).not.toContain('éééé');
    }
  });
});

describe('directory search: filters', () => {
  it('filters by population (all of them), language and capacity, with EN/FR labels', async () => {
    const t = tag();
    const women = await populationTerm(`women-${t}`, 'Femmes');
    const indigenous = await populationTerm(`indigenous-${t}`, 'Autochtones');
    const both = await seed({
      name: 'Maison (fictional)',
      populations: [women, indigenous],
      languages: ['fr', 'en'],
      bedsAvailable: 2,
    });
    const womenOnly = await seed({
      name: 'Maison (fictional)',
      populations: [women],
      languages: ['en'],
      bedsAvailable: 0,
    });

    const w = await staffSearch({ population: women });
    expect(w.items.map((i) => i.serviceId).sort()).toEqual([both.serviceId, womenOnly.serviceId].sort());
    const wi = await staffSearch({ population: [women, indigenous] });
    expect(wi.items.map((i) => i.serviceId)).toEqual([both.serviceId]);
    expect(wi.items[0]!.populations).toContainEqual({ code: women, en: `${women} people`, fr: 'Femmes' });
    expect(wi.items[0]!.capacity).toEqual([expect.objectContaining({ available: 2, maximum: 10 })]);
    const fr = await staffSearch({ population: women, language: 'fr' });
    expect(fr.items.map((i) => i.serviceId)).toEqual([both.serviceId]);
    const beds = await staffSearch({ population: women, has_capacity: true });
    expect(beds.items.map((i) => i.serviceId)).toEqual([both.serviceId]);
  });

  it('an unknown population code is a 400 naming the code', async () => {
    const t = tag();
    const res = await app.inject({
      method: 'GET',
      url: `/api/directory/search?population=nope-${t}`,
      headers: { ...advocate.headers, 'accept-language': 'fr-CA' },
    });
    expect(res.statusCode).toBe(400);
    const body = json<{ error: { code: string; message: string } }>(res);
    expect(body.error.code).toBe('UNKNOWN_POPULATION');
    expect(body.error.message).toContain(`nope-${t}`);
    expect(body.error.message).toContain('population');
    const bad = await publicGet('/api/public/directory/search', { population: "x' or 1=1" });
    expect(bad.statusCode).toBe(400);
  });

  it('open now follows weekly rules in each schedule’s own time zone (fixed clock)', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    const day = await seed({
      name: 'Day centre (fictional)',
      populations: [pop],
      schedules: [{ byday: 'MO,TU,WE,TH,FR', opens: '09:00', closes: '17:00', timezone: 'America/Toronto' }],
    });
    const night = await seed({
      name: 'Night shelter (fictional)',
      populations: [pop],
      schedules: [
        { byday: 'MO,TU,WE,TH,FR,SA,SU', opens: '22:00', closes: '06:00', timezone: 'America/Vancouver' },
      ],
    });
    const params: SearchParams = {
      radiusKm: 50,
      mode: 'near',
      populations: [pop],
      types: [],
      openNow: true,
      hasCapacity: false,
      limit: 25,
      offset: 0,
    };
    const at = (iso: string) => createSearchService({ db, now: () => new Date(iso) });
    // Wednesday 10:00 in Toronto = 07:00 in Vancouver.
    const morning = await at('2026-11-25T15:00:00Z').search(params, 'staff');
    expect(morning.hits.map((h) => h.serviceId)).toEqual([day.serviceId]);
    // Wednesday 01:30 in Toronto = Tuesday 22:30 in Vancouver.
    const lateNight = await at('2026-11-25T06:30:00Z').search(params, 'staff');
    expect(lateNight.hits.map((h) => h.serviceId)).toEqual([night.serviceId]);
    // Saturday noon in Toronto: the day centre is closed; Vancouver 09:00 — the night shelter closed at 06:00.
    const saturday = await at('2026-11-28T17:00:00Z').search(params, 'staff');
    expect(saturday.hits).toEqual([]);
    // Without the filter, both come back with today's hours.
    const all = await at('2026-11-25T15:00:00Z').search({ ...params, openNow: false }, 'staff');
    expect(all.total).toBe(2);
  });
});

describe('public suggest', () => {
  it('completes public service names and places, without accents', async () => {
    const t = tag();
    await seed({ name: `Hébergement Zéphyr ${t} (fictif)` });
    await testPlace(`Zéphyrville ${t}`, 50.0, -70.0, 'QC');
    const res = await publicGet('/api/public/directory/suggest', { q: `zephyr ${t}` });
    expect(res.statusCode).toBe(200);
    const labels = json<{ suggestions: { kind: string; label: string }[] }>(res).suggestions;
    expect(labels).toContainEqual({ kind: 'service', label: `Hébergement Zéphyr ${t} (fictif)` });
    const places = json<{ suggestions: { kind: string; label: string }[] }>(
      await publicGet('/api/public/directory/suggest', { q: `zephyrville ${t}` }),
    ).suggestions;
    expect(places).toContainEqual(expect.objectContaining({ kind: 'place', label: `Zéphyrville ${t}` }));
  });
});

describe('directory search: confidentiality', () => {
  it('staff see confidential entries marked, with a confidential location’s address and a rounded distance', async () => {
    const t = tag();
    const pop = await populationTerm(`pop-${t}`);
    await testPlace(`Staffton ${t}`, 52.0, -90.0);
    const secret = await seed({
      name: 'Safe house (fictional)',
      serviceConfidential: true,
      lat: 52.013,
      lng: -90.0,
      locationConfidential: true,
      address1: `12 Hidden Road ${t}`,
      intakeNotes: 'Ask for the night coordinator (fictional)',
      populations: [pop],
    });
    const r = await staffSearch({ near: `Staffton ${t}`, population: pop });
    expect(r.total).toBe(1);
    const item = r.items[0]!;
    expect(item.serviceId).toBe(secret.serviceId);
    expect(item.confidential).toEqual({ organization: false, service: true, location: true });
    expect(item.address?.address1).toBe(`12 Hidden Road ${t}`);
    expect(item.distanceKm).toBe(5);
    expect(item.intakeNotes).toContain('night coordinator');
  });

  it('CANARY: nothing confidential reaches public search, suggestions, totals or errors', async () => {
    const t = tag();
    const canary = `canary${randomBytes(6).toString('hex')}`;
    const pop = await populationTerm(`pop-${t}`);
    await testPlace(`Canaryville ${t}`, 48.0, -80.0);
    const near = { lat: 48.01, lng: -80.0 };
    // 1. A confidential organization (its service is not flagged itself).
    await seed({
      orgName: `${canary} Org (fictional)`,
      orgConfidential: true,
      name: `${canary} refuge shelter (fictional)`,
      ...near,
      populations: [pop],
      servicePhone: `555-0100 ${canary}`,
    });
    // 2. A confidential service in an ordinary organization.
    await seed({
      name: `${canary} secret shelter (fictional)`,
      serviceConfidential: true,
      ...near,
      populations: [pop],
      intakeNotes: canary,
    });
    // 3. An ordinary service at a confidential location.
    const atHidden = await seed({
      name: 'Public shelter line (fictional)',
      ...near,
      locationConfidential: true,
      locationName: `${canary} house`,
      address1: `${canary} Street`,
      city: `${canary}town`,
      locationPhone: `555-0199 ${canary}`,
      servicePhone: '555-0142',
      intakeNotes: `${canary} intake`,
      populations: [pop],
    });
    // 4. An ordinary, visible service, whose staff-only notes (translated) carry the canary.
    const visible = await seed({
      name: 'Open shelter (fictional)',
      ...near,
      populations: [pop],
      intakeNotes: `${canary} notes`,
      translations: { fr: { intake_notes: `${canary} notes (fr)` } },
    });

    const publicCalls: [string, Record<string, string | number | boolean | string[]>][] = [
      ['/api/public/directory/search', { q: canary }],
      ['/api/public/directory/search', { q: `${canary} shelter`, population: pop }],
      ['/api/public/directory/search', { q: 'shelter', near: `Canaryville ${t}`, population: pop }],
      ['/api/public/directory/search', { near: `Canaryville ${t}`, population: pop, radius_km: 2000 }],
      ['/api/public/directory/search', { lat: 48.01, lng: -80.0, population: pop, radius_km: 1 }],
      ['/api/public/directory/search', { near: `Canaryville ${t}`, population: pop, mode: 'serving' }],
      ['/api/public/directory/search', { population: pop, lang: 'fr' }],
      ['/api/public/directory/search', { q: `${canary}town` }],
      ['/api/public/directory/search', { near: `${canary}town` }],
      ['/api/public/directory/search', { population: pop, radius_km: 0 }],
      ['/api/public/directory/suggest', { q: canary }],
      ['/api/public/directory/suggest', { q: canary.slice(0, 8) }],
      ['/api/public/directory/suggest', { q: 'shelter' }],
    ];
    for (const [path, params] of publicCalls) {
      const res = await publicGet(path, params);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body, `${path} ${JSON.stringify(params)}`).not.toContain(canary);
    }

    // Counts: near mode sees only the fully public service; serving mode adds the one at a hidden
    // location, without any location detail.
    const nearRes = json<Result>(
      await publicGet('/api/public/directory/search', { near: `Canaryville ${t}`, population: pop }),
    );
    expect(nearRes.total).toBe(1);
    expect(nearRes.items.map((i) => i.serviceId)).toEqual([visible.serviceId]);
    const serving = json<Result>(
      await publicGet('/api/public/directory/search', {
        near: `Canaryville ${t}`,
        population: pop,
        mode: 'serving',
      }),
    );
    expect(serving.total).toBe(2);
    const hidden = serving.items.find((i) => i.serviceId === atHidden.serviceId)!;
    expect(hidden).toMatchObject({ address: null, city: null, distanceKm: null, latitude: null });
    expect(hidden.phones.map((p) => p.number)).toEqual(['555-0142']);
    expect(hidden).not.toHaveProperty('intakeNotes');
    expect(hidden).not.toHaveProperty('confidential');
    const fuzzy = json<Result>(
      await publicGet('/api/public/directory/search', { q: canary, population: pop }),
    );
    expect(fuzzy.total).toBe(0);

    // A confidential location's own words (its city) match for staff only.
    const byHiddenCity = json<Result>(
      await publicGet('/api/public/directory/search', { q: `${canary}town` }),
    );
    expect(byHiddenCity.total).toBe(0);
    const staffByCity = await staffSearch({ q: `${canary}town` });
    expect(staffByCity.items.map((i) => i.serviceId)).toEqual([atHidden.serviceId]);

    // The same searches by staff do see all four.
    const staff = await staffSearch({ near: `Canaryville ${t}`, population: pop });
    expect(staff.total).toBe(4);
    expect(JSON.stringify(staff)).toContain(canary);
  });
});

describe('directory search: grid cells', () => {
  it('every point within the radius lies in one of the covering cells', () => {
    const cellOf = (prefix: string, size: number, lat: number, lng: number) =>
      `${prefix}:${Math.floor(lat / size)}:${Math.floor(lng / size)}`;
    let checked = 0;
    for (const [lat, lng, radiusKm] of [
      [43.65, -79.38, 100],
      [45.5, -73.57, 1],
      [62.45, -114.37, 500],
      [49.28, -123.12, 2000],
      [44.0, 179.6, 150],
      [-33.9, 18.4, 50],
    ] as const) {
      const cells = coveringCells(lat, lng, radiusKm * 1000);
      if (!cells) {
        expect(radiusKm).toBeGreaterThanOrEqual(1000);
        continue;
      }
      const [prefix, size] = cells[0]!.startsWith('~c1:') ? ['~c1', 1] : ['~c5', 5];
      for (let i = 0; i < 400; i++) {
        // A point at a random bearing and distance ≤ radius (spherical destination formula).
        const d = ((Math.random() * radiusKm * 1000) / 6_378_168) * 0.999;
        const b = Math.random() * 2 * Math.PI;
        const f1 = (lat * Math.PI) / 180;
        const l1 = (lng * Math.PI) / 180;
        const f2 = Math.asin(Math.sin(f1) * Math.cos(d) + Math.cos(f1) * Math.sin(d) * Math.cos(b));
        const l2 =
          l1 +
          Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(f1), Math.cos(d) - Math.sin(f1) * Math.sin(f2));
        const lng2 = (((l2 * 180) / Math.PI + 540) % 360) - 180;
        expect(cells).toContain(cellOf(prefix as string, size as number, (f2 * 180) / Math.PI, lng2));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(coveringCells(43.65, -79.38, 100_000)!.length).toBeLessThanOrEqual(48);
  });
});
