import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { directorySearch, organization, service } from '../../db/schema.js';
import {
  exportTables,
  flattenHsdsJson,
  readCsvPackage,
  type Tables,
  toCsvFiles,
  toTabular,
  validateTables,
  writeTables,
} from './interchange.js';

const EXAMPLES = path.resolve('../shared/standards/hsds-3.0/examples');
const example = (f: string) => JSON.parse(readFileSync(path.join(EXAMPLES, f), 'utf8')) as unknown;
function csvFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir))
    if (f.endsWith('.csv')) files[f] = readFileSync(path.join(dir, f), 'utf8');
  return files;
}

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
beforeAll(async () => {
  iso = await isolatedDatabase();
});
afterAll(() => iso.drop());

async function importTables(tables: Tables) {
  const { report, rows } = await validateTables(iso.database.db, tables);
  if (report.ok) await iso.database.db.transaction((tx) => writeTables(tx, rows));
  return report;
}

describe('HSDS interchange', () => {
  it('imports every official JSON example', async () => {
    for (const f of [
      'service_full.json',
      'service_list.json',
      'organization_full.json',
      'organization_list.json',
    ]) {
      const { tables, errors } = flattenHsdsJson(example(f));
      expect(errors, f).toEqual([]);
      const report = await importTables(tables);
      expect(report.errors, f).toEqual([]);
      expect(report.ok).toBe(true);
    }
    const [n] = await iso.database.db.select({ n: count() }).from(service);
    expect(n!.n).toBeGreaterThan(0);
  });

  it('imports the official tabular CSV package, and imports it again idempotently', async () => {
    const { tables, errors } = readCsvPackage(csvFiles(path.join(EXAMPLES, 'csv')));
    expect(errors).toEqual([]);
    expect(Object.keys(tables)).toEqual(
      expect.arrayContaining(['organization', 'service', 'location', 'phone']),
    );
    expect((await importTables(tables)).errors).toEqual([]);
    const before = await iso.database.db.select({ n: count() }).from(organization);
    expect((await importTables(tables)).ok).toBe(true);
    expect(await iso.database.db.select({ n: count() }).from(organization)).toEqual(before);
  });

  it('round-trips: export → CSV → import into an empty directory gives the same records', async () => {
    const exported = await exportTables(iso.database.db, true);
    const files = toCsvFiles(exported);
    expect(JSON.parse(files['datapackage.json']!).resources.length).toBeGreaterThan(20);
    const other = await isolatedDatabase();
    try {
      const { tables } = readCsvPackage(files);
      const { report, rows } = await validateTables(other.database.db, tables);
      expect(report.errors).toEqual([]);
      await other.database.db.transaction((tx) => writeTables(tx, rows));
      const again = toTabular(await exportTables(other.database.db, true));
      const original = toTabular(exported);
      for (const table of [
        'organization',
        'service',
        'location',
        'phone',
        'schedule',
        'address',
        'taxonomy_term',
        'attribute',
      ]) {
        const pick = (rows: Tables[string]) =>
          (rows ?? [])
            .map((r) => [r.id, r.name ?? r.number ?? r.address_1 ?? r.opens_at ?? r.link_id])
            .sort();
        expect(pick(again[table]!), table).toEqual(pick(original[table]!));
      }
    } finally {
      await other.drop();
    }
  });

  it('reports every bad row and imports nothing', async () => {
    const orgId = '0b0b0b0b-0000-4000-8000-000000000001';
    const tables: Tables = {
      organization: [{ id: orgId, name: 'Valid Org (fictional)', description: 'ok' }],
      service: [
        {
          id: '0b0b0b0b-0000-4000-8000-000000000002',
          organization_id: orgId,
          name: 'Good service',
          status: 'active',
        },
        { id: 'not-a-uuid', organization_id: orgId, name: 'Bad id', status: 'active' },
        { id: '0b0b0b0b-0000-4000-8000-000000000003', organization_id: orgId, status: 'active' },
        {
          id: '0b0b0b0b-0000-4000-8000-000000000004',
          organization_id: '0b0b0b0b-0000-4000-8000-00000000dead',
          name: 'Orphan',
          status: 'active',
        },
        {
          id: '0b0b0b0b-0000-4000-8000-000000000005',
          organization_id: orgId,
          name: 'Ages',
          status: 'active',
          minimum_age: 'twelve',
        },
      ],
    };
    const report = await importTables(tables);
    expect(report.ok).toBe(false);
    const text = report.errors.join('\n');
    expect(text).toMatch(/service row 2 .*id must match format "uuid"/);
    expect(text).toMatch(/service row 3 .*name/);
    expect(text).toMatch(
      /service row 4: organization_id refers to a organization that is neither in the file nor in the directory/,
    );
    expect(text).toMatch(/service row 5 .*minimum_age/);
    const orgs = await iso.database.db.select().from(organization);
    expect(orgs.some((o) => o.id === orgId)).toBe(false);
  });

  it('keeps confidential records out of an export without the flag', async () => {
    const canary = `CANARY-${Date.now()}`;
    const { tables } = flattenHsdsJson({
      id: '0c0c0c0c-0000-4000-8000-000000000001',
      name: `Secret Shelter ${canary}`,
      status: 'active',
      organization: {
        id: '0c0c0c0c-0000-4000-8000-000000000002',
        name: `Secret Org ${canary}`,
        description: canary,
        confidential: true,
      },
      phones: [{ id: '0c0c0c0c-0000-4000-8000-000000000003', number: `555-0100 ${canary}` }],
    });
    expect((await importTables(tables)).ok).toBe(true);
    const publicFiles = toCsvFiles(await exportTables(iso.database.db, false));
    expect(Object.values(publicFiles).join('\n')).not.toContain(canary);
    const staffFiles = toCsvFiles(await exportTables(iso.database.db, true));
    expect(Object.values(staffFiles).join('\n')).toContain(canary);
  });

  it('an organization-only import re-projects the services already listed under it', async () => {
    const ids = {
      service: '0d0d0d0d-0000-4000-8000-000000000001',
      organization: '0d0d0d0d-0000-4000-8000-000000000002',
    };
    const first = flattenHsdsJson({
      id: ids.service,
      name: 'Harbourview Drop-in (fictional)',
      status: 'active',
      organization: {
        id: ids.organization,
        name: 'Harbourview Society (fictional)',
        description: 'A fictional drop-in society.',
        confidential: false,
      },
    });
    const firstReport = await importTables(first.tables);
    expect(firstReport.errors).toEqual([]);
    const projected = async () =>
      (
        await iso.database.db
          .select({ confidential: directorySearch.confidential })
          .from(directorySearch)
          .where(eq(directorySearch.serviceId, ids.service))
      ).map((r) => r.confidential);
    expect(await projected()).toEqual([false]);
    // The same organization again, now confidential, with no service in the file.
    const second = flattenHsdsJson({
      id: ids.organization,
      name: 'Harbourview Society (fictional)',
      description: 'A fictional drop-in society.',
      website: 'https://harbourview.example',
      confidential: true,
    });
    expect(second.errors).toEqual([]);
    expect(second.tables.service ?? []).toHaveLength(0);
    const secondReport = await importTables(second.tables);
    expect(secondReport.errors).toEqual([]);
    expect(await projected()).toEqual([true]);
  });
});
