import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { organization, users } from '../../db/schema.js';
import { demoEmail, seedDemo } from './demo.seed.js';

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
beforeAll(async () => {
  iso = await isolatedDatabase();
});
afterAll(() => iso.drop());

describe('demo data', () => {
  it('creates one fictional account per role, links the partner to a public demo provider, and is idempotent', async () => {
    const first = await seedDemo(iso.database.db, { id: null, label: 'test' });
    expect(first.created).toHaveLength(8);
    const [partner] = await iso.database.db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('partner')));
    expect(partner?.organizationId).toBeTruthy();
    const [org] = await iso.database.db
      .select()
      .from(organization)
      .where(eq(organization.id, partner!.organizationId!));
    expect(org).toMatchObject({ isDemo: true, confidential: false, organizationType: 'service_provider' });
    expect(org!.name).toMatch(/fictional|fictif/i);
    const again = await seedDemo(iso.database.db, { id: null, label: 'test' });
    expect(again.created).toEqual([]);
  }, 300_000);
});
