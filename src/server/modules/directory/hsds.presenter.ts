import type { Translations } from '../../db/directory.schema.js';
import type {
  AddressRow,
  Audience,
  DirectoryGraph,
  LocationRow,
  OrganizationRow,
  ServiceAtLocationRow,
  ServiceRow,
  TaxonomyRow,
  TaxonomyTermRow,
} from './hsds.repository.js';

/**
 * HSDS 3.0 objects (compiled service.json, organization.json, service_at_location.json, taxonomy.json,
 * taxonomy_term.json shapes) plus the Harbour profile fields. See docs/directory/harbour-profile.md.
 *
 * Two audiences:
 * - `public`: confidential organizations and services do not exist; a confidential location is dropped
 *   with everything hanging off it (address, coordinates, phones, schedules, languages); no contacts, no
 *   change metadata, no intake notes, no assurer, no `translations` object (one language per response).
 * - `staff`: everything, with `confidential` flags and the full `translations` object.
 */
export type HsdsObject = Record<string, unknown>;

export interface PresentContext {
  audience: Audience;
  /** Requested language tag (e.g. "fr", "fr-CA"); text falls back to the record's own (base) text. */
  lang?: string | undefined;
}

/** Drops null/undefined/empty-array values: HSDS types its fields as non-nullable strings/numbers. */
function compact(o: Record<string, unknown>): HsdsObject {
  const out: HsdsObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

/**
 * Language choice for HSDS responses: `lang` wins, then the first Accept-Language tag by q-weight;
 * undefined means "the records' own text". Returns a lower-cased BCP 47 tag.
 */
export function pickLanguage(
  lang: string | undefined,
  acceptLanguage: string | undefined,
): string | undefined {
  if (lang) return lang.toLowerCase();
  if (!acceptLanguage) return undefined;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.q > 0 && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(x.tag))
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag;
}

/**
 * Text of `field` in the requested language: translations[lang] (exact tag, then its primary subtag,
 * case-insensitive), else the record's own text.
 */
