import { and, asc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import {
  accessibility,
  address,
  attribute,
  contact,
  costOption,
  funding,
  language,
  location,
  metadata,
  organization,
  organizationIdentifier,
  phone,
  place,
  program,
  requiredDocument,
  schedule,
  service,
  serviceArea,
  serviceAtLocation,
  serviceCapacity,
  taxonomy,
  taxonomyTerm,
  unit,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/** Who will read what is loaded: `public` never loads a confidential row (the presenter filters again). */
export type Audience = 'public' | 'staff';

export type OrganizationRow = typeof organization.$inferSelect;
export type ServiceRow = typeof service.$inferSelect;
export type LocationRow = typeof location.$inferSelect;
export type ServiceAtLocationRow = typeof serviceAtLocation.$inferSelect;
export type AddressRow = typeof address.$inferSelect;
export type PhoneRow = typeof phone.$inferSelect;
export type ScheduleRow = typeof schedule.$inferSelect;
export type ServiceAreaRow = typeof serviceArea.$inferSelect;
export type LanguageRow = typeof language.$inferSelect;
export type FundingRow = typeof funding.$inferSelect;
export type CostOptionRow = typeof costOption.$inferSelect;
export type ProgramRow = typeof program.$inferSelect;
export type RequiredDocumentRow = typeof requiredDocument.$inferSelect;
export type ContactRow = typeof contact.$inferSelect;
export type AccessibilityRow = typeof accessibility.$inferSelect;
export type MetadataRow = typeof metadata.$inferSelect;
export type OrganizationIdentifierRow = typeof organizationIdentifier.$inferSelect;
export type TaxonomyRow = typeof taxonomy.$inferSelect;
export type TaxonomyTermRow = typeof taxonomyTerm.$inferSelect;
export type AttributeRow = typeof attribute.$inferSelect;
export type UnitRow = typeof unit.$inferSelect;
export type CapacityRow = typeof serviceCapacity.$inferSelect & { unit: UnitRow };

/** Every row needed to present a set of services, organizations and locations, loaded in batches. */
export interface DirectoryGraph {
  audience: Audience;
  organizations: OrganizationRow[];
  services: ServiceRow[];
  programs: ProgramRow[];
  serviceAtLocations: ServiceAtLocationRow[];
  locations: LocationRow[];
  addresses: AddressRow[];
  phones: PhoneRow[];
  schedules: ScheduleRow[];
  serviceAreas: ServiceAreaRow[];
  languages: LanguageRow[];
  funding: FundingRow[];
  costOptions: CostOptionRow[];
  requiredDocuments: RequiredDocumentRow[];
  contacts: ContactRow[];
  accessibility: AccessibilityRow[];
  metadata: MetadataRow[];
  identifiers: OrganizationIdentifierRow[];
  attributes: AttributeRow[];
  terms: TaxonomyTermRow[];
  taxonomies: TaxonomyRow[];
  capacities: CapacityRow[];
  /** Parent organizations the audience may see (a public record never names a confidential parent). */
  visibleParentIds: string[];
}

export interface GraphRoots {
  serviceIds?: string[];
  organizationIds?: string[];
  /** Load each organization's services and locations too (organization output). */
  withOrganizationChildren?: boolean;
  /** Only services, their organizations and programs (the `minimal` service form). */
  topLevelOnly?: boolean;
}

const emptyCollections = {
  serviceAtLocations: [],
  locations: [],
  addresses: [],
  phones: [],
  schedules: [],
  serviceAreas: [],
  languages: [],
  funding: [],
  costOptions: [],
  requiredDocuments: [],
  contacts: [],
  accessibility: [],
  metadata: [],
  identifiers: [],
  attributes: [],
  terms: [],
  taxonomies: [],
  capacities: [],
  visibleParentIds: [],
};

const uniq = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
const none = sql`false`;
const anyOf = (col: Parameters<typeof inArray>[0], ids: string[]): SQL =>
  ids.length ? inArray(col, ids) : none;

/** Public rows: the SQL twin of the presenter's filters (defence in depth). */
const publicService = sql`not ${service.confidential} and not exists (select 1 from ${organization} o where o.id = ${service.organizationId} and o.confidential)`;
const publicLocation = sql`not ${location.confidential} and not exists (select 1 from ${organization} o where o.id = ${location.organizationId} and o.confidential)`;

/**
 * A location linked only to hidden services (e.g. a confidential service's site that nobody flagged) is
 * not listed under its public organization either: where a confidential service works is confidential too.
 */
const linkedToHiddenOnly = sql`exists (select 1 from service_at_location x join service s2 on s2.id = x.service_id
    join organization o2 on o2.id = s2.organization_id
    where x.location_id = ${location.id} and (s2.confidential or o2.confidential))
  and not exists (select 1 from service_at_location x join service s2 on s2.id = x.service_id
    join organization o2 on o2.id = s2.organization_id
    where x.location_id = ${location.id} and not s2.confidential and not o2.confidential)`;

/** Text matching for the search parameter: every word must appear (unaccented, lower-cased). */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/\s+/u)
    .map((w) => w.trim())
    .filter(Boolean)
    .slice(0, 12);
}

