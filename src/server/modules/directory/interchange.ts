import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import * as s from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { refreshSearch } from './directory.projection.js';
// Bundled into the server (no file lookup at run time); official files, CC BY-SA 4.0 (hsds-schema/README.md).
import datapackageJson from './hsds-schema/datapackage.json' with { type: 'json' };
import tabularSchema from './hsds-schema/tabular.json' with { type: 'json' };

/**
 * HSDS 3.0 interchange: everything goes through the tabular form (one row object per HSDS table, snake_case
 * columns as in the official datapackage), whether it came from compiled JSON objects or CSV files.
 * Validation is all-or-nothing: every bad row is reported and nothing is written.
 */

export type Row = Record<string, unknown>;
export type Tables = Record<string, Row[]>;

interface Spec {
  name: string;
  path: string;
  table: PgTable;
  /** Foreign keys: column → referenced table. */
  refs: Record<string, string>;
}

/** In dependency order (parents before children). */
export const SPECS: Spec[] = [
  { name: 'organization', path: 'organizations.csv', table: s.organization, refs: {} },
  { name: 'program', path: 'programs.csv', table: s.program, refs: { organization_id: 'organization' } },
  {
    name: 'service',
    path: 'services.csv',
    table: s.service,
    refs: { organization_id: 'organization', program_id: 'program' },
  },
  { name: 'location', path: 'locations.csv', table: s.location, refs: { organization_id: 'organization' } },
  {
    name: 'service_at_location',
    path: 'service_at_location.csv',
    table: s.serviceAtLocation,
    refs: { service_id: 'service', location_id: 'location' },
  },
  { name: 'address', path: 'addresses.csv', table: s.address, refs: { location_id: 'location' } },
  {
    name: 'contact',
    path: 'contacts.csv',
    table: s.contact,
    refs: {
      organization_id: 'organization',
      service_id: 'service',
      service_at_location_id: 'service_at_location',
      location_id: 'location',
    },
  },
  {
    name: 'phone',
    path: 'phones.csv',
    table: s.phone,
    refs: {
      location_id: 'location',
      service_id: 'service',
      organization_id: 'organization',
      contact_id: 'contact',
      service_at_location_id: 'service_at_location',
    },
  },
  {
    name: 'schedule',
    path: 'schedules.csv',
    table: s.schedule,
    refs: { service_id: 'service', location_id: 'location', service_at_location_id: 'service_at_location' },
  },
  {
    name: 'language',
    path: 'languages.csv',
    table: s.language,
    refs: { service_id: 'service', location_id: 'location', phone_id: 'phone' },
  },
  {
    name: 'funding',
    path: 'funding.csv',
    table: s.funding,
    refs: { organization_id: 'organization', service_id: 'service' },
  },
  {
    name: 'service_area',
    path: 'service_areas.csv',
    table: s.serviceArea,
    refs: { service_id: 'service', service_at_location_id: 'service_at_location' },
  },
  {
    name: 'required_document',
    path: 'required_documents.csv',
    table: s.requiredDocument,
    refs: { service_id: 'service' },
  },
  {
    name: 'accessibility',
    path: 'accessibility.csv',
    table: s.accessibility,
    refs: { location_id: 'location' },
  },
  { name: 'cost_option', path: 'cost_options.csv', table: s.costOption, refs: { service_id: 'service' } },
  {
    name: 'organization_identifier',
    path: 'organization_identifiers.csv',
    table: s.organizationIdentifier,
    refs: { organization_id: 'organization' },
  },
  { name: 'taxonomy', path: 'taxonomies.csv', table: s.taxonomy, refs: {} },
  {
    name: 'taxonomy_term',
    path: 'taxonomy_terms.csv',
    table: s.taxonomyTerm,
    refs: { taxonomy_id: 'taxonomy' },
  },
  {
    name: 'attribute',
    path: 'attributes.csv',
    table: s.attribute,
    refs: { taxonomy_term_id: 'taxonomy_term' },
  },
  { name: 'metadata', path: 'metadata.csv', table: s.metadata, refs: {} },
  // Harbour profile (HSDS 3.1): capacity.
  { name: 'unit', path: 'units.csv', table: s.unit, refs: {} },
  {
    name: 'service_capacity',
    path: 'service_capacities.csv',
    table: s.serviceCapacity,
    refs: { service_id: 'service', unit_id: 'unit' },
  },
];
const SPEC = new Map(SPECS.map((x) => [x.name, x]));

