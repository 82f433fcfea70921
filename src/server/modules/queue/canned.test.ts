import { describe, expect, it } from 'vitest';
import { testDatabase } from '../../../../test/helpers/db.js';
import { cannedResponse } from '../../db/schema.js';
import { CANNED_SEEDS, seedCannedResponses } from './canned.js';
import { cannedRepository } from './canned.repository.js';

class Rollback extends Error {}

describe('canned responses', () => {
  it('an empty table is seeded with the bilingual snippets once; a table with rows is left alone', async () => {
    const { db } = await testDatabase();
    // Inside a transaction that is rolled back, so the shared table is never seen empty by anyone else.
    await db
      .transaction(async (tx) => {
        await tx.delete(cannedResponse);
        expect(await seedCannedResponses(tx)).toBe(CANNED_SEEDS.length);
        expect(await seedCannedResponses(tx)).toBe(0);
        const keys = (await cannedRepository.listActive(tx)).map((c) => c.key);
        expect(keys).toEqual(['greeting', 'safety_check', 'emergency', 'your_pace', 'closing']);

        await tx.delete(cannedResponse);
        await tx.insert(cannedResponse).values({
          key: 'own (fictional)',
          titleEn: 'Own',
          titleFr: 'Propre',
          bodyEn: 'x',
          bodyFr: 'x',
        });
        expect(await seedCannedResponses(tx)).toBe(0);
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
    for (const seed of CANNED_SEEDS) {
      expect(seed.bodyFr).not.toBe(seed.bodyEn);
      expect(seed.titleFr.length).toBeGreaterThan(0);
    }
    expect(CANNED_SEEDS.find((s) => s.key === 'emergency')?.bodyEn).toContain('911');
  });
});
