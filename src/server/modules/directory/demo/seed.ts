import { eq } from 'drizzle-orm';
import { organization } from '../../../db/schema.js';
import { type Actor, recordAudit } from '../../../platform/audit.js';
import type { Db } from '../../../platform/db.js';
import { loadPlaces } from '../places.js';
import { loadTaxonomies } from '../taxonomies.js';
import { type GenerateOptions, type GenerateResult, generateDirectory } from './generate.js';

/** Size of the demo directory: about the national directory's (≈3,700 services, ≈920 providers). */
export const DEMO_DIRECTORY_SERVICES = 3700;
export const DEMO_DIRECTORY_SEED = 2026;

/**
 * Generates a fictional directory and writes its audit row in the same transaction (the CLI's
 * `directory generate` and the demo seed both come through here).
 */
export async function generateDemoDirectory(
  tx: Db,
  actor: Actor,
  options: GenerateOptions,
): Promise<GenerateResult> {
  const result = await generateDirectory(tx, options);
  await recordAudit(tx, actor, {
    action: 'directory.demo_generated',
    targetType: 'directory',
    details: {
      services: result.services,
      organizations: result.organizations,
      seed: options.seed ?? 1,
    },
  });
  return result;
}

/**
 * The demo seed's directory part: reference data (taxonomies, places), then the fictional national
 * directory unless demo organisations already exist. Idempotent, in the caller's transaction.
 */
export async function seedDemoDirectory(tx: Db, actor: Actor): Promise<GenerateResult | undefined> {
  await loadTaxonomies(tx);
  await loadPlaces(tx);
  const [existing] = await tx
    .select({ id: organization.id })
    .from(organization)
    .where(eq(organization.isDemo, true))
    .limit(1);
  if (existing) return undefined;
  return generateDemoDirectory(tx, actor, { services: DEMO_DIRECTORY_SERVICES, seed: DEMO_DIRECTORY_SEED });
}