interface TabularItem {
  properties: Record<string, { type?: string; format?: string }>;
  required?: string[];
}
let validators: Map<string, { validate: ValidateFunction; item: TabularItem }> | undefined;

/** One validator per HSDS table, compiled from the official tabular schema (formats checked, strings coerced). */
function tabularValidators() {
  if (validators) return validators;
  const tabular = tabularSchema as unknown as {
    properties: Record<string, { items: TabularItem }>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: true });
  addFormats(ajv);
  validators = new Map();
  for (const [name, def] of Object.entries(tabular.properties)) {
    // Tabular rows hold scalars only: leave out nested (array/object/$ref) properties of the compiled schema.
    const scalar = Object.fromEntries(
      Object.entries(def.items.properties).filter(
        ([, p]) => !('$ref' in p) && p.type !== 'array' && p.type !== 'object',
      ),
    );
    const item = { ...def.items, properties: scalar };
    const required = (def.items.required ?? []).filter((r) => r in scalar);
    validators.set(name, { item, validate: ajv.compile({ type: 'object', properties: scalar, required }) });
  }
  return validators;
}

/** The official datapackage descriptor, for CSV exports. */
export function datapackageDescriptor(): Record<string, unknown> {
  return structuredClone(datapackageJson) as Record<string, unknown>;
}

interface Column {
  key: string;
  name: string;
  column: PgColumn;
}
function columnsOf(table: PgTable): Column[] {
  return Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name, column }));
}

export interface ImportReport {
  ok: boolean;
  counts: Record<string, number>;
  errors: string[];
  warnings: string[];
}

const blank = (v: unknown) => v === undefined || v === null || v === '';

/** Converts one tabular row (strings from CSV, or JSON values) to the table's column values. */
function toDbRow(spec: Spec, row: Row, where: string, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columnsOf(spec.table)) {
    const v = row[c.name];
    if (c.column.notNull && !c.column.hasDefault && blank(v)) {
      errors.push(`${where}: ${c.name} is required`);
      continue;
    }
    if (!(c.name in row)) continue;
    if (blank(v)) {
      out[c.key] = c.column.notNull && c.column.hasDefault ? undefined : null;
      continue;
    }
    const type = c.column.columnType;
    try {
      if (
        type === 'PgNumeric' ||
        type === 'PgInteger' ||
        type === 'PgDoublePrecision' ||
        type === 'PgBigInt53'
      ) {
        const n = typeof v === 'number' ? v : Number(String(v).replace(/^"|"$/g, ''));
        if (!Number.isFinite(n)) throw new Error('is not a number');
        out[c.key] = n;
      } else if (type === 'PgBoolean') {
        if (v === true || v === 'true' || v === 'TRUE' || v === '1') out[c.key] = true;
        else if (v === false || v === 'false' || v === 'FALSE' || v === '0') out[c.key] = false;
        else throw new Error('is not true or false');
      } else if (type === 'PgTimestamp') {
        const d = v instanceof Date ? v : new Date(String(v));
        if (Number.isNaN(d.getTime())) throw new Error('is not a date-time');
        out[c.key] = d;
      } else if (type === 'PgDateString') {
        const str = String(v).slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(str) || Number.isNaN(Date.parse(str)))
          throw new Error('is not a date (YYYY-MM-DD)');
        out[c.key] = str;
      } else if (type === 'PgJsonb') {
        const obj = typeof v === 'string' ? JSON.parse(v) : v;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
          throw new Error('is not a JSON object');
        out[c.key] = obj;
      } else if (type === 'PgArray') {
        const arr = Array.isArray(v)
          ? v
          : String(v).trim().startsWith('[')
            ? JSON.parse(String(v))
            : String(v).split(';');
        out[c.key] = (arr as unknown[]).map((x) => String(x).trim()).filter(Boolean);
      } else {
        out[c.key] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
    } catch (err) {
      errors.push(
        `${where}: ${c.name} ${(err as Error).message.startsWith('is ') ? (err as Error).message : 'is not valid JSON'}`,
      );
    }
  }
  return out;
}