function likeAll(doc: SQL, words: string[]): SQL {
  if (words.length === 0) return sql`true`;
  return sql.join(
    words.map(
      (w) =>
        sql`${doc} like '%' || replace(replace(replace(lower(unaccent(${w}::text)), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`,
    ),
    sql` and `,
  );
}

/** Public fields of a translations object as one string (never staff-only fields such as intake notes). */
const PUBLIC_TEXT_KEYS = sql`('name','alternate_name','description','eligibility_description')`;

export interface ServiceFilters {
  search?: string;
  taxonomyTermId?: string;
  taxonomyId?: string;
  organizationId?: string;
  modifiedAfter?: Date;
}

export interface SalFilters extends ServiceFilters {
  /** Metres around a point (proximity search on the projection's earth column). */
  near?: { lat: number; lng: number; radius: number };
  provinces?: string[];
}

function serviceConditions(audience: Audience, f: ServiceFilters): SQL[] {
  const conditions: SQL[] = [];
  if (audience === 'public') conditions.push(publicService);
  if (f.organizationId) conditions.push(eq(service.organizationId, f.organizationId));
  if (f.modifiedAfter)
    conditions.push(sql`${service.lastModified} >= ${f.modifiedAfter.toISOString()}::timestamptz`);
  if (f.taxonomyTermId) {
    conditions.push(sql`exists (select 1 from attribute at where at.link_entity = 'service'
      and at.link_id = ${service.id} and at.taxonomy_term_id = ${f.taxonomyTermId}::uuid)`);
  }
  if (f.taxonomyId) {
    conditions.push(sql`exists (select 1 from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
      where at.link_entity = 'service' and at.link_id = ${service.id} and tt.taxonomy_id = ${f.taxonomyId}::uuid)`);
  }
  return conditions;
}

