import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
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
} from '../../src/server/db/schema.js';
import {
  POPULATIONS_TAXONOMY,
  refreshSearch,
} from '../../src/server/modules/directory/directory.projection.js';
import type { Db } from '../../src/server/platform/db.js';

export interface DirectoryEntryOptions {
  confidential?: { organization?: boolean; service?: boolean; location?: boolean };
  /** Put into every text field (names, descriptions, address, phone, e-mail, URLs...) to detect leaks. Letters and digits only. */
  canary?: string;
  /** Like `canary`, but only in the service's side (service, its phones, schedules, contacts, ... and its
   *  location unless `locationCanary` is given): for a confidential service of a public organization. */
  serviceCanary?: string;
  /** Like `canary`, but only in the location's side (location, address, its phones, schedules, languages,
   *  accessibility, contacts, service_at_location): for a public service at a confidential location. */
  locationCanary?: string;
  /** ISO 3166-2:CA code of the location's address (default ON). */
  province?: string;
  city?: string;
  postalCode?: string;
  lat?: number;
  lng?: number;
  /** Population codes (taxonomy harbour-populations), attached as service attributes. */
  populations?: string[];
  /** Language codes of the service (default en, fr). */
  languages?: string[];
  /** Base names (a unique "(fictional)" name is generated otherwise). */
  organizationName?: string;
  serviceName?: string;
  /** French text of the organization, service and location (translations.fr). */
  fr?: { organization?: string; service?: string; serviceDescription?: string; location?: string };
  /** false: a service without a location (e.g. a phone line). */
  withLocation?: boolean;
  status?: 'active' | 'inactive' | 'defunct' | 'temporarily closed';
  capacity?: { available: number; maximum?: number };
}

export interface DirectoryEntry {
  organizationId: string;
  programId: string;
  serviceId: string;
  locationId?: string;
  serviceAtLocationId?: string;
  addressId?: string;
  contactId: string;
  phoneIds: string[];
  taxonomyId: string;
  /** The entry's own (fictional) service-type term, and the population terms it links to. */
  serviceTypeTermId: string;
  populationTermIds: string[];
  /** The name the service was given (base text). */
  serviceName: string;
  organizationName: string;
}

async function populationTerm(db: Db, code: string): Promise<string> {
  const [found] = await db
    .select({ id: taxonomyTerm.id })
    .from(taxonomyTerm)
    .where(and(eq(taxonomyTerm.taxonomy, POPULATIONS_TAXONOMY), eq(taxonomyTerm.code, code)))
    .limit(1);
  if (found) return found.id;
  const [row] = await db
    .insert(taxonomyTerm)
    .values({
      code,
      name: `Population ${code} (fictional)`,
      description: `People in the population ${code} (fictional)`,
      taxonomy: POPULATIONS_TAXONOMY,
      language: 'en',
      translations: {
        fr: { name: `Population ${code} (fictive)`, description: `Personnes : ${code} (fictive)` },
      },
    })
    .returning({ id: taxonomyTerm.id });
  return row!.id;
}

/**
 * Inserts one complete, obviously fictional directory entry (organization → program → service → location with
 * address, phones, schedules, languages, areas, funding, costs, documents, contacts, attributes, metadata,
 * capacity) straight through Drizzle, then rebuilds its search rows. Every text field carries `canary` when
 * given, so confidentiality tests can search every output for it.
 */