/** Validates rows against the official tabular schema and our column types, and checks every reference. */
export async function validateTables(
  db: Db,
  tables: Tables,
): Promise<{ report: ImportReport; rows: Map<string, Record<string, unknown>[]> }> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const counts: Record<string, number> = {};
  const rows = new Map<string, Record<string, unknown>[]>();
  const ids = new Map<string, Set<string>>();
  const v = tabularValidators();

  for (const name of Object.keys(tables)) {
    if (!SPEC.has(name) && name !== 'meta_table_description')
      warnings.push(`unknown table "${name}" ignored`);
  }
  for (const spec of SPECS) {
    const list = tables[spec.name] ?? [];
    if (!list.length) continue;
    counts[spec.name] = list.length;
    const known = new Set(columnsOf(spec.table).map((c) => c.name));
    const unknown = new Set<string>();
    const out: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    list.forEach((row, i) => {
      const where = `${spec.name} row ${i + 1}${typeof row.id === 'string' && row.id ? ` (id ${String(row.id).slice(0, 40)})` : ''}`;
      for (const k of Object.keys(row)) if (!known.has(k)) unknown.add(k);
      const official = v.get(spec.name);
      if (official) {
        const candidate: Row = {};
        for (const [k, val] of Object.entries(row))
          if (!blank(val) && k in official.item.properties) candidate[k] = val;
        if (!official.validate(candidate)) {
          for (const e of official.validate.errors ?? []) {
            const field =
              e.instancePath.replace(/^\//, '') ||
              (e.params as { missingProperty?: string }).missingProperty ||
              '';
            errors.push(
              e.keyword === 'required'
                ? `${where}: ${field} is required`
                : `${where}: ${field} ${e.message ?? 'is invalid'}`.replace(/\s+/g, ' '),
            );
          }
        }
      } else if (blank(row.id)) errors.push(`${where}: id is required`);
      const id = String(row.id ?? '');
      if (id && seen.has(id)) errors.push(`${where}: id is duplicated`);
      seen.add(id);
      out.push(toDbRow(spec, row, where, errors));
    });
    if (unknown.size)
      warnings.push(
        `${spec.name}: columns not in HSDS or the Harbour profile ignored: ${[...unknown].slice(0, 10).join(', ')}`,
      );
    rows.set(spec.name, out);
    ids.set(spec.name, seen);
  }

  // References: within the package, or already in the directory.
  for (const spec of SPECS) {
    const list = tables[spec.name] ?? [];
    for (const [col, target] of Object.entries(spec.refs)) {
      const wanted = new Set(
        list.map((r) => r[col]).filter((x): x is string => typeof x === 'string' && x !== ''),
      );
      const inPackage = ids.get(target) ?? new Set<string>();
      const missing = [...wanted].filter((x) => !inPackage.has(x));
      const uuidLike = missing.filter((x) => /^[0-9a-f-]{36}$/i.test(x));
      const targetTable = SPEC.get(target)!.table;
      const existing = uuidLike.length
        ? new Set(
            (
              await db.select({ id: sql<string>`id` }).from(targetTable).where(inArray(sql`id`, uuidLike))
            ).map((r) => r.id),
          )
        : new Set<string>();
      const column = columnsOf(spec.table).find((c) => c.name === col)!;
      const converted = rows.get(spec.name)!;
      list.forEach((r, i) => {
        const ref = r[col];
        if (typeof ref === 'string' && ref && !inPackage.has(ref) && !existing.has(ref)) {
          const text = `${spec.name} row ${i + 1}: ${col} refers to a ${target} that is neither in the file nor in the directory`;
          // An optional link to nothing is dropped (and said); a required one makes the row invalid.
          if (column.column.notNull) errors.push(text);
          else {
            warnings.push(`${text}: link dropped`);
            converted[i]![column.key] = null;
          }
        }
      });
    }
  }
  return { report: { ok: errors.length === 0, counts, errors, warnings }, rows };
}