/** All SQL of the HSDS read side. A missing row is `undefined`; the caller decides what it means. */
export const hsdsRepository = {
  /** One page of service ids (ordered by name) and the total, counting only rows the audience may see. */
  async pageServiceIds(
    db: Db,
    audience: Audience,
    f: ServiceFilters,
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const conditions = serviceConditions(audience, f);
    const words = f.search ? searchWords(f.search) : [];
    if (words.length) {
      // Public: a confidential location's name and city are in the projection's document, so public search
      // only matches documents of rows without a confidential location, or the service's own public text.
      const rowFilter =
        audience === 'public' ? sql`and not ds.confidential and not ds.location_confidential` : sql``;
      const ownText = sql`lower(unaccent(concat_ws(' ', ${service.name}, ${service.alternateName}, ${service.description},
        ${service.eligibilityDescription},
        (select string_agg(x.value, ' ') from jsonb_each(${service.translations}) t(lang, obj), jsonb_each_text(t.obj) x
          where x.key in ${PUBLIC_TEXT_KEYS}),
        (select concat_ws(' ', o.name, o.alternate_name) from organization o where o.id = ${service.organizationId}))))`;
      conditions.push(
        sql`(exists (select 1 from directory_search ds where ds.service_id = ${service.id} ${rowFilter}
          and ${likeAll(sql`ds.document`, words)}) or (${likeAll(ownText, words)}))`,
      );
    }
    const where = conditions.length ? and(...conditions) : undefined;
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(service).where(where);
    const rows = await db
      .select({ id: service.id })
      .from(service)
      .where(where)
      .orderBy(asc(service.name), asc(service.id))
      .limit(limit)
      .offset(offset);
    return { ids: rows.map((r) => r.id), total: count?.n ?? 0 };
  },

  /** One page of service_at_location ids; public pages never include a confidential service or location. */
  async pageServiceAtLocationIds(
    db: Db,
    audience: Audience,
    f: SalFilters,
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const conditions = serviceConditions(audience, f);
    if (audience === 'public') conditions.push(publicLocation);
    const words = f.search ? searchWords(f.search) : [];
    const dsConditions: SQL[] = [];
    if (words.length) dsConditions.push(likeAll(sql`ds.document`, words));
    if (f.near) {
      const { lat, lng, radius } = f.near;
      dsConditions.push(sql`earth_box(ll_to_earth(${lat}::float8, ${lng}::float8), ${radius}::float8) @> ds.earth
        and earth_distance(ll_to_earth(${lat}::float8, ${lng}::float8), ds.earth) <= ${radius}::float8`);
    }
    if (f.provinces?.length) {
      dsConditions.push(
        sql`ds.provinces && array[${sql.join(
          f.provinces.map((p) => sql`${p}`),
          sql`, `,
        )}]::text[]`,
      );
    }
    if (dsConditions.length) {
      conditions.push(
        sql`exists (select 1 from directory_search ds where ds.id = ${serviceAtLocation.id} and ${sql.join(dsConditions, sql` and `)})`,
      );
    }
    const where = and(...conditions);
    const base = () =>
      db
        .select({ id: serviceAtLocation.id })
        .from(serviceAtLocation)
        .innerJoin(service, eq(service.id, serviceAtLocation.serviceId))
        .innerJoin(location, eq(location.id, serviceAtLocation.locationId));
    const [count] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(serviceAtLocation)
      .innerJoin(service, eq(service.id, serviceAtLocation.serviceId))
      .innerJoin(location, eq(location.id, serviceAtLocation.locationId))
      .where(where);
    const rows = await base()
      .where(where)
      .orderBy(asc(service.name), asc(serviceAtLocation.id))
      .limit(limit)
      .offset(offset);
    return { ids: rows.map((r) => r.id), total: count?.n ?? 0 };
  },

  async pageOrganizationIds(
    db: Db,
    audience: Audience,
    search: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const conditions: SQL[] = [];
    if (audience === 'public') conditions.push(sql`not ${organization.confidential}`);
    const words = search ? searchWords(search) : [];
    if (words.length) {
      conditions.push(
        likeAll(
          sql`lower(unaccent(concat_ws(' ', ${organization.name}, ${organization.alternateName}, ${organization.description},
            (select string_agg(x.value, ' ') from jsonb_each(${organization.translations}) t(lang, obj), jsonb_each_text(t.obj) x
              where x.key in ${PUBLIC_TEXT_KEYS}))))`,
          words,
        ),
      );
    }
    const where = conditions.length ? and(...conditions) : undefined;
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(organization).where(where);
    const rows = await db
      .select({ id: organization.id })
      .from(organization)
      .where(where)
      .orderBy(asc(organization.name), asc(organization.id))
      .limit(limit)
      .offset(offset);
    return { ids: rows.map((r) => r.id), total: count?.n ?? 0 };
  },

  async pageTaxonomies(
    db: Db,
    search: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ rows: TaxonomyRow[]; total: number }> {
    const words = search ? searchWords(search) : [];
    const where = words.length
      ? likeAll(sql`lower(unaccent(concat_ws(' ', ${taxonomy.name}, ${taxonomy.description})))`, words)
      : undefined;
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(taxonomy).where(where);
    const rows = await db
      .select()
      .from(taxonomy)
      .where(where)
      .orderBy(asc(taxonomy.name), asc(taxonomy.id))
      .limit(limit)
      .offset(offset);
    return { rows, total: count?.n ?? 0 };
  },

  async pageTaxonomyTerms(
    db: Db,
    f: { search?: string; taxonomyId?: string; parentId?: string; topOnly?: boolean },
    limit: number,
    offset: number,
  ): Promise<{ rows: TaxonomyTermRow[]; total: number }> {
    const conditions: SQL[] = [];
    if (f.taxonomyId) conditions.push(eq(taxonomyTerm.taxonomyId, f.taxonomyId));
    if (f.parentId) conditions.push(eq(taxonomyTerm.parentId, f.parentId));
    if (f.topOnly) conditions.push(sql`${taxonomyTerm.parentId} is null`);
    const words = f.search ? searchWords(f.search) : [];
    if (words.length) {
      conditions.push(
        likeAll(
          sql`lower(unaccent(concat_ws(' ', ${taxonomyTerm.code}, ${taxonomyTerm.name}, ${taxonomyTerm.description},
            (select string_agg(x.value, ' ') from jsonb_each(${taxonomyTerm.translations}) t(lang, obj), jsonb_each_text(t.obj) x))))`,
          words,
        ),
      );
    }
    const where = conditions.length ? and(...conditions) : undefined;
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(taxonomyTerm).where(where);
    const rows = await db
      .select()
      .from(taxonomyTerm)
      .where(where)
      .orderBy(asc(taxonomyTerm.taxonomy), asc(taxonomyTerm.name), asc(taxonomyTerm.id))
      .limit(limit)
      .offset(offset);
    return { rows, total: count?.n ?? 0 };
  },

  async findTaxonomy(db: Db, id: string): Promise<TaxonomyRow | undefined> {
    const [row] = await db.select().from(taxonomy).where(eq(taxonomy.id, id)).limit(1);
    return row;
  },

  async findTaxonomyTerm(db: Db, id: string): Promise<TaxonomyTermRow | undefined> {
    const [row] = await db.select().from(taxonomyTerm).where(eq(taxonomyTerm.id, id)).limit(1);
    return row;
  },

  async taxonomiesByIds(db: Db, ids: string[]): Promise<TaxonomyRow[]> {
    const wanted = uniq(ids);
    return wanted.length ? db.select().from(taxonomy).where(inArray(taxonomy.id, wanted)) : [];
  },

  /** Service ids of those service_at_locations the audience may see (one query for a whole page). */
  async visibleServiceAtLocations(db: Db, audience: Audience, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const conditions: SQL[] = [inArray(serviceAtLocation.id, uniq(ids))];
    if (audience === 'public') conditions.push(publicService, publicLocation);
    const rows = await db
      .select({ serviceId: serviceAtLocation.serviceId })
      .from(serviceAtLocation)
      .innerJoin(service, eq(service.id, serviceAtLocation.serviceId))
      .innerJoin(location, eq(location.id, serviceAtLocation.locationId))
      .where(and(...conditions));
    return uniq(rows.map((r) => r.serviceId));
  },

  /** Province centroid lookup for a postcode's forward sortation area, when the place table knows it. */
  async findFsa(db: Db, fsa: string): Promise<{ lat: number; lng: number; province: string } | undefined> {
    const [row] = await db
      .select({ lat: place.latitude, lng: place.longitude, province: place.province })
      .from(place)
      .where(and(eq(place.kind, 'fsa'), eq(place.key, fsa.toLowerCase())))
      .limit(1);
    return row;
  },

  /**
   * Loads, in a fixed number of batched queries (no query per service), every row needed to present the
   * given services and organizations. For `public`, confidential organizations, services and locations
   * and everything hanging off them are not loaded at all, nor are contacts and change metadata.
   */
  async loadGraph(db: Db, audience: Audience, roots: GraphRoots): Promise<DirectoryGraph> {
    const pub = audience === 'public';
    let serviceIds = uniq(roots.serviceIds ?? []);
    let organizationIds = uniq(roots.organizationIds ?? []);
    if (roots.withOrganizationChildren && organizationIds.length) {
      const extra = await db
        .select({ id: service.id })
        .from(service)
        .where(and(inArray(service.organizationId, organizationIds), pub ? publicService : undefined));
      serviceIds = uniq([...serviceIds, ...extra.map((r) => r.id)]);
    }
    const services = serviceIds.length
      ? await db
          .select()
          .from(service)
          .where(and(inArray(service.id, serviceIds), pub ? publicService : undefined))
      : [];
    serviceIds = services.map((s) => s.id);
    organizationIds = uniq([...organizationIds, ...services.map((s) => s.organizationId)]);
    const organizations = organizationIds.length
      ? await db
          .select()
          .from(organization)
          .where(
            and(
              inArray(organization.id, organizationIds),
              pub ? sql`not ${organization.confidential}` : undefined,
            ),
          )
      : [];
    organizationIds = organizations.map((o) => o.id);
    const programIds = uniq(services.map((s) => s.programId));
    if (roots.topLevelOnly) {
      const programs = programIds.length
        ? await db.select().from(program).where(inArray(program.id, programIds))
        : [];
      return { audience, organizations, services, programs, ...emptyCollections };
    }
    const programs =
      programIds.length || (roots.withOrganizationChildren && organizationIds.length)
        ? await db
            .select()
            .from(program)
            .where(
              or(
                anyOf(program.id, programIds),
                roots.withOrganizationChildren ? anyOf(program.organizationId, organizationIds) : none,
              ),
            )
        : [];
    const locationScope: SQL = or(
      sql`${location.id} in (select location_id from service_at_location where ${anyOf(serviceAtLocation.serviceId, serviceIds)})`,
      roots.withOrganizationChildren ? anyOf(location.organizationId, organizationIds) : none,
    ) as SQL;
    const locations =
      serviceIds.length || organizationIds.length
        ? await db
            .select()
            .from(location)
            .where(
              and(locationScope, pub ? and(publicLocation, sql`not (${linkedToHiddenOnly})`) : undefined),
            )
        : [];
    const locationIds = locations.map((l) => l.id);
    const serviceAtLocations = serviceIds.length
      ? await db
          .select()
          .from(serviceAtLocation)
          .where(
            and(
              inArray(serviceAtLocation.serviceId, serviceIds),
              pub ? anyOf(serviceAtLocation.locationId, locationIds) : undefined,
            ),
          )
      : [];
    const salIds = serviceAtLocations.map((s) => s.id);
    const addresses = locationIds.length
      ? await db.select().from(address).where(inArray(address.locationId, locationIds))
      : [];
    const contacts = pub
      ? []
      : await db
          .select()
          .from(contact)
          .where(
            or(
              anyOf(contact.organizationId, organizationIds),
              anyOf(contact.serviceId, serviceIds),
              anyOf(contact.serviceAtLocationId, salIds),
              anyOf(contact.locationId, locationIds),
            ),
          );
    const contactIds = contacts.map((c) => c.id);
    // Public phones: only those whose every link points at a visible record (a phone of a hidden
    // location or contact never leaves the server, even when it also names a public service).
    const phones = await db
      .select()
      .from(phone)
      .where(
        and(
          or(
            anyOf(phone.serviceId, serviceIds),
            anyOf(phone.locationId, locationIds),
            anyOf(phone.organizationId, organizationIds),
            anyOf(phone.serviceAtLocationId, salIds),
            anyOf(phone.contactId, contactIds),
          ),
          pub
            ? sql`(${phone.locationId} is null or ${anyOf(phone.locationId, locationIds)})
               and (${phone.serviceAtLocationId} is null or ${anyOf(phone.serviceAtLocationId, salIds)})
               and ${phone.contactId} is null
               and (${phone.serviceId} is null or ${anyOf(phone.serviceId, serviceIds)})
               and (${phone.organizationId} is null or ${anyOf(phone.organizationId, organizationIds)})`
            : undefined,
        ),
      );
    const phoneIds = phones.map((p) => p.id);
    const schedules = await db
      .select()
      .from(schedule)
      .where(
        and(
          or(
            anyOf(schedule.serviceId, serviceIds),
            anyOf(schedule.locationId, locationIds),
            anyOf(schedule.serviceAtLocationId, salIds),
          ),
          pub
            ? sql`(${schedule.locationId} is null or ${anyOf(schedule.locationId, locationIds)})
               and (${schedule.serviceAtLocationId} is null or ${anyOf(schedule.serviceAtLocationId, salIds)})`
            : undefined,
        ),
      );
    const serviceAreas = await db
      .select()
      .from(serviceArea)
      .where(
        and(
          or(anyOf(serviceArea.serviceId, serviceIds), anyOf(serviceArea.serviceAtLocationId, salIds)),
          pub
            ? sql`(${serviceArea.serviceAtLocationId} is null or ${anyOf(serviceArea.serviceAtLocationId, salIds)})`
            : undefined,
        ),
      );
    const languages = await db
      .select()
      .from(language)
      .where(
        and(
          or(
            anyOf(language.serviceId, serviceIds),
            anyOf(language.locationId, locationIds),
            anyOf(language.phoneId, phoneIds),
          ),
          pub
            ? sql`(${language.locationId} is null or ${anyOf(language.locationId, locationIds)})
               and (${language.phoneId} is null or ${anyOf(language.phoneId, phoneIds)})`
            : undefined,
        ),
      );
    const fundingRows = await db
      .select()
      .from(funding)
      .where(or(anyOf(funding.serviceId, serviceIds), anyOf(funding.organizationId, organizationIds)));
    const costOptions = serviceIds.length
      ? await db.select().from(costOption).where(inArray(costOption.serviceId, serviceIds))
      : [];
    const requiredDocuments = serviceIds.length
      ? await db.select().from(requiredDocument).where(inArray(requiredDocument.serviceId, serviceIds))
      : [];
    const accessibilityRows = locationIds.length
      ? await db.select().from(accessibility).where(inArray(accessibility.locationId, locationIds))
      : [];
    const identifiers = organizationIds.length
      ? await db
          .select()
          .from(organizationIdentifier)
          .where(inArray(organizationIdentifier.organizationId, organizationIds))
      : [];
    const linkIds = uniq([
      ...serviceIds,
      ...organizationIds,
      ...locationIds,
      ...salIds,
      ...phoneIds,
      ...addresses.map((a) => a.id),
      ...schedules.map((s) => s.id),
      ...serviceAreas.map((s) => s.id),
      ...languages.map((l) => l.id),
      ...contactIds,
      ...accessibilityRows.map((a) => a.id),
    ]);
    const attributes = linkIds.length
      ? await db.select().from(attribute).where(inArray(attribute.linkId, linkIds))
      : [];
    const termIds = uniq(attributes.map((a) => a.taxonomyTermId));
    const terms = termIds.length
      ? await db.select().from(taxonomyTerm).where(inArray(taxonomyTerm.id, termIds))
      : [];
    const taxonomyIds = uniq(terms.map((t) => t.taxonomyId));
    const taxonomies = taxonomyIds.length
      ? await db.select().from(taxonomy).where(inArray(taxonomy.id, taxonomyIds))
      : [];
    const parentIds = uniq(organizations.map((o) => o.parentOrganizationId));
    const visibleParents = parentIds.length
      ? await db
          .select({ id: organization.id })
          .from(organization)
          .where(
            and(inArray(organization.id, parentIds), pub ? sql`not ${organization.confidential}` : undefined),
          )
      : [];
    const metadataRows =
      pub || linkIds.length === 0
        ? []
        : await db
            .select()
            .from(metadata)
            .where(inArray(metadata.resourceId, linkIds))
            .orderBy(asc(metadata.lastActionDate));
    const capacities = serviceIds.length
      ? (
          await db
            .select({ capacity: serviceCapacity, unit })
            .from(serviceCapacity)
            .innerJoin(unit, eq(unit.id, serviceCapacity.unitId))
            .where(inArray(serviceCapacity.serviceId, serviceIds))
        ).map((r) => ({ ...r.capacity, unit: r.unit }))
      : [];
    return {
      audience,
      organizations,
      services,
      programs,
      serviceAtLocations,
      locations,
      addresses,
      phones,
      schedules,
      serviceAreas,
      languages,
      funding: fundingRows,
      costOptions,
      requiredDocuments,
      contacts,
      accessibility: accessibilityRows,
      metadata: metadataRows,
      identifiers,
      attributes,
      terms,
      taxonomies,
      capacities,
      visibleParentIds: visibleParents.map((r) => r.id),
    };
  },
};