export function translated(
  translations: Translations | null | undefined,
  lang: string | undefined,
  field: string,
  base: string | null | undefined,
): string | null | undefined {
  if (!lang || !translations) return base;
  const keys = Object.keys(translations);
  const primary = lang.split('-')[0] ?? lang;
  const exact = keys.find((k) => k.toLowerCase() === lang);
  const prim = keys.find((k) => k.toLowerCase() === primary);
  for (const key of [exact, prim]) {
    const value = key ? translations[key]?.[field] : undefined;
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return base;
}

function groupBy<T>(rows: T[], key: (row: T) => string | null | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (!k) continue;
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

const WKST = new Set(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']);
const FREQ = new Set(['WEEKLY', 'MONTHLY']);
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/** A taxonomy as HSDS taxonomy.json. */
export function presentTaxonomy(row: TaxonomyRow): HsdsObject {
  return compact({
    id: row.id,
    name: row.name,
    description: row.description,
    uri: row.uri,
    version: row.version,
  });
}

/** A taxonomy term as HSDS taxonomy_term.json, its labels in the requested language. */
export function presentTaxonomyTerm(
  row: TaxonomyTermRow,
  taxonomy: TaxonomyRow | undefined,
  ctx: PresentContext,
): HsdsObject {
  const name = translated(row.translations, ctx.lang, 'name', row.name) ?? row.name;
  return compact({
    id: row.id,
    code: row.code,
    name,
    description: translated(row.translations, ctx.lang, 'description', row.description) ?? row.description,
    parent_id: row.parentId,
    taxonomy: row.taxonomy,
    taxonomy_detail: taxonomy ? presentTaxonomy(taxonomy) : undefined,
    language: name !== row.name && ctx.lang ? ctx.lang : row.language,
    taxonomy_id: row.taxonomyId,
    term_uri: row.termUri,
    translations: ctx.audience === 'staff' ? row.translations : undefined,
  });
}

/** Builds HSDS objects from a loaded graph; every lookup is in memory (the graph was batch-loaded). */
export function createHsdsPresenter(graph: DirectoryGraph, ctx: PresentContext) {
  const staff = ctx.audience === 'staff';
  const orgs = new Map(graph.organizations.map((o) => [o.id, o]));
  const services = new Map(graph.services.map((s) => [s.id, s]));
  const locations = new Map(graph.locations.map((l) => [l.id, l]));
  const sals = new Map(graph.serviceAtLocations.map((s) => [s.id, s]));
  const programs = new Map(graph.programs.map((p) => [p.id, p]));
  const terms = new Map(graph.terms.map((t) => [t.id, t]));
  const taxonomies = new Map(graph.taxonomies.map((t) => [t.id, t]));
  const visibleParents = new Set(graph.visibleParentIds);

  // Public: a row is visible only when it and everything it points at are visible.
  const serviceVisible = (s: ServiceRow | undefined): s is ServiceRow =>
    Boolean(s) &&
    (staff ||
      (!s!.confidential && orgs.has(s!.organizationId) && !orgs.get(s!.organizationId)!.confidential));
  const locationVisible = (l: LocationRow | undefined): l is LocationRow =>
    Boolean(l) &&
    (staff ||
      (!l!.confidential &&
        (!l!.organizationId || (orgs.get(l!.organizationId)?.confidential ?? true) === false)));
  const salVisible = (s: ServiceAtLocationRow | undefined): s is ServiceAtLocationRow =>
    Boolean(s) && serviceVisible(services.get(s!.serviceId)) && locationVisible(locations.get(s!.locationId));

  const phones = graph.phones.filter(
    (p) =>
      staff ||
      (!p.contactId &&
        (!p.locationId || locationVisible(locations.get(p.locationId))) &&
        (!p.serviceAtLocationId || salVisible(sals.get(p.serviceAtLocationId))) &&
        (!p.serviceId || serviceVisible(services.get(p.serviceId))) &&
        (!p.organizationId || orgs.has(p.organizationId))),
  );
  const phoneIds = new Set(phones.map((p) => p.id));
  const schedules = graph.schedules.filter(
    (s) =>
      staff ||
      ((!s.locationId || locationVisible(locations.get(s.locationId))) &&
        (!s.serviceAtLocationId || salVisible(sals.get(s.serviceAtLocationId)))),
  );
  const languages = graph.languages.filter(
    (l) =>
      staff ||
      ((!l.locationId || locationVisible(locations.get(l.locationId))) &&
        (!l.phoneId || phoneIds.has(l.phoneId))),
  );
  const areas = graph.serviceAreas.filter(
    (a) => staff || !a.serviceAtLocationId || salVisible(sals.get(a.serviceAtLocationId)),
  );
  const contacts = staff ? graph.contacts : [];

  const phonesBy = {
    service: groupBy(phones, (p) => p.serviceId),
    location: groupBy(phones, (p) => p.locationId),
    organization: groupBy(phones, (p) => p.organizationId),
    sal: groupBy(phones, (p) => p.serviceAtLocationId),
    contact: groupBy(phones, (p) => p.contactId),
  };
  const schedulesBy = {
    service: groupBy(schedules, (s) => s.serviceId),
    location: groupBy(schedules, (s) => s.locationId),
    sal: groupBy(schedules, (s) => s.serviceAtLocationId),
  };
  const languagesBy = {
    service: groupBy(languages, (l) => l.serviceId),
    location: groupBy(languages, (l) => l.locationId),
    phone: groupBy(languages, (l) => l.phoneId),
  };
  const contactsBy = {
    service: groupBy(contacts, (c) => c.serviceId),
    location: groupBy(contacts, (c) => c.locationId),
    organization: groupBy(contacts, (c) => c.organizationId),
    sal: groupBy(contacts, (c) => c.serviceAtLocationId),
  };
  const areasBy = {
    service: groupBy(areas, (a) => a.serviceId),
    sal: groupBy(areas, (a) => a.serviceAtLocationId),
  };
  const salsByService = groupBy(graph.serviceAtLocations, (s) => s.serviceId);
  const addressesBy = groupBy(graph.addresses, (a) => a.locationId);
  const accessibilityBy = groupBy(graph.accessibility, (a) => a.locationId);
  const fundingBy = {
    service: groupBy(graph.funding, (f) => f.serviceId),
    organization: groupBy(graph.funding, (f) => f.organizationId),
  };
  const costBy = groupBy(graph.costOptions, (c) => c.serviceId);
  const docsBy = groupBy(graph.requiredDocuments, (d) => d.serviceId);
  const attributesBy = groupBy(graph.attributes, (a) => a.linkId);
  const metadataBy = groupBy(staff ? graph.metadata : [], (m) => m.resourceId);
  const capacityBy = groupBy(graph.capacities, (c) => c.serviceId);
  const identifiersBy = groupBy(graph.identifiers, (i) => i.organizationId);
  const programsBy = groupBy(graph.programs, (p) => p.organizationId);
  const servicesByOrg = groupBy(graph.services, (s) => s.organizationId);
  const locationsByOrg = groupBy(graph.locations, (l) => l.organizationId);

  const text = (row: { translations: Translations }, field: string, base: string | null) =>
    translated(row.translations, ctx.lang, field, base);
  const list = <T>(rows: T[] | undefined, f: (row: T) => HsdsObject) => (rows ?? []).map(f);

  const metadataOf = (id: string) =>
    staff
      ? list(metadataBy.get(id), (m) =>
          compact({
            id: m.id,
            resource_id: m.resourceId,
            resource_type: m.resourceType,
            last_action_date: m.lastActionDate.toISOString(),
            last_action_type: m.lastActionType,
            field_name: m.fieldName,
            previous_value: m.previousValue,
            replacement_value: m.replacementValue,
            updated_by: m.updatedBy,
          }),
        )
      : undefined;

  const attributesOf = (id: string) =>
    list(attributesBy.get(id), (a) => {
      const term = terms.get(a.taxonomyTermId);
      return compact({
        id: a.id,
        link_id: a.linkId,
        taxonomy_term_id: a.taxonomyTermId,
        link_type: a.linkType,
        link_entity: a.linkEntity,
        value: a.value,
        label: a.label,
        taxonomy_term: term
          ? presentTaxonomyTerm(term, term.taxonomyId ? taxonomies.get(term.taxonomyId) : undefined, ctx)
          : undefined,
        metadata: metadataOf(a.id),
      });
    });

  const languagesOf = (rows: DirectoryGraph['languages'] | undefined) =>
    list(rows, (l) =>
      compact({
        id: l.id,
        service_id: l.serviceId,
        location_id: l.locationId,
        phone_id: l.phoneId,
        name: l.name,
        code: l.code,
        note: l.note,
        attributes: attributesOf(l.id),
        metadata: metadataOf(l.id),
      }),
    );

  const phonesOf = (rows: DirectoryGraph['phones'] | undefined) =>
    list(rows, (p) =>
      compact({
        id: p.id,
        location_id: p.locationId,
        service_id: p.serviceId,
        organization_id: p.organizationId,
        contact_id: p.contactId,
        service_at_location_id: p.serviceAtLocationId,
        number: p.number,
        extension: p.extension,
        type: p.type,
        description: p.description,
        languages: languagesOf(languagesBy.phone.get(p.id)),
        attributes: attributesOf(p.id),
        metadata: metadataOf(p.id),
      }),
    );

  const schedulesOf = (rows: DirectoryGraph['schedules'] | undefined) =>
    list(rows, (s) =>
      compact({
        id: s.id,
        service_id: s.serviceId,
        location_id: s.locationId,
        service_at_location_id: s.serviceAtLocationId,
        valid_from: s.validFrom,
        valid_to: s.validTo,
        dtstart: s.dtstart,
        // HSDS 3.0 types `timezone` as a UTC offset number, which cannot follow daylight saving time;
        // the profile carries the IANA zone name instead.
        timezone_name: s.timezone,
        until: s.until,
        count: s.count,
        wkst: s.wkst && WKST.has(s.wkst) ? s.wkst : undefined,
        freq: s.freq && FREQ.has(s.freq) ? s.freq : undefined,
        interval: s.interval,
        byday: s.byday,
        byweekno: s.byweekno,
        bymonthday: s.bymonthday,
        byyearday: s.byyearday,
        description: s.description,
        opens_at: s.opensAt,
        closes_at: s.closesAt,
        schedule_link: s.scheduleLink,
        attending_type: s.attendingType,
        notes: s.notes,
        attributes: attributesOf(s.id),
        metadata: metadataOf(s.id),
      }),
    );

  const contactsOf = (rows: DirectoryGraph['contacts'] | undefined) =>
    staff
      ? list(rows, (c) =>
          compact({
            id: c.id,
            organization_id: c.organizationId,
            service_id: c.serviceId,
            service_at_location_id: c.serviceAtLocationId,
            location_id: c.locationId,
            name: c.name,
            title: c.title,
            department: c.department,
            email: c.email,
            phones: phonesOf(phonesBy.contact.get(c.id)),
            attributes: attributesOf(c.id),
            metadata: metadataOf(c.id),
          }),
        )
      : undefined;

  const addressOf = (a: AddressRow) =>
    compact({
      id: a.id,
      location_id: a.locationId,
      attention: staff ? a.attention : undefined,
      address_1: a.address1,
      address_2: a.address2,
      city: a.city,
      region: a.region,
      state_province: a.stateProvince,
      postal_code: a.postalCode,
      country: a.country,
      address_type: a.addressType,
      attributes: attributesOf(a.id),
      metadata: metadataOf(a.id),
    });

  function presentLocation(l: LocationRow): HsdsObject {
    return compact({
      id: l.id,
      location_type: l.locationType,
      url: l.url,
      organization_id: l.organizationId,
      name: text(l, 'name', l.name),
      alternate_name: text(l, 'alternate_name', l.alternateName),
      description: text(l, 'description', l.description),
      transportation: text(l, 'transportation', l.transportation),
      latitude: l.latitude,
      longitude: l.longitude,
      external_identifier: l.externalIdentifier,
      external_identifier_type: l.externalIdentifierType,
      languages: languagesOf(languagesBy.location.get(l.id)),
      addresses: list(addressesBy.get(l.id), addressOf),
      contacts: contactsOf(contactsBy.location.get(l.id)),
      accessibility: list(accessibilityBy.get(l.id), (a) =>
        compact({
          id: a.id,
          location_id: a.locationId,
          description: a.description,
          details: a.details,
          url: a.url,
          attributes: attributesOf(a.id),
          metadata: metadataOf(a.id),
        }),
      ),
      phones: phonesOf(phonesBy.location.get(l.id)),
      schedules: schedulesOf(schedulesBy.location.get(l.id)),
      attributes: attributesOf(l.id),
      metadata: metadataOf(l.id),
      confidential: staff ? l.confidential : undefined,
      translations: staff ? l.translations : undefined,
    });
  }

  function organizationTop(o: OrganizationRow): HsdsObject {
    return compact({
      id: o.id,
      name: text(o, 'name', o.name),
      alternate_name: text(o, 'alternate_name', o.alternateName),
      description: text(o, 'description', o.description) ?? '',
      email: o.email,
      website: o.website,
      tax_status: o.taxStatus,
      tax_id: o.taxId,
      year_incorporated: o.yearIncorporated,
      legal_status: o.legalStatus,
      logo: o.logo,
      uri: o.uri,
      parent_organization_id:
        staff || (o.parentOrganizationId && visibleParents.has(o.parentOrganizationId))
          ? o.parentOrganizationId
          : undefined,
      organization_type: o.organizationType,
      jurisdiction: o.jurisdiction,
      confidential: staff ? o.confidential : undefined,
      translations: staff ? o.translations : undefined,
    });
  }

  const programOf = (id: string | null) => {
    const p = id ? programs.get(id) : undefined;
    return p
      ? compact({
          id: p.id,
          organization_id: p.organizationId,
          name: p.name,
          alternate_name: p.alternateName,
          description: p.description ?? '',
        })
      : undefined;
  };

  /** Top-level (one-to-one) fields of a service, as in service_list.json (the `minimal` form). */
  function serviceTop(s: ServiceRow): HsdsObject {
    return compact({
      id: s.id,
      organization_id: s.organizationId,
      program_id: s.programId && programs.has(s.programId) ? s.programId : undefined,
      name: text(s, 'name', s.name),
      alternate_name: text(s, 'alternate_name', s.alternateName),
      description: text(s, 'description', s.description),
      url: s.url,
      email: s.email,
      status: s.status,
      interpretation_services: text(s, 'interpretation_services', s.interpretationServices),
      application_process: text(s, 'application_process', s.applicationProcess),
      fees_description: text(s, 'fees_description', s.feesDescription),
      wait_time: text(s, 'wait_time', s.waitTime),
      fees: text(s, 'fees', s.fees),
      accreditations: text(s, 'accreditations', s.accreditations),
      eligibility_description: text(s, 'eligibility_description', s.eligibilityDescription),
      minimum_age: s.minimumAge,
      maximum_age: s.maximumAge,
      assured_date: s.assuredDate,
      assurer_email: staff ? s.assurerEmail : undefined,
      licenses: text(s, 'licenses', s.licenses),
      alert: text(s, 'alert', s.alert),
      last_modified: iso(s.lastModified),
      confidential: staff ? s.confidential : undefined,
      intake_notes: staff ? text(s, 'intake_notes', s.intakeNotes) : undefined,
      assured_by: staff ? s.assuredBy : undefined,
      verification_due: staff ? s.verificationDue : undefined,
      translations: staff ? s.translations : undefined,
    });
  }

  const capacityOf = (serviceId: string) =>
    list(capacityBy.get(serviceId), (c) =>
      compact({
        id: c.id,
        service_id: c.serviceId,
        unit: compact({
          id: c.unit.id,
          name: translated(c.unit.translations, ctx.lang, 'name', c.unit.name),
          scheme: c.unit.scheme,
          identifier: c.unit.identifier,
          uri: c.unit.uri,
        }),
        available: c.available,
        maximum: c.maximum,
        description: c.description,
        updated: c.updated.toISOString(),
      }),
    );

  /** The service's own collections (everything but service_at_locations and organization). */
  function serviceCollections(s: ServiceRow): HsdsObject {
    const org = orgs.get(s.organizationId);
    return compact({
      phones: phonesOf((phonesBy.service.get(s.id) ?? []).filter((p) => !p.serviceAtLocationId)),
      schedules: schedulesOf((schedulesBy.service.get(s.id) ?? []).filter((x) => !x.serviceAtLocationId)),
      service_areas: list(
        (areasBy.service.get(s.id) ?? []).filter(
          (a) => !a.serviceAtLocationId || staff || salVisible(sals.get(a.serviceAtLocationId)),
        ),
        (a) =>
          compact({
            id: a.id,
            service_id: a.serviceId,
            service_at_location_id: a.serviceAtLocationId,
            name: a.name,
            description: a.description,
            extent: a.extent,
            extent_type: a.extentType,
            uri: a.uri,
            attributes: attributesOf(a.id),
            metadata: metadataOf(a.id),
          }),
      ),
      languages: languagesOf(languagesBy.service.get(s.id)),
      organization: org ? organizationTop(org) : undefined,
      funding: list(fundingBy.service.get(s.id), (f) =>
        compact({ id: f.id, organization_id: f.organizationId, service_id: f.serviceId, source: f.source }),
      ),
      cost_options: list(costBy.get(s.id), (c) =>
        compact({
          id: c.id,
          service_id: c.serviceId,
          valid_from: c.validFrom,
          valid_to: c.validTo,
          option: c.option,
          currency: c.currency,
          amount: c.amount,
          amount_description: c.amountDescription,
        }),
      ),
      program: programOf(s.programId),
      required_documents: list(docsBy.get(s.id), (d) =>
        compact({ id: d.id, service_id: d.serviceId, document: d.document, uri: d.uri }),
      ),
      contacts: contactsOf(contactsBy.service.get(s.id)),
      attributes: attributesOf(s.id),
      metadata: metadataOf(s.id),
      service_capacity: capacityOf(s.id),
    });
  }

  function salBody(sal: ServiceAtLocationRow): HsdsObject {
    const loc = locations.get(sal.locationId);
    return compact({
      id: sal.id,
      service_id: sal.serviceId,
      location_id: sal.locationId,
      description: text(sal, 'description', sal.description),
      contacts: contactsOf(contactsBy.sal.get(sal.id)),
      phones: phonesOf(phonesBy.sal.get(sal.id)),
      schedules: schedulesOf(schedulesBy.sal.get(sal.id)),
      service_areas: list(areasBy.sal.get(sal.id), (a) =>
        compact({
          id: a.id,
          service_id: a.serviceId,
          name: a.name,
          description: a.description,
          extent: a.extent,
          extent_type: a.extentType,
          uri: a.uri,
        }),
      ),
      location: loc ? presentLocation(loc) : undefined,
      attributes: attributesOf(sal.id),
      metadata: metadataOf(sal.id),
      translations: staff ? sal.translations : undefined,
    });
  }

  function presentService(id: string, options: { minimal?: boolean } = {}): HsdsObject | undefined {
    const s = services.get(id);
    if (!serviceVisible(s)) return undefined;
    if (options.minimal) return serviceTop(s);
    return {
      ...serviceTop(s),
      ...serviceCollections(s),
      service_at_locations: (salsByService.get(s.id) ?? []).filter(salVisible).map(salBody),
    };
  }

  function presentServiceAtLocation(id: string): HsdsObject | undefined {
    const sal = sals.get(id);
    if (!salVisible(sal)) return undefined;
    const s = services.get(sal.serviceId)!;
    return { ...salBody(sal), service: { ...serviceTop(s), ...serviceCollections(s) } };
  }

  function presentOrganization(id: string, options: { fullServices?: boolean } = {}): HsdsObject | undefined {
    const o = orgs.get(id);
    if (!o || (!staff && o.confidential)) return undefined;
    return compact({
      ...organizationTop(o),
      funding: list(fundingBy.organization.get(o.id), (f) =>
        compact({ id: f.id, organization_id: f.organizationId, service_id: f.serviceId, source: f.source }),
      ),
      contacts: contactsOf(contactsBy.organization.get(o.id)),
      phones: phonesOf(
        (phonesBy.organization.get(o.id) ?? []).filter((p) => !p.serviceId && !p.locationId && !p.contactId),
      ),
      locations: (locationsByOrg.get(o.id) ?? []).filter(locationVisible).map(presentLocation),
      programs: list(programsBy.get(o.id), (p) => programOf(p.id) ?? {}),
      organization_identifiers: list(identifiersBy.get(o.id), (i) =>
        compact({
          id: i.id,
          organization_id: i.organizationId,
          identifier_scheme: i.identifierScheme,
          identifier_type: i.identifierType,
          identifier: i.identifier,
        }),
      ),
      attributes: attributesOf(o.id),
      metadata: metadataOf(o.id),
      services: (servicesByOrg.get(o.id) ?? [])
        .filter(serviceVisible)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => (options.fullServices ? presentService(s.id)! : serviceTop(s))),
    });
  }

  return {
    service: presentService,
    serviceAtLocation: presentServiceAtLocation,
    organization: presentOrganization,
    location: (id: string) => {
      const l = locations.get(id);
      return locationVisible(l) ? presentLocation(l) : undefined;
    },
  };
}

export type HsdsPresenter = ReturnType<typeof createHsdsPresenter>;

/** HSDS Page wrapper (openapi.json components.schemas.Page) around one page of contents. */
export function presentPage<T>(contents: T[], total: number, page: number, perPage: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}