/** Writes validated rows (insert or update by id) and re-projects the affected services for search. */
export async function writeTables(tx: Db, rows: Map<string, Record<string, unknown>[]>): Promise<void> {
  for (const spec of SPECS) {
    const list = rows.get(spec.name);
    if (!list?.length) continue;
    const cols = columnsOf(spec.table);
    const present = cols.filter((c) => list.some((r) => c.key in r) && c.key !== 'id');
    const set = Object.fromEntries(present.map((c) => [c.key, sql.raw(`excluded."${c.name}"`)]));
    const idCol = getTableColumns(spec.table).id as PgColumn;
    for (let i = 0; i < list.length; i += 200) {
      const chunk = list.slice(i, i + 200);
      const q = tx.insert(spec.table).values(chunk as never);
      await (present.length
        ? q.onConflictDoUpdate({ target: idCol, set: set as never })
        : q.onConflictDoNothing());
    }
  }
  const serviceIds = new Set<string>();
  for (const r of rows.get('service') ?? []) serviceIds.add(String(r.id));
  for (const name of [
    'service_at_location',
    'phone',
    'schedule',
    'language',
    'service_area',
    'service_capacity',
  ]) {
    for (const r of rows.get(name) ?? []) if (r.serviceId) serviceIds.add(String(r.serviceId));
  }
  for (const r of rows.get('attribute') ?? [])
    if (r.linkEntity === 'service' && r.linkId) serviceIds.add(String(r.linkId));
  // Organization, location, address, language-at-location and term changes reach the services that use them:
  // re-project exactly those (a full rebuild would cost minutes on a national directory and race other writers).
  const ids = (name: string, key = 'id') =>
    (rows.get(name) ?? []).map((r) => r[key]).filter((v): v is string => typeof v === 'string');
  const orgIds = ids('organization');
  const locationIds = [...ids('location'), ...ids('address', 'locationId'), ...ids('language', 'locationId')];
  const termIds = ids('taxonomy_term');
  const list = (values: string[]) =>
    sql.join(
      values.map((v) => sql`${v}::uuid`),
      sql`, `,
    );
  const parts: SQL[] = [];
  if (orgIds.length) parts.push(sql`select id from service where organization_id in (${list(orgIds)})`);
  if (locationIds.length)
    parts.push(sql`select service_id from service_at_location where location_id in (${list(locationIds)})`);
  if (termIds.length)
    parts.push(
      sql`select link_id from attribute where link_entity = 'service' and taxonomy_term_id in (${list(termIds)})`,
    );
  if (parts.length) {
    const result = (await tx.execute(sql.join(parts, sql` union `))) as unknown as {
      rows: Record<string, unknown>[];
    };
    for (const r of result.rows) serviceIds.add(String(Object.values(r)[0]));
  }
  await refreshSearch(tx, [...serviceIds]);
}

