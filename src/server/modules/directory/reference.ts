import { eq } from 'drizzle-orm';
import { settings } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { loadPlaces } from './places.js';
import { loadTaxonomies } from './taxonomies.js';

/** Bump when the shipped taxonomies or places change, so every deployment reloads them once. */
export const REFERENCE_DATA_VERSION = '2026-11-28.1';

/**
 * The taxonomies (Open Eligibility, Harbour service types and populations) and Canadian places every
 * deployment needs, loaded at start when missing or outdated — not only with the demo data.
 */
export async function ensureReferenceData(db: Db): Promise<boolean> {
  const [row] = await db.select().from(settings).where(eq(settings.key, 'reference_data_version')).limit(1);
  if (row?.value === REFERENCE_DATA_VERSION) return false;
  await db.transaction(async (tx) => {
    await loadTaxonomies(tx);
    await loadPlaces(tx);
    await tx
      .insert(settings)
      .values({ key: 'reference_data_version', value: REFERENCE_DATA_VERSION })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value: REFERENCE_DATA_VERSION, updatedAt: new Date() },
      });
  });
  return true;
}
