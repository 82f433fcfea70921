import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import {
  address,
  attribute,
  changeProposal,
  language,
  location,
  metadata,
  organization,
  phone,
  schedule,
  service,
  serviceAtLocation,
  serviceCapacity,
  taxonomyTerm,
  unit,
} from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

export type OrganizationRow = typeof organization.$inferSelect;
export type ServiceRow = typeof service.$inferSelect;
export type LocationRow = typeof location.$inferSelect;
export type ProposalRow = typeof changeProposal.$inferSelect;
export type MetadataRow = typeof metadata.$inferSelect;

const regularWeekly = (serviceId: string) =>
  and(
    eq(schedule.serviceId, serviceId),
    isNull(schedule.locationId),
    isNull(schedule.serviceAtLocationId),
    isNull(schedule.validFrom),
    isNull(schedule.validTo),
    sql`upper(coalesce(${schedule.freq}, 'WEEKLY')) in ('WEEKLY', 'DAILY')`,
  );

/** All SQL of the directory's write side (editing, history, verification, proposals). */
export const directoryRepository = {
  async findOrganization(db: Db, id: string) {
    const [row] = await db.select().from(organization).where(eq(organization.id, id)).limit(1);
    return row;
  },
  async insertOrganization(db: Db, values: typeof organization.$inferInsert) {
    const [row] = await db.insert(organization).values(values).returning();
    return row!;
  },
  async updateOrganization(db: Db, id: string, values: Partial<typeof organization.$inferInsert>) {
    const [row] = await db.update(organization).set(values).where(eq(organization.id, id)).returning();
    return row;
  },
  async serviceIdsOfOrganization(db: Db, organizationId: string): Promise<string[]> {
    const rows = await db
      .select({ id: service.id })
      .from(service)
      .where(eq(service.organizationId, organizationId));
    return rows.map((r) => r.id);
  },

  async servicesOfOrganization(db: Db, organizationId: string) {
    return db
      .select({
        id: service.id,
        name: service.name,
        status: service.status,
        confidential: service.confidential,
      })
      .from(service)
      .where(eq(service.organizationId, organizationId))
      .orderBy(asc(service.name));
  },
  /** Locations of an organization, or those a service is offered at. */
  async locationsOf(db: Db, by: { organizationId?: string; serviceId?: string }) {
    const base = db
      .select({
        id: location.id,
        name: location.name,
        confidential: location.confidential,
        city: address.city,
        stateProvince: address.stateProvince,
      })
      .from(location)
      .leftJoin(address, eq(address.locationId, location.id));
    if (by.serviceId) {
      return base
        .innerJoin(serviceAtLocation, eq(serviceAtLocation.locationId, location.id))
        .where(eq(serviceAtLocation.serviceId, by.serviceId))
        .orderBy(asc(location.name));
    }
    return base.where(eq(location.organizationId, by.organizationId ?? '')).orderBy(asc(location.name));
  },

  async findService(db: Db, id: string) {
    const [row] = await db.select().from(service).where(eq(service.id, id)).limit(1);
    return row;
  },
  async insertService(db: Db, values: typeof service.$inferInsert) {
    const [row] = await db.insert(service).values(values).returning();
    return row!;
  },
  async updateService(db: Db, id: string, values: Partial<typeof service.$inferInsert>) {
    const [row] = await db.update(service).set(values).where(eq(service.id, id)).returning();
    return row;
  },

  async findLocation(db: Db, id: string) {
    const [row] = await db.select().from(location).where(eq(location.id, id)).limit(1);
    return row;
  },
  async insertLocation(db: Db, values: typeof location.$inferInsert) {
    const [row] = await db.insert(location).values(values).returning();
    return row!;
  },
  async updateLocation(db: Db, id: string, values: Partial<typeof location.$inferInsert>) {
    const [row] = await db.update(location).set(values).where(eq(location.id, id)).returning();
    return row;
  },
  async serviceIdsAtLocation(db: Db, locationId: string): Promise<string[]> {
    const rows = await db
      .select({ id: serviceAtLocation.serviceId })
      .from(serviceAtLocation)
      .where(eq(serviceAtLocation.locationId, locationId));
    return rows.map((r) => r.id);
  },
  async addressOf(db: Db, locationId: string) {
    const [row] = await db.select().from(address).where(eq(address.locationId, locationId)).limit(1);
    return row;
  },
  async replaceAddress(
    db: Db,
    locationId: string,
    values: Omit<typeof address.$inferInsert, 'locationId'> | null,
  ) {
    await db.delete(address).where(eq(address.locationId, locationId));
    if (values) await db.insert(address).values({ ...values, locationId });
  },
  async linkServiceToLocation(db: Db, serviceId: string, locationId: string) {
    const [existing] = await db
      .select()
      .from(serviceAtLocation)
      .where(and(eq(serviceAtLocation.serviceId, serviceId), eq(serviceAtLocation.locationId, locationId)))
      .limit(1);
    if (existing) return existing;
    const [row] = await db.insert(serviceAtLocation).values({ serviceId, locationId }).returning();
    return row!;
  },

  async termsByCodes(db: Db, taxonomies: readonly string[], codes: string[]) {
    if (codes.length === 0) return [];
    return db
      .select({ id: taxonomyTerm.id, code: taxonomyTerm.code, taxonomy: taxonomyTerm.taxonomy })
      .from(taxonomyTerm)
      .where(and(inArray(taxonomyTerm.taxonomy, [...taxonomies]), inArray(taxonomyTerm.code, codes)));
  },
  async serviceTermCodes(db: Db, serviceId: string, taxonomies: readonly string[]): Promise<string[]> {
    const rows = await db
      .select({ code: taxonomyTerm.code })
      .from(attribute)
      .innerJoin(taxonomyTerm, eq(taxonomyTerm.id, attribute.taxonomyTermId))
      .where(
        and(
          eq(attribute.linkEntity, 'service'),
          eq(attribute.linkId, serviceId),
          inArray(taxonomyTerm.taxonomy, [...taxonomies]),
        ),
      )
      .orderBy(asc(taxonomyTerm.code));
    return rows.map((r) => r.code ?? '').filter(Boolean);
  },
  /** Replaces a service's attributes within the given taxonomies by the given terms. */
  async replaceServiceTerms(db: Db, serviceId: string, taxonomies: readonly string[], termIds: string[]) {
    const old = db
      .select({ id: taxonomyTerm.id })
      .from(taxonomyTerm)
      .where(inArray(taxonomyTerm.taxonomy, [...taxonomies]));
    await db
      .delete(attribute)
      .where(
        and(
          eq(attribute.linkEntity, 'service'),
          eq(attribute.linkId, serviceId),
          inArray(attribute.taxonomyTermId, old),
        ),
      );
    if (termIds.length) {
      await db
        .insert(attribute)
        .values(
          termIds.map((taxonomyTermId) => ({ linkId: serviceId, linkEntity: 'service', taxonomyTermId })),
        );
    }
  },
  async serviceLanguages(db: Db, serviceId: string): Promise<string[]> {
    const rows = await db
      .select({ code: language.code })
      .from(language)
      .where(eq(language.serviceId, serviceId))
      .orderBy(asc(language.code));
    return rows.map((r) => r.code ?? '').filter(Boolean);
  },
  async replaceServiceLanguages(db: Db, serviceId: string, codes: string[]) {
    await db.delete(language).where(eq(language.serviceId, serviceId));
    if (codes.length) await db.insert(language).values(codes.map((code) => ({ serviceId, code })));
  },
  async servicePhones(db: Db, serviceId: string) {
    return db.select().from(phone).where(eq(phone.serviceId, serviceId)).orderBy(asc(phone.number));
  },
  async replaceServicePhones(
    db: Db,
    serviceId: string,
    phones: Array<{ number: string; type?: string; description?: string }>,
  ) {
    await db.delete(phone).where(eq(phone.serviceId, serviceId));
    if (phones.length) await db.insert(phone).values(phones.map((p) => ({ ...p, serviceId })));
  },

  /**
   * A service's regular weekly hours: its own WEEKLY/DAILY rules without a validity window. Rules of a location
   * or service-at-location, seasonal windows and other frequencies are not "the weekly hours" and stay as they are.
   */
  async weeklySchedules(db: Db, serviceId: string) {
    return db
      .select()
      .from(schedule)
      .where(regularWeekly(serviceId))
      .orderBy(asc(schedule.opensAt), asc(schedule.id));
  },
  async replaceWeeklySchedules(
    db: Db,
    serviceId: string,
    rows: Array<Omit<typeof schedule.$inferInsert, 'serviceId'>>,
  ) {
    await db.delete(schedule).where(regularWeekly(serviceId));
    if (rows.length) await db.insert(schedule).values(rows.map((r) => ({ ...r, serviceId })));
  },

  async bedUnit(db: Db) {
    const [existing] = await db.select().from(unit).where(eq(unit.identifier, 'bed')).limit(1);
    if (existing) return existing;
    const [row] = await db
      .insert(unit)
      .values({ name: 'bed', identifier: 'bed', scheme: 'harbour', translations: { fr: { name: 'lit' } } })
      .returning();
    return row!;
  },
  async capacityOf(db: Db, serviceId: string) {
    return db.select().from(serviceCapacity).where(eq(serviceCapacity.serviceId, serviceId));
  },
  async setCapacity(
    db: Db,
    serviceId: string,
    unitId: string,
    available: number,
    maximum: number | null,
    now: Date,
  ) {
    await db
      .delete(serviceCapacity)
      .where(and(eq(serviceCapacity.serviceId, serviceId), eq(serviceCapacity.unitId, unitId)));
    await db.insert(serviceCapacity).values({ serviceId, unitId, available, maximum, updated: now });
  },

  async insertHistory(db: Db, rows: Array<typeof metadata.$inferInsert>) {
    if (rows.length) await db.insert(metadata).values(rows);
  },
  async history(db: Db, resourceType: string, resourceId: string, limit: number): Promise<MetadataRow[]> {
    return db
      .select()
      .from(metadata)
      .where(and(eq(metadata.resourceType, resourceType), eq(metadata.resourceId, resourceId)))
      .orderBy(sql`${metadata.lastActionDate} desc`, asc(metadata.fieldName))
      .limit(limit);
  },

  /** Active services whose next verification is due on or before `today` (or was never set). */
  async overdue(db: Db, today: string, limit: number, offset: number) {
    return db
      .select({
        id: service.id,
        name: service.name,
        organizationId: service.organizationId,
        organizationName: organization.name,
        assuredDate: service.assuredDate,
        verificationDue: service.verificationDue,
        confidential: sql<boolean>`${service.confidential} or ${organization.confidential}`,
      })
      .from(service)
      .innerJoin(organization, eq(organization.id, service.organizationId))
      .where(
        and(
          eq(service.status, 'active'),
          or(isNull(service.verificationDue), lte(service.verificationDue, today)),
        ),
      )
      .orderBy(sql`${service.verificationDue} asc nulls first`, asc(service.name))
      .limit(limit)
      .offset(offset);
  },

  /** Serialises proposals for one record (until the transaction ends), so the duplicate check cannot race. */
  async lockProposalTarget(db: Db, resourceId: string) {
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`harbour.proposal:${resourceId}`}))`);
  },
  /** A pending proposal with exactly these changes (jsonb equality: key order does not matter), if any. */
  async findPendingDuplicate(
    db: Db,
    v: { organizationId: string; resourceType: string; resourceId: string; changes: Record<string, unknown> },
  ) {
    const [row] = await db
      .select({ id: changeProposal.id })
      .from(changeProposal)
      .where(
        and(
          eq(changeProposal.status, 'pending'),
          eq(changeProposal.organizationId, v.organizationId),
          eq(changeProposal.resourceType, v.resourceType),
          eq(changeProposal.resourceId, v.resourceId),
          sql`${changeProposal.changes} = ${JSON.stringify(v.changes)}::jsonb`,
        ),
      )
      .limit(1);
    return row;
  },
  async insertProposal(db: Db, values: typeof changeProposal.$inferInsert) {
    const [row] = await db.insert(changeProposal).values(values).returning();
    return row!;
  },
  async findProposal(db: Db, id: string) {
    const [row] = await db.select().from(changeProposal).where(eq(changeProposal.id, id)).limit(1);
    return row;
  },
  async listProposals(db: Db, status: string, organizationId?: string) {
    return db
      .select({ proposal: changeProposal, organizationName: organization.name })
      .from(changeProposal)
      .innerJoin(organization, eq(organization.id, changeProposal.organizationId))
      .where(
        and(
          eq(changeProposal.status, status),
          organizationId ? eq(changeProposal.organizationId, organizationId) : undefined,
        ),
      )
      .orderBy(asc(changeProposal.proposedAt));
  },
  /** Decides a pending proposal exactly once (a concurrent second decision finds nothing). */
  async decideProposal(db: Db, id: string, values: Partial<typeof changeProposal.$inferInsert>) {
    const [row] = await db
      .update(changeProposal)
      .set(values)
      .where(and(eq(changeProposal.id, id), eq(changeProposal.status, 'pending')))
      .returning();
    return row;
  },
};
