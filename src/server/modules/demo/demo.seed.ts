import { and, asc, eq } from 'drizzle-orm';
import { ROLES, type Role } from '../../../shared/roles.js';
import type { Config } from '../../config.js';
import { organization, settings } from '../../db/schema.js';
import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { seedDemoDirectory } from '../directory/demo/seed.js';
import { identityRepository } from '../identity/identity.repository.js';
import { hashPassword } from '../identity/identity.service.js';
import { seedDemoCases } from './cases.seed.js';

export const DEMO_PASSWORD = 'demo-harbour-fictional';
export const DEMO_DOMAIN = 'demo.harbour.example';
export const demoEmail = (role: Role) => `${role.replaceAll('_', '-')}@${DEMO_DOMAIN}`;

const DEMO_NAMES: Record<Role, string> = {
  advocate: 'Demo Advocate (fictional)',
  supervisor: 'Demo Supervisor (fictional)',
  directory_manager: 'Demo Directory Manager (fictional)',
  analyst: 'Demo Analyst (fictional)',
  communications: 'Demo Communications (fictional)',
  admin: 'Demo Administrator (fictional)',
  partner: 'Demo Partner Staff (fictional)',
  funder_viewer: 'Demo Funder Viewer (fictional)',
};

export async function isDemoSeeded(db: Db): Promise<boolean> {
  const [row] = await db.select().from(settings).where(eq(settings.key, 'demo_seeded_at')).limit(1);
  return row !== undefined;
}

/**
 * Loads the fictional demo data: one staff account per role, all marked `is_demo`, the fictional
 * national directory (with the taxonomies and places it needs), and — given the configuration (its key seals them) —
 * a few fictional cases (cases.seed.ts). `created` lists the accounts made, `cases` the case references.
 * Idempotent; refuses in production (the caller checks the environment, this checks nothing else).
 */
export async function seedDemo(
  db: Db,
  actor: Actor,
  config?: Config,
): Promise<{ created: string[]; cases: string[] }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    const created: string[] = [];
    for (const role of ROLES) {
      const email = demoEmail(role);
      if (await identityRepository.findUserByEmail(tx, email)) continue;
      const user = await identityRepository.insertUser(tx, {
        email,
        displayName: DEMO_NAMES[role],
        role,
        locale: role === 'supervisor' || role === 'communications' ? 'fr-CA' : 'en-CA',
        passwordHash,
        isDemo: true,
      });
      await recordAudit(tx, actor, {
        action: 'demo.user_created',
        targetType: 'user',
        targetId: user.id,
        details: { role },
      });
      created.push(email);
    }
    await seedDemoDirectory(tx, actor);
    // The demo partner works for a public demo provider, so partner proposals can be tried.
    const partner = await identityRepository.findUserByEmail(tx, demoEmail('partner'));
    if (partner && !partner.organizationId) {
      const [org] = await tx
        .select({ id: organization.id })
        .from(organization)
        .where(
          and(
            eq(organization.isDemo, true),
            eq(organization.confidential, false),
            eq(organization.organizationType, 'service_provider'),
          ),
        )
        .orderBy(asc(organization.name))
        .limit(1);
      if (org) await identityRepository.updateUser(tx, partner.id, { organizationId: org.id });
    }
    const cases = config
      ? await seedDemoCases(tx, actor, config, demoEmail('advocate'), demoEmail('partner'))
      : [];
    await tx
      .insert(settings)
      .values({ key: 'demo_seeded_at', value: new Date().toISOString() })
      .onConflictDoNothing();
    return { created, cases };
  });
}