export async function createDirectoryEntry(
  db: Db,
  options: DirectoryEntryOptions = {},
): Promise<DirectoryEntry> {
  const tag = randomUUID().slice(0, 8);
  const c = options.canary ? ` ${options.canary}` : '';
  const slug = options.canary ?? tag;
  const sc = options.serviceCanary ? ` ${options.serviceCanary}` : c;
  const sslug = options.serviceCanary ?? slug;
  const surl = `https://example.org/${sslug}`;
  const lc = options.locationCanary ? ` ${options.locationCanary}` : sc;
  const lslug = options.locationCanary ?? sslug;
  const conf = options.confidential ?? {};
  const province = options.province ?? 'ON';
  const organizationName = options.organizationName ?? `Harbour Test Org ${tag}${c} (fictional)`;
  const serviceName =
    options.serviceName ??
    `Test Shelter ${tag}${options.serviceCanary ? ` ${options.serviceCanary}` : c} (fictional)`;
  const url = `https://example.org/${slug}`;
  const email = `info.${slug}@example.org`.toLowerCase();

  const [org] = await db
    .insert(organization)
    .values({
      name: organizationName,
      alternateName: `Alt org${c}`,
      description: `A fictional organization${c}`,
      email,
      website: url,
      taxStatus: `registered${c}`,
      legalStatus: `non-profit${c}`,
      uri: url,
      organizationType: 'service_provider',
      jurisdiction: [province],
      confidential: conf.organization ?? false,
      translations: options.fr?.organization ? { fr: { name: options.fr.organization } } : {},
    })
    .returning();
  const organizationId = org!.id;
  const [prog] = await db
    .insert(program)
    .values({ organizationId, name: `Program${c} (fictional)`, description: `Program description${c}` })
    .returning();
  const [svc] = await db
    .insert(service)
    .values({
      organizationId,
      programId: prog!.id,
      name: serviceName,
      alternateName: `Alt service${sc}`,
      description: `Emergency shelter, fictional${sc}`,
      url: surl,
      email: `info.${sslug}@example.org`.toLowerCase(),
      status: options.status ?? 'active',
      interpretationServices: `Interpretation on request${sc}`,
      applicationProcess: `Call the line${sc}`,
      feesDescription: `Free${sc}`,
      waitTime: `None${sc}`,
      fees: `None${sc}`,
      accreditations: `None${sc}`,
      eligibilityDescription: `Women 18+${sc}`,
      minimumAge: 18,
      maximumAge: 99,
      assuredDate: '2026-01-15',
      assurerEmail: `assurer.${sslug}@example.org`.toLowerCase(),
      licenses: `Licence${sc}`,
      alert: `No alert${sc}`,
      intakeNotes: `Ask for the intake worker${sc}`,
      verificationDue: '2026-07-15',
      confidential: conf.service ?? false,
      translations: {
        ...(options.fr?.service || options.fr?.serviceDescription
          ? {
              fr: {
                ...(options.fr.service ? { name: options.fr.service } : {}),
                ...(options.fr.serviceDescription ? { description: options.fr.serviceDescription } : {}),
              },
            }
          : {}),
      },
    })
    .returning();
  const serviceId = svc!.id;

  let locationId: string | undefined;
  let serviceAtLocationId: string | undefined;
  let addressId: string | undefined;
  const phoneIds: string[] = [];
  if (options.withLocation !== false) {
    const [loc] = await db
      .insert(location)
      .values({
        organizationId,
        locationType: 'physical',
        url: `https://example.org/${lslug}`,
        name: `Location${lc} (fictional)`,
        alternateName: `Alt location${lc}`,
        description: `Location description${lc}`,
        transportation: `Bus 12${lc}`,
        latitude: options.lat ?? 45.42,
        longitude: options.lng ?? -75.69,
        externalIdentifier: `ext${lslug}`,
        externalIdentifierType: `test${lc}`,
        confidential: conf.location ?? false,
        translations: options.fr?.location ? { fr: { name: options.fr.location } } : {},
      })
      .returning();
    locationId = loc!.id;
    const [addr] = await db
      .insert(address)
      .values({
        locationId,
        attention: `Attention${lc}`,
        address1: `1 Fictional Street${lc}`,
        address2: `Unit 2${lc}`,
        city: options.city ?? `Testville${lc}`,
        region: `Region${lc}`,
        stateProvince: province,
        postalCode: options.postalCode ?? `K1A 0B1${lc}`,
        country: 'CA',
        addressType: 'physical',
      })
      .returning();
    addressId = addr!.id;
    const [sal] = await db
      .insert(serviceAtLocation)
      .values({ serviceId, locationId, description: `At this location${lc}` })
      .returning();
    serviceAtLocationId = sal!.id;
    const [locPhone] = await db
      .insert(phone)
      .values({ locationId, number: `555-0101${lc}`, type: 'voice', description: `Front desk${lc}` })
      .returning();
    const [salPhone] = await db
      .insert(phone)
      .values({ serviceAtLocationId, serviceId, number: `555-0102${lc}`, description: `Site line${lc}` })
      .returning();
    phoneIds.push(locPhone!.id, salPhone!.id);
    await db.insert(schedule).values([
      {
        locationId,
        byday: 'MO,TU,WE,TH,FR',
        freq: 'WEEKLY',
        opensAt: '09:00',
        closesAt: '17:00',
        description: `Office hours${lc}`,
        timezone: 'America/Toronto',
      },
      {
        serviceAtLocationId,
        serviceId,
        byday: 'SA',
        freq: 'WEEKLY',
        opensAt: '10:00',
        closesAt: '12:00',
        notes: `Saturday${lc}`,
      },
    ]);
    await db.insert(language).values({ locationId, code: 'fr', name: 'French', note: `At the desk${lc}` });
    await db.insert(accessibility).values({
      locationId,
      description: `Ramp${lc}`,
      details: `Side door${lc}`,
      url: `https://example.org/${lslug}`,
    });
    await db
      .insert(contact)
      .values({ locationId, name: `Site contact${lc}`, email: `site.${lslug}@example.org`.toLowerCase() });
    await db.insert(metadata).values({
      resourceId: locationId,
      resourceType: 'location',
      lastActionType: 'update',
      fieldName: 'name',
      previousValue: `Old location${lc}`,
      replacementValue: `Location${lc}`,
      updatedBy: `editor${lc}`,
    });
  }

  const [svcPhone] = await db
    .insert(phone)
    .values({ serviceId, number: `555-0100${sc}`, type: 'voice', description: `Main line${sc}` })
    .returning();
  const [orgPhone] = await db
    .insert(phone)
    .values({ organizationId, number: `555-0199${c}` })
    .returning();
  phoneIds.push(svcPhone!.id, orgPhone!.id);
  await db
    .insert(language)
    .values((options.languages ?? ['en', 'fr']).map((code) => ({ serviceId, code, note: `Spoken${sc}` })));
  await db.insert(schedule).values({
    serviceId,
    byday: 'MO,TU,WE,TH,FR,SA,SU',
    freq: 'WEEKLY',
    opensAt: '00:00',
    closesAt: '23:59',
    description: `Always open${sc}`,
    timezone: 'America/Toronto',
  });
  await db
    .insert(serviceArea)
    .values({ serviceId, name: `Area${sc}`, extent: province, extentType: 'province' });
  await db.insert(funding).values([
    { serviceId, source: `Fictional fund${sc}` },
    { organizationId, source: `Fictional grant${c}` },
  ]);
  await db.insert(costOption).values({
    serviceId,
    option: `Free${sc}`,
    currency: 'CAD',
    amount: 0,
    amountDescription: `No cost${sc}`,
  });
  await db.insert(requiredDocument).values({ serviceId, document: `None${sc}`, uri: surl });
  await db.insert(organizationIdentifier).values({
    organizationId,
    identifierScheme: 'CA-CRA_ACR',
    identifierType: 'charity',
    identifier: `0000${slug}`,
  });
  const [ctc] = await db
    .insert(contact)
    .values({
      serviceId,
      name: `Contact person${sc}`,
      title: `Coordinator${sc}`,
      department: `Intake${sc}`,
      email: `person.${sslug}@example.org`.toLowerCase(),
    })
    .returning();
  await db.insert(phone).values({ contactId: ctc!.id, number: `555-0150${sc}` });
  await db.insert(metadata).values({
    resourceId: serviceId,
    resourceType: 'service',
    lastActionType: 'update',
    fieldName: 'name',
    previousValue: `Old name${sc}`,
    replacementValue: serviceName,
    updatedBy: `editor${sc}`,
  });

  const [tax] = await db
    .insert(taxonomy)
    .values({
      name: `Test service types ${tag} (fictional)`,
      description: 'Fictional service types',
      uri: `https://example.org/taxonomy/${tag}`, // vocabularies are public: no canary here
      version: '1',
    })
    .returning();
  const [typeTerm] = await db
    .insert(taxonomyTerm)
    .values({
      taxonomyId: tax!.id,
      code: `shelter-${tag}`,
      name: `Fictional shelter type ${tag}`,
      description: 'Fictional term',
      taxonomy: `test-${tag}`,
      language: 'en',
      translations: { fr: { name: `Type d’hébergement fictif ${tag}` } },
    })
    .returning();
  const populationTermIds: string[] = [];
  for (const code of options.populations ?? []) populationTermIds.push(await populationTerm(db, code));
  await db.insert(attribute).values([
    {
      linkId: serviceId,
      linkEntity: 'service',
      linkType: 'service',
      taxonomyTermId: typeTerm!.id,
      value: `v${sc}`,
    },
    ...populationTermIds.map((id) => ({ linkId: serviceId, linkEntity: 'service', taxonomyTermId: id })),
  ]);
  if (options.capacity) {
    const [bed] = await db.insert(unit).values({ name: 'bed', scheme: 'harbour' }).returning();
    await db.insert(serviceCapacity).values({
      serviceId,
      unitId: bed!.id,
      available: options.capacity.available,
      maximum: options.capacity.maximum ?? null,
      description: `Beds${sc}`,
    });
  }

  await db.transaction((tx) => refreshSearch(tx, [serviceId]));
  return {
    organizationId,
    programId: prog!.id,
    serviceId,
    ...(locationId ? { locationId } : {}),
    ...(serviceAtLocationId ? { serviceAtLocationId } : {}),
    ...(addressId ? { addressId } : {}),
    contactId: ctc!.id,
    phoneIds,
    taxonomyId: tax!.id,
    serviceTypeTermId: typeTerm!.id,
    populationTermIds,
    serviceName,
    organizationName,
  };
}
