import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../../../test/helpers/db.js';
import type { Db } from '../../../platform/db.js';
import { PROVINCE_CODES } from '../places.js';
import { type GenerateResult, generateDirectory, prng } from './generate.js';

// A database of its own: the generator fills the whole directory and rebuilds all search rows.
let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let result: GenerateResult;
const SERVICES = 1200;

beforeAll(async () => {
  iso = await isolatedDatabase();
  db = iso.database.db;
  result = await db.transaction((tx) =>
    generateDirectory(tx, { services: SERVICES, seed: 7, now: new Date('2026-06-01T12:00:00Z') }),
  );
}, 120_000);
afterAll(async () => {
  await iso?.drop();
});

const rows = async <T>(query: ReturnType<typeof sql>) => {
  const r = await db.execute(query);
  return ((r as { rows?: T[] }).rows ?? (r as unknown as T[])) as T[];
};

describe('demo directory generator', () => {
  it('is deterministic for a seed', () => {
    const a = prng(42);
    const b = prng(42);
    const c = prng(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('creates the number of services asked for, and rebuilds search once', async () => {
    expect(result.services).toBe(SERVICES);
    const [counts] = await rows<{ services: number; search: number; sal: number }>(sql`
      select (select count(*)::int from service) services,
             (select count(*)::int from directory_search) search,
             (select count(*)::int from service_at_location) sal`);
    expect(counts).toEqual({ services: SERVICES, search: SERVICES, sal: SERVICES });
  });

  it('spreads services over the provinces like the national directory', async () => {
    const byProvince = await rows<{ province: string; n: number }>(sql`
      select a.state_province province, count(*)::int n
        from service s join service_at_location sal on sal.service_id = s.id
        join address a on a.location_id = sal.location_id group by 1`);
    const share = (p: string) => (byProvince.find((r) => r.province === p)?.n ?? 0) / SERVICES;
    expect(share('ON')).toBeGreaterThan(0.35);
    expect(share('ON')).toBeLessThan(0.45);
    expect(Math.abs(share('QC') - 0.17)).toBeLessThan(0.03);
    expect(Math.abs(share('AB') - 0.09)).toBeLessThan(0.02);
    expect(Math.abs(share('NS') - 0.07)).toBeLessThan(0.02);
    for (const p of PROVINCE_CODES) expect(share(p), p).toBeGreaterThan(0);
  });

  it('makes about 10% of services confidential, mostly shelters with a confidential location', async () => {
    const [c] = await rows<{ total: number; confidential: number; location: number; shelters: number }>(sql`
      select count(*)::int total,
             count(*) filter (where confidential or location_confidential)::int confidential,
             count(*) filter (where location_confidential)::int location,
             count(*) filter (where (confidential or location_confidential) and has_capacity is not null
               and exists (select 1 from service_capacity sc where sc.service_id = directory_search.service_id))::int shelters
        from directory_search`);
    const share = c!.confidential / c!.total;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.14);
    expect(c!.location).toBeGreaterThan(c!.confidential / 2);
    expect(c!.shelters).toBeGreaterThan(0);
  });

  it('uses obviously fictional names in both languages, marked as demo data', async () => {
    const orgs = await rows<{ name: string; other: string | null; is_demo: boolean; lang: string }>(sql`
      select name, coalesce(translations->'fr'->>'name', translations->'en'->>'name') other, is_demo,
             case when translations ? 'en' then 'fr' else 'en' end lang
        from organization`);
    expect(orgs.length).toBe(result.organizations);
    for (const o of orgs) {
      expect(o.is_demo).toBe(true);
      expect(o.name).toMatch(o.lang === 'fr' ? /\(fictif\)$/ : /\(fictional\)$/);
      expect(o.other).toMatch(o.lang === 'fr' ? /\(fictional\)$/ : /\(fictif\)$/);
    }
    const french = orgs.filter((o) => o.lang === 'fr').length;
    expect(french / orgs.length).toBeGreaterThan(0.12);
    expect(french / orgs.length).toBeLessThan(0.3);
  });

  it('has police agencies and child protection in every province and territory', async () => {
    const types = await rows<{ organization_type: string; n: number; provinces: string[] }>(sql`
      select organization_type, count(*)::int n, array_agg(distinct p) provinces
        from organization left join lateral unnest(jurisdiction) p on true group by 1`);
    const police = types.find((t) => t.organization_type === 'law_enforcement');
    const cp = types.find((t) => t.organization_type === 'child_protection');
    expect(police?.n).toBe(result.police);
    expect(police!.n).toBeGreaterThanOrEqual(Math.round(SERVICES / 37) - 1);
    expect([...cp!.provinces].sort()).toEqual([...PROVINCE_CODES].sort());
  });

  it('uses fictional 555-01xx phone numbers and named time zones', async () => {
    const bad = await rows<{ number: string }>(
      sql`select number from phone where number !~ '^[0-9]{3}-555-01[0-9]{2}$'`,
    );
    expect(bad).toEqual([]);
    const zones = await rows<{ timezone: string | null }>(sql`select distinct timezone from schedule`);
    const known = new Set(Intl.supportedValuesOf('timeZone'));
    for (const z of zones) expect(known.has(z.timezone ?? ''), z.timezone ?? 'null').toBe(true);
    expect(zones.map((z) => z.timezone)).toEqual(
      expect.arrayContaining(['America/Toronto', 'America/Vancouver', 'America/Halifax', 'America/Edmonton']),
    );
  });

  it('records languages, populations, service types, beds and verification dates', async () => {
    const [x] = await rows<{
      langs: string[];
      pops: number;
      types: number;
      beds: number;
      overdue: number;
      current: number;
    }>(sql`
      select (select array_agg(distinct code) from language) langs,
             (select count(*)::int from directory_search where cardinality(populations) > 0) pops,
             (select count(*)::int from directory_search where cardinality(service_types) > 0) types,
             (select count(*)::int from service_capacity c join unit u on u.id = c.unit_id where u.identifier = 'bed') beds,
             (select count(*)::int from service where verification_due < '2026-06-01') overdue,
             (select count(*)::int from service where verification_due >= '2026-06-01') current`);
    expect(x!.langs).toEqual(expect.arrayContaining(['en', 'fr', 'iu']));
    expect(x!.langs.some((l) => ['cr', 'oj', 'mic', 'den'].includes(l))).toBe(true);
    expect(x!.pops).toBeGreaterThan(SERVICES * 0.8);
    expect(x!.types).toBe(SERVICES);
    expect(x!.beds).toBeGreaterThan(50);
    expect(x!.overdue).toBeGreaterThan(0);
    expect(x!.current).toBeGreaterThan(x!.overdue);
  });

  it('places every location at a real Canadian city, within a few kilometres', async () => {
    const far = await rows<{ n: number }>(sql`
      select count(*)::int n from location l join address a on a.location_id = l.id
       where not exists (select 1 from place p where p.kind = 'city' and p.name = a.city
                          and abs(p.latitude - l.latitude) < 0.05 and abs(p.longitude - l.longitude) < 0.05)`);
    expect(far[0]!.n).toBe(0);
  });
});
