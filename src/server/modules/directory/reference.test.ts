import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { place, taxonomyTerm } from '../../db/schema.js';
import { ensureReferenceData } from './reference.js';

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
beforeAll(async () => {
  iso = await isolatedDatabase();
});
afterAll(() => iso.drop());

describe('reference data', () => {
  it('is loaded on a database without demo data, once', async () => {
    const db = iso.database.db;
    expect(await ensureReferenceData(db)).toBe(true);
    const [pops] = await db
      .select({ n: count() })
      .from(taxonomyTerm)
      .where(eq(taxonomyTerm.taxonomy, 'harbour-populations'));
    const [cities] = await db
      .select({ n: count() })
      .from(place)
      .where(and(eq(place.kind, 'city')));
    expect(pops!.n).toBeGreaterThan(10);
    expect(cities!.n).toBeGreaterThan(500);
    expect(await ensureReferenceData(db)).toBe(false);
  });
});
