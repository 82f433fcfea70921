import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase, testDatabase } from '../../../../test/helpers/db.js';
import {
  address,
  attribute,
  directorySearch,
  language,
  location,
  organization,
  service,
  serviceAtLocation,
  serviceCapacity,
  taxonomyTerm,
  unit,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { ensureSearchProjection, POPULATIONS_TAXONOMY, refreshSearch } from './directory.projection.js';

let db: Db;
beforeAll(async () => {
  db = (await testDatabase()).db;
});

describe('search projection', () => {
  it('lifts text in every language, populations, languages, province, place and capacity', async () => {
    const tag = `proj${Date.now()}`;
    const [org] = await db
      .insert(organization)
      .values({
        name: `Maison Étoile ${tag} (fictional)`,
        jurisdiction: ['QC'],
        translations: { en: { name: 'Star House' } },
      })
      .returning();
    const [svc] = await db
      .insert(service)
      .values({
        organizationId: org!.id,
        name: 'Hébergement d’urgence',
        translations: { en: { name: 'Emergency shelter', intake_notes: 'staffonlysecret' } },
      })
      .returning();
    const [loc] = await db
      .insert(location)
      .values({ organizationId: org!.id, latitude: 46.81, longitude: -71.21, confidential: true })
      .returning();
    await db.insert(address).values({
      locationId: loc!.id,
      address1: '1 rue Fictive',
      city: 'Québec',
      stateProvince: 'QC',
      postalCode: 'G1A 0A0',
      country: 'CA',
    });
    await db.insert(serviceAtLocation).values({ serviceId: svc!.id, locationId: loc!.id });
    const [term] = await db
      .insert(taxonomyTerm)
      .values({
        code: `women-${tag}`,
        name: 'Women',
        description: 'Women',
        taxonomy: POPULATIONS_TAXONOMY,
        translations: { fr: { name: 'Femmes' } },
      })
      .returning();
    await db.insert(attribute).values({ linkId: svc!.id, linkEntity: 'service', taxonomyTermId: term!.id });
    await db.insert(language).values([
      { serviceId: svc!.id, code: 'fr' },
      { serviceId: svc!.id, code: 'EN' },
    ]);
    const [beds] = await db.insert(unit).values({ name: 'bed' }).returning();
    await db
      .insert(serviceCapacity)
      .values({ serviceId: svc!.id, unitId: beds!.id, available: 2, maximum: 10 });

    await db.transaction((tx) => refreshSearch(tx, [svc!.id]));
    const rows = await db.select().from(directorySearch).where(eq(directorySearch.serviceId, svc!.id));
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.document).toContain('hebergement');
    expect(row.document).toContain('emergency shelter');
    expect(row.document).not.toContain('staffonlysecret');
    expect(row.document).toContain('femmes');
    expect(row.populations).toEqual([`women-${tag}`]);
    expect(row.languages.sort()).toEqual(['en', 'fr']);
    expect(row.provinces).toEqual(['QC']);
    expect(row).toMatchObject({
      city: 'Québec',
      confidential: false,
      locationConfidential: true,
      hasCapacity: true,
    });
    expect(row.earth).toBeTruthy();

    // `terms`: words of the public text, the confidential location's own words marked staff-only (x:),
    // and the filter keys search intersects inside the GIN index.
    const lexemes = (
      (await db.execute(
        sql`select tsvector_to_array(terms) as l from directory_search where service_id = ${svc!.id}`,
      )) as unknown as { rows: { l: string[] }[] }
    ).rows[0]!.l;
    expect(lexemes).toEqual(
      expect.arrayContaining([
        'hebergement',
        'emergency',
        'shelter',
        'femmes',
        'x:quebec',
        `~p:women-${tag}`,
        '~g:fr',
        '~g:en',
        '~v:QC',
        '~cap',
        '~c1:46:-72',
        '~c5:9:-15',
      ]),
    );
    expect(lexemes).not.toContain('quebec');
    expect(lexemes.join(' ')).not.toContain('staffonlysecret');

    // A service without a location still gets a row, keyed by the service.
    const [remote] = await db
      .insert(service)
      .values({ organizationId: org!.id, name: `Ligne ${tag}` })
      .returning();
    await db.transaction((tx) => refreshSearch(tx, [remote!.id]));
    const remoteRows = await db
      .select()
      .from(directorySearch)
      .where(eq(directorySearch.serviceId, remote!.id));
    expect(remoteRows.map((r) => [r.id, r.locationId])).toEqual([[remote!.id, null]]);
  });
});

describe('search projection version', () => {
  it('is rebuilt once after its version changes, not at every start', async () => {
    // A database of its own: a full rebuild on the shared one would race other workers' directory writes.
    const iso = await isolatedDatabase();
    try {
      expect(await ensureSearchProjection(iso.database.db)).toBe(true);
      expect(await ensureSearchProjection(iso.database.db)).toBe(false);
    } finally {
      await iso.drop();
    }
  });
});
