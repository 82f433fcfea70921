import { and, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../../test/helpers/db.js';
import { taxonomy, taxonomyTerm, unit } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import openEligibilityTerms from './reference/open-eligibility.json' with { type: 'json' };
import {
  BED_UNIT,
  bedUnitId,
  findTerm,
  HARBOUR_POPULATION_TERMS,
  HARBOUR_POPULATIONS,
  HARBOUR_SERVICE_TYPE_TERMS,
  HARBOUR_SERVICE_TYPES,
  loadTaxonomies,
  OPEN_ELIGIBILITY,
  termIdsByCode,
} from './taxonomies.js';

let db: Db;
beforeAll(async () => {
  db = (await testDatabase()).db;
  await db.transaction((tx) => loadTaxonomies(tx));
});

const shipped = {
  [OPEN_ELIGIBILITY]: openEligibilityTerms.map((t) => t.code),
  [HARBOUR_SERVICE_TYPES]: HARBOUR_SERVICE_TYPE_TERMS.map((t) => t.code),
  [HARBOUR_POPULATIONS]: HARBOUR_POPULATION_TERMS.map((t) => t.code),
};

describe('taxonomies', () => {
  it('loads Open Eligibility, the Harbour service types and populations with stable codes', async () => {
    expect(openEligibilityTerms.length).toBeGreaterThan(280);
    expect(await findTerm(db, OPEN_ELIGIBILITY, '1121')).toMatchObject({
      name: 'Emergency Shelter',
      translations: { fr: { name: 'Hébergement d’urgence' } },
    });
    expect(await findTerm(db, HARBOUR_SERVICE_TYPES, 'trafficking-case-management')).toMatchObject({
      taxonomy: HARBOUR_SERVICE_TYPES,
    });
    for (const code of [
      'first-nations',
      'inuit',
      'metis',
      '2slgbtqi',
      'women',
      'men',
      'youth',
      'children',
      'migrants',
      'temporary-foreign-workers',
      'survivors-sex-trafficking',
      'survivors-labour-trafficking',
      'people-with-disabilities',
      'families',
      'seniors',
    ]) {
      expect(await findTerm(db, HARBOUR_POPULATIONS, code), code).toBeDefined();
    }
    expect(await findTerm(db, HARBOUR_POPULATIONS, 'no-such-code')).toBeUndefined();
    expect(await findTerm(db, 'no-such-taxonomy', 'women')).toBeUndefined();
  });

  it('has a French name and description for every term it ships', async () => {
    for (const [name, codes] of Object.entries(shipped)) {
      const rows = await db
        .select({ code: taxonomyTerm.code, name: taxonomyTerm.name, translations: taxonomyTerm.translations })
        .from(taxonomyTerm)
        .innerJoin(taxonomy, eq(taxonomy.id, taxonomyTerm.taxonomyId))
        .where(and(eq(taxonomy.name, name), inArray(taxonomyTerm.code, codes)));
      expect(rows.length, name).toBe(codes.length);
      for (const row of rows) {
        const fr = row.translations.fr;
        expect(fr?.name, `${name} ${row.code}`).toBeTruthy();
        expect(fr?.description, `${name} ${row.code}`).toBeTruthy();
      }
    }
    // Translated, not copied: most French labels differ from the English ones.
    const same = openEligibilityTerms.filter((t) => t.fr.name === t.name).map((t) => t.name);
    expect(same.every((n) => ['Nutrition'].includes(n))).toBe(true);
  });

  it('keeps the Open Eligibility hierarchy', async () => {
    const [child] = await db
      .select({
        parent: sql<string>`(select p.code from taxonomy_term p where p.id = ${taxonomyTerm.parentId})`,
      })
      .from(taxonomyTerm)
      .innerJoin(taxonomy, eq(taxonomy.id, taxonomyTerm.taxonomyId))
      .where(and(eq(taxonomy.name, OPEN_ELIGIBILITY), eq(taxonomyTerm.code, '1121')));
    expect(child?.parent).toBe('1101');
  });

  it('is idempotent: a reload keeps one taxonomy row per name and the same term ids', async () => {
    const before = await termIdsByCode(db, HARBOUR_POPULATIONS);
    const unitBefore = await bedUnitId(db);
    await db.transaction((tx) => loadTaxonomies(tx));
    await db.transaction((tx) => loadTaxonomies(tx));
    const after = await termIdsByCode(db, HARBOUR_POPULATIONS);
    expect(after).toEqual(before);
    const names = await db
      .select({ name: taxonomy.name, n: sql<number>`count(*)::int` })
      .from(taxonomy)
      .where(inArray(taxonomy.name, Object.keys(shipped)))
      .groupBy(taxonomy.name);
    expect(names).toHaveLength(3);
    for (const row of names) expect(row.n).toBe(1);
    expect(await bedUnitId(db)).toBe(unitBefore);
    const beds = await db
      .select({ fr: unit.translations })
      .from(unit)
      .where(and(eq(unit.scheme, BED_UNIT.scheme), eq(unit.identifier, 'bed')));
    expect(beds).toEqual([{ fr: { fr: { name: 'lit' } } }]);
  });
});