/** Reads an HSDS tabular data package: a folder with datapackage.json (or just the CSV files). */
export function readCsvPackage(files: Record<string, string>): { tables: Tables; errors: string[] } {
  const tables: Tables = {};
  const errors: string[] = [];
  let resources: Array<{ name: string; path: string }> = SPECS.map((x) => ({ name: x.name, path: x.path }));
  const descriptor = files['datapackage.json'];
  if (descriptor) {
    try {
      const parsed = JSON.parse(descriptor) as { resources?: Array<{ name: string; path: string }> };
      if (Array.isArray(parsed.resources))
        resources = [
          ...parsed.resources,
          ...resources.filter((r) => !parsed.resources!.some((p) => p.name === r.name)),
        ];
    } catch {
      errors.push('datapackage.json is not valid JSON');
    }
  }
  for (const resource of resources) {
    const text = files[resource.path] ?? files[path.basename(resource.path)];
    if (text === undefined) continue;
    try {
      tables[resource.name] = parseCsv(text, {
        columns: true,
        skip_empty_lines: true,
        bom: true,
        relax_column_count: false,
      }) as Row[];
    } catch (err) {
      errors.push(`${resource.path}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { tables, errors };
}

const CHILD_KEYS: Record<string, { table: string; parentKey?: string }> = {
  phones: { table: 'phone' },
  schedules: { table: 'schedule' },
  service_areas: { table: 'service_area' },
  languages: { table: 'language' },
  funding: { table: 'funding' },
  cost_options: { table: 'cost_option' },
  required_documents: { table: 'required_document' },
  contacts: { table: 'contact' },
  addresses: { table: 'address' },
  accessibility: { table: 'accessibility' },
  organization_identifiers: { table: 'organization_identifier' },
  programs: { table: 'program' },
  metadata: { table: 'metadata' },
  capacity: { table: 'service_capacity' },
};

/**
 * Flattens compiled HSDS JSON (a service or organization object, a list of them, or a Page wrapper)
 * into tabular rows, filling each child's foreign key from its parent.
 */
export function flattenHsdsJson(input: unknown): { tables: Tables; errors: string[] } {
  const tables: Tables = {};
  const errors: string[] = [];
  const add = (table: string, row: Row) => {
    tables[table] ??= [];
    const list = tables[table];
    if (typeof row.id === 'string' && list.some((r) => r.id === row.id)) return; // shared objects appear several times
    list.push(row);
  };
  const scalars = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(o).filter(
        ([k, v]) =>
          v !== undefined &&
          (k === 'translations' ||
            v === null ||
            typeof v !== 'object' ||
            (k === 'jurisdiction' && Array.isArray(v))),
      ),
    );

  function walk(kind: string, obj: unknown, parent: Record<string, string>, where: string) {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      errors.push(`${where}: expected an object`);
      return;
    }
    const o = obj as Record<string, unknown>;
    const row: Row = { ...parent, ...scalars(o) };
    if (kind === 'attribute' && o.taxonomy_term && typeof o.taxonomy_term === 'object') {
      const term = o.taxonomy_term as Record<string, unknown>;
      row.taxonomy_term_id ??= term.id;
      walk('taxonomy_term', term, {}, `${where}.taxonomy_term`);
    }
    if (kind === 'taxonomy_term' && o.taxonomy_detail && typeof o.taxonomy_detail === 'object') {
      const t = o.taxonomy_detail as Record<string, unknown>;
      row.taxonomy_id ??= t.id;
      walk('taxonomy', t, {}, `${where}.taxonomy_detail`);
    }
    if (kind === 'service' && o.organization && typeof o.organization === 'object') {
      const org = o.organization as Record<string, unknown>;
      row.organization_id ??= org.id;
      walk('organization', { ...org, services: undefined }, {}, `${where}.organization`);
    }
    if (kind === 'service' && o.program && typeof o.program === 'object') {
      const p = o.program as Record<string, unknown>;
      row.program_id ??= p.id;
      walk('program', p, { organization_id: String(row.organization_id ?? '') }, `${where}.program`);
    }
    if (kind === 'service_at_location' && o.location && typeof o.location === 'object') {
      const l = o.location as Record<string, unknown>;
      row.location_id ??= l.id;
      walk('location', l, {}, `${where}.location`);
    }
    if (kind === 'attribute') {
      row.link_entity ??= parent.link_entity;
      row.link_id ??= parent.link_id;
    }
    add(kind, row);
    const id = String(o.id ?? '');
    const fk = `${kind}_id`;
    for (const [key, child] of Object.entries(CHILD_KEYS)) {
      const list = o[key];
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        const childParent: Record<string, string> = { [fk]: id };
        // Metadata points at its record by resource_id/resource_type, not by a `<kind>_id` column.
        if (child.table === 'metadata') {
          delete childParent[fk];
          Object.assign(childParent, { resource_id: id, resource_type: kind });
        }
        walk(child.table, c, childParent, `${where}.${key}[${i}]`);
      });
    }
    if (Array.isArray(o.attributes)) {
      o.attributes.forEach((a, i) => {
        walk('attribute', a, { link_entity: kind, link_id: id }, `${where}.attributes[${i}]`);
      });
    }
    if (kind === 'service' && Array.isArray(o.service_at_locations)) {
      o.service_at_locations.forEach((x, i) => {
        walk('service_at_location', x, { service_id: id }, `${where}.service_at_locations[${i}]`);
      });
    }
    if (kind === 'organization' && Array.isArray(o.services)) {
      o.services.forEach((x, i) => {
        walk('service', x, { organization_id: id }, `${where}.services[${i}]`);
      });
    }
    if (kind === 'organization' && Array.isArray(o.locations)) {
      o.locations.forEach((x, i) => {
        walk('location', x, { organization_id: id }, `${where}.locations[${i}]`);
      });
    }
  }

  const root = input as Record<string, unknown> | unknown[];
  const items = Array.isArray(root)
    ? root
    : Array.isArray((root as Record<string, unknown>)?.contents)
      ? ((root as Record<string, unknown>).contents as unknown[])
      : [root];
  items.forEach((item, i) => {
    const o = item as Record<string, unknown>;
    const kind =
      o &&
      typeof o === 'object' &&
      ('services' in o || 'website' in o || 'tax_status' in o || 'legal_status' in o) &&
      !('status' in o)
        ? 'organization'
        : 'service';
    walk(kind, item, {}, `item ${i + 1}`);
  });
  // Metadata rows need their own ids; HSDS examples give them.
  return { tables, errors };
}

/** Columns of a table in the official order, followed by the Harbour profile's own columns. */
function exportColumns(spec: Spec): Column[] {
  const cols = columnsOf(spec.table);
  const official = tabularValidators().get(spec.name)?.item.properties;
  if (!official) return cols;
  const order = Object.keys(official);
  return [...cols].sort((a, b) => {
    const ia = order.indexOf(a.name);
    const ib = order.indexOf(b.name);
    return (ia === -1 ? 1000 : ia) - (ib === -1 ? 1000 : ib);
  });
}

const cell = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : v instanceof Date
      ? v.toISOString()
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/**
 * The directory as tabular rows. Without `includeConfidential`: no confidential organization, service or
 * location, nothing attached to them, no contacts, no change history, no intake notes or assurers.
 */
export async function exportTables(
  db: Db,
  includeConfidential: boolean,
): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  const all = async (spec: Spec) => (await db.select().from(spec.table)) as Record<string, unknown>[];
  for (const spec of SPECS) out.set(spec.name, await all(spec));
  if (includeConfidential) return out;

  const orgs = out.get('organization')!.filter((o) => !o.confidential);
  const orgIds = new Set(orgs.map((o) => o.id));
  const services = out.get('service')!.filter((x) => !x.confidential && orgIds.has(x.organizationId));
  const serviceIds = new Set(services.map((x) => x.id));
  const locations = out
    .get('location')!
    .filter((x) => !x.confidential && (!x.organizationId || orgIds.has(x.organizationId)));
  const locationIds = new Set(locations.map((x) => x.id));
  const sals = out
    .get('service_at_location')!
    .filter((x) => serviceIds.has(x.serviceId) && locationIds.has(x.locationId));
  const salIds = new Set(sals.map((x) => x.id));
  const visible = (r: Record<string, unknown>) =>
    (!r.organizationId || orgIds.has(r.organizationId)) &&
    (!r.serviceId || serviceIds.has(r.serviceId)) &&
    (!r.locationId || locationIds.has(r.locationId)) &&
    (!r.serviceAtLocationId || salIds.has(r.serviceAtLocationId));
  out.set('organization', orgs);
  out.set(
    'service',
    services.map((x) => ({ ...x, intakeNotes: null, assuredBy: null, assurerEmail: null })),
  );
  out.set('location', locations);
  out.set('service_at_location', sals);
  out.set('contact', []);
  out.set('metadata', []);
  const phoneIds = new Set<unknown>();
  for (const name of [
    'program',
    'address',
    'phone',
    'schedule',
    'funding',
    'service_area',
    'required_document',
    'accessibility',
    'cost_option',
    'organization_identifier',
    'service_capacity',
  ]) {
    const kept = out.get(name)!.filter((r) => visible(r) && !r.contactId);
    out.set(name, kept);
    if (name === 'phone') for (const p of kept) phoneIds.add(p.id);
  }
  out.set(
    'language',
    out.get('language')!.filter((r) => visible(r) && (!r.phoneId || phoneIds.has(r.phoneId))),
  );
  const linkIds = new Set<unknown>([...orgIds, ...serviceIds, ...locationIds, ...salIds]);
  out.set(
    'attribute',
    out.get('attribute')!.filter((a) => linkIds.has(a.linkId)),
  );
  return out;
}

/** CSV files of a tabular data package (datapackage.json included), keyed by file name. */
export function toCsvFiles(tables: Map<string, Record<string, unknown>[]>): Record<string, string> {
  const files: Record<string, string> = {};
  const descriptor = datapackageDescriptor() as { resources: Array<{ name: string; path: string }> } & Record<
    string,
    unknown
  >;
  for (const spec of SPECS) {
    const cols = exportColumns(spec);
    const rows = (tables.get(spec.name) ?? []).map((r) => cols.map((c) => cell(r[c.key])));
    files[spec.path] = stringifyCsv([cols.map((c) => c.name), ...rows]);
  }
  const extra = SPECS.filter((x) => !descriptor.resources.some((r) => r.name === x.name)).map((x) => ({
    name: x.name,
    path: x.path,
    profile: 'tabular-data-resource',
    description: 'Harbour profile (HSDS 3.1 capacity)',
  }));
  files['datapackage.json'] =
    `${JSON.stringify({ ...descriptor, resources: [...descriptor.resources, ...extra] }, null, 2)}\n`;
  return files;
}

/** Exported rows back in tabular form (snake_case), for JSON round-trips and tests. */
export function toTabular(tables: Map<string, Record<string, unknown>[]>): Tables {
  const out: Tables = {};
  for (const spec of SPECS) {
    const cols = columnsOf(spec.table);
    out[spec.name] = (tables.get(spec.name) ?? []).map((r) =>
      Object.fromEntries(cols.map((c) => [c.name, r[c.key] ?? null])),
    );
  }
  return out;
}
