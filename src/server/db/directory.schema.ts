import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The National Referral Directory, as Open Referral HSDS 3.0 tables (same table and column names as the
 * HSDS tabular datapackage, so CSV import/export is a straight mapping) plus the Harbour profile:
 * `confidential`, `translations`, organization type and jurisdiction, HSDS 3.1 `service_capacity`,
 * verification, partner proposals and status surveys. See docs/directory/harbour-profile.md.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** earthdistance's `earth` (a cube): the projection stores ll_to_earth(lat, lng) for GiST radius search. */
const earth = customType<{ data: string; driverData: string }>({ dataType: () => 'cube' });
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/** `{ "fr": { "name": "...", "description": "..." }, "en": {...} }` — text fields in other languages. */
export type Translations = Record<string, Record<string, string>>;

const profile = {
  /** Harbour profile: never leaves the staff side when true. */
  confidential: boolean('confidential').notNull().default(false),
  translations: jsonb('translations').$type<Translations>().notNull().default({}),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
};

export const ORGANIZATION_TYPES = [
  'service_provider',
  'law_enforcement',
  'child_protection',
  'government',
  'other',
] as const;

export const organization = pgTable(
  'organization',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    alternateName: text('alternate_name'),
    description: text('description'),
    email: text('email'),
    website: text('website'),
    taxStatus: text('tax_status'),
    taxId: text('tax_id'),
    yearIncorporated: integer('year_incorporated'),
    legalStatus: text('legal_status'),
    logo: text('logo'),
    uri: text('uri'),
    parentOrganizationId: uuid('parent_organization_id'),
    /** Harbour profile: service provider, law-enforcement agency, child-protection service, government, other. */
    organizationType: text('organization_type').notNull().default('service_provider'),
    /** Harbour profile: provinces/territories (ISO 3166-2:CA codes, e.g. ON) whose territory it covers. */
    jurisdiction: text('jurisdiction').array().notNull().default(sql`'{}'::text[]`),
    /** Fictional demo data; production refuses to start with it. */
    isDemo: boolean('is_demo').notNull().default(false),
    ...profile,
  },
  (t) => [
    check(
      'organization_type_check',
      sql`${t.organizationType} in ('service_provider','law_enforcement','child_protection','government','other')`,
    ),
    index('organization_name_trgm').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
  ],
);

export const program = pgTable('program', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id')
    .notNull()
    .references(() => organization.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  alternateName: text('alternate_name'),
  description: text('description'),
});

export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;

export const service = pgTable(
  'service',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organization.id, { onDelete: 'cascade' }),
    programId: uuid('program_id').references(() => program.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    alternateName: text('alternate_name'),
    description: text('description'),
    url: text('url'),
    email: text('email'),
    status: text('status').notNull().default('active'),
    interpretationServices: text('interpretation_services'),
    applicationProcess: text('application_process'),
    feesDescription: text('fees_description'),
    waitTime: text('wait_time'),
    fees: text('fees'),
    accreditations: text('accreditations'),
    eligibilityDescription: text('eligibility_description'),
    minimumAge: numeric('minimum_age', { mode: 'number' }),
    maximumAge: numeric('maximum_age', { mode: 'number' }),
    /** HSDS: when the record was last verified, and by whom. */
    assuredDate: date('assured_date', { mode: 'string' }),
    assurerEmail: text('assurer_email'),
    licenses: text('licenses'),
    alert: text('alert'),
    lastModified: ts('last_modified').notNull().defaultNow(),
    /** Harbour profile: staff user who assured it, and when the next verification is due. */
    assuredBy: uuid('assured_by'),
    verificationDue: date('verification_due', { mode: 'string' }),
    /** Harbour profile: what an advocate needs to refer (how intake works, who to ask for). Staff only. */
    intakeNotes: text('intake_notes'),
    ...profile,
  },
  (t) => [
    index('service_org_idx').on(t.organizationId),
    index('service_verification_due_idx').on(t.verificationDue),
    index('service_last_modified_idx').on(t.lastModified),
    check('service_status_check', sql`${t.status} in ('active','inactive','defunct','temporarily closed')`),
  ],
);

export const location = pgTable(
  'location',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationType: text('location_type').notNull().default('physical'),
    url: text('url'),
    organizationId: uuid('organization_id').references(() => organization.id, { onDelete: 'cascade' }),
    name: text('name'),
    alternateName: text('alternate_name'),
    description: text('description'),
    transportation: text('transportation'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    externalIdentifier: text('external_identifier'),
    externalIdentifierType: text('external_identifier_type'),
    ...profile,
  },
  (t) => [
    index('location_org_idx').on(t.organizationId),
    check('location_type_check', sql`${t.locationType} in ('physical','postal','virtual')`),
  ],
);

export const serviceAtLocation = pgTable(
  'service_at_location',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => service.id, { onDelete: 'cascade' }),
    locationId: uuid('location_id')
      .notNull()
      .references(() => location.id, { onDelete: 'cascade' }),
    description: text('description'),
    translations: jsonb('translations').$type<Translations>().notNull().default({}),
  },
  (t) => [index('sal_service_idx').on(t.serviceId), index('sal_location_idx').on(t.locationId)],
);

export const address = pgTable(
  'address',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: uuid('location_id')
      .notNull()
      .references(() => location.id, { onDelete: 'cascade' }),
    attention: text('attention'),
    address1: text('address_1').notNull(),
    address2: text('address_2'),
    city: text('city').notNull(),
    region: text('region'),
    stateProvince: text('state_province').notNull(),
    postalCode: text('postal_code').notNull(),
    country: text('country').notNull(),
    addressType: text('address_type').notNull().default('physical'),
  },
  (t) => [index('address_location_idx').on(t.locationId)],
);

export const contact = pgTable('contact', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').references(() => organization.id, { onDelete: 'cascade' }),
  serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
  serviceAtLocationId: uuid('service_at_location_id').references(() => serviceAtLocation.id, {
    onDelete: 'cascade',
  }),
  locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
  name: text('name'),
  title: text('title'),
  department: text('department'),
  email: text('email'),
});

export const phone = pgTable(
  'phone',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id').references(() => organization.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contact.id, { onDelete: 'cascade' }),
    serviceAtLocationId: uuid('service_at_location_id').references(() => serviceAtLocation.id, {
      onDelete: 'cascade',
    }),
    number: text('number').notNull(),
    extension: numeric('extension', { mode: 'number' }),
    type: text('type'),
    description: text('description'),
  },
  (t) => [
    index('phone_service_idx').on(t.serviceId),
    index('phone_location_idx').on(t.locationId),
    index('phone_organization_idx').on(t.organizationId),
    index('phone_sal_idx').on(t.serviceAtLocationId),
  ],
);

/** Opening hours as HSDS/RFC 5545 rules. `timezone` holds a named zone (America/Toronto), never an offset. */
export const schedule = pgTable(
  'schedule',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
    locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
    serviceAtLocationId: uuid('service_at_location_id').references(() => serviceAtLocation.id, {
      onDelete: 'cascade',
    }),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
    dtstart: date('dtstart', { mode: 'string' }),
    timezone: text('timezone'),
    until: date('until', { mode: 'string' }),
    count: integer('count'),
    wkst: text('wkst'),
    freq: text('freq'),
    interval: integer('interval'),
    byday: text('byday'),
    byweekno: text('byweekno'),
    bymonthday: text('bymonthday'),
    byyearday: text('byyearday'),
    description: text('description'),
    opensAt: text('opens_at'),
    closesAt: text('closes_at'),
    scheduleLink: text('schedule_link'),
    attendingType: text('attending_type'),
    notes: text('notes'),
  },
  (t) => [
    index('schedule_service_idx').on(t.serviceId),
    index('schedule_location_idx').on(t.locationId),
    index('schedule_sal_idx').on(t.serviceAtLocationId),
  ],
);

export const language = pgTable(
  'language',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
    locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
    phoneId: uuid('phone_id').references(() => phone.id, { onDelete: 'cascade' }),
    name: text('name'),
    /** ISO 639 code (en, fr, iu, cr, ...). */
    code: text('code'),
    note: text('note'),
  },
  (t) => [
    index('language_service_idx').on(t.serviceId),
    index('language_location_idx').on(t.locationId),
    index('language_phone_idx').on(t.phoneId),
  ],
);

export const funding = pgTable('funding', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').references(() => organization.id, { onDelete: 'cascade' }),
  serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
  source: text('source'),
});

export const serviceArea = pgTable(
  'service_area',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
    serviceAtLocationId: uuid('service_at_location_id').references(() => serviceAtLocation.id, {
      onDelete: 'cascade',
    }),
    name: text('name'),
    description: text('description'),
    extent: text('extent'),
    extentType: text('extent_type'),
    uri: text('uri'),
  },
  (t) => [index('service_area_service_idx').on(t.serviceId)],
);

export const requiredDocument = pgTable('required_document', {
  id: uuid('id').primaryKey().defaultRandom(),
  serviceId: uuid('service_id').references(() => service.id, { onDelete: 'cascade' }),
  document: text('document'),
  uri: text('uri'),
});

export const accessibility = pgTable('accessibility', {
  id: uuid('id').primaryKey().defaultRandom(),
  locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
  description: text('description'),
  details: text('details'),
  url: text('url'),
});

export const costOption = pgTable('cost_option', {
  id: uuid('id').primaryKey().defaultRandom(),
  serviceId: uuid('service_id')
    .notNull()
    .references(() => service.id, { onDelete: 'cascade' }),
  validFrom: date('valid_from', { mode: 'string' }),
  validTo: date('valid_to', { mode: 'string' }),
  option: text('option'),
  currency: text('currency'),
  amount: numeric('amount', { mode: 'number' }),
  amountDescription: text('amount_description'),
});

export const organizationIdentifier = pgTable('organization_identifier', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id')
    .notNull()
    .references(() => organization.id, { onDelete: 'cascade' }),
  identifierScheme: text('identifier_scheme'),
  identifierType: text('identifier_type').notNull(),
  identifier: text('identifier').notNull(),
});

export const taxonomy = pgTable('taxonomy', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  uri: text('uri'),
  version: text('version'),
});

export const taxonomyTerm = pgTable(
  'taxonomy_term',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code'),
    name: text('name').notNull(),
    description: text('description').notNull(),
    parentId: uuid('parent_id'),
    taxonomy: text('taxonomy'),
    language: text('language'),
    taxonomyId: uuid('taxonomy_id').references(() => taxonomy.id, { onDelete: 'cascade' }),
    termUri: text('term_uri'),
    /** Harbour profile: labels and descriptions in other languages. */
    translations: jsonb('translations').$type<Translations>().notNull().default({}),
  },
  (t) => [
    index('taxonomy_term_taxonomy_idx').on(t.taxonomyId),
    uniqueIndex('taxonomy_term_code_key').on(t.taxonomyId, t.code),
    index('taxonomy_term_taxonomy_code_idx').on(t.taxonomy, t.code),
  ],
);

/** HSDS attribute: links any record to a taxonomy term (populations served, service types, ...). */
export const attribute = pgTable(
  'attribute',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    linkId: uuid('link_id').notNull(),
    taxonomyTermId: uuid('taxonomy_term_id')
      .notNull()
      .references(() => taxonomyTerm.id, { onDelete: 'cascade' }),
    linkType: text('link_type'),
    linkEntity: text('link_entity').notNull(),
    value: text('value'),
    label: text('label'),
  },
  (t) => [
    index('attribute_link_idx').on(t.linkEntity, t.linkId),
    index('attribute_term_idx').on(t.taxonomyTermId),
  ],
);

/** HSDS `metadata`: the change history of every edit (one row per changed field). */
export const metadata = pgTable(
  'metadata',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    resourceId: uuid('resource_id').notNull(),
    resourceType: text('resource_type').notNull(),
    lastActionDate: ts('last_action_date').notNull().defaultNow(),
    lastActionType: text('last_action_type').notNull(),
    fieldName: text('field_name').notNull(),
    previousValue: text('previous_value').notNull(),
    replacementValue: text('replacement_value').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [index('metadata_resource_idx').on(t.resourceType, t.resourceId, t.lastActionDate)],
);

/** HSDS 3.1 `unit` and `service_capacity` (e.g. beds available). */
export const unit = pgTable('unit', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  scheme: text('scheme'),
  identifier: text('identifier'),
  uri: text('uri'),
  translations: jsonb('translations').$type<Translations>().notNull().default({}),
});

export const serviceCapacity = pgTable(
  'service_capacity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => service.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => unit.id),
    available: numeric('available', { mode: 'number' }).notNull(),
    maximum: numeric('maximum', { mode: 'number' }),
    description: text('description'),
    updated: ts('updated').notNull().defaultNow(),
  },
  (t) => [index('service_capacity_service_idx').on(t.serviceId)],
);

/**
 * Search projection: one row per service and location (or per service without a location), rebuilt by the
 * directory service in the same transaction as every edit. Keeps what search filters and ranks on.
 */
export const directorySearch = pgTable(
  'directory_search',
  {
    /** service_at_location id, or the service id for a service without a location. */
    id: uuid('id').primaryKey(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => service.id, { onDelete: 'cascade' }),
    locationId: uuid('location_id').references(() => location.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organization.id, { onDelete: 'cascade' }),
    /** unaccented, lower-cased names, descriptions and term labels in every language. */
    document: text('document').notNull(),
    /**
     * What the advocate's search reads through one GIN index (see search.repository.ts): the document's words
     * (a confidential location's own words prefixed `x:`, staff only) and filter keys prefixed `~`
     * (`~p:` population, `~t:` service type, `~g:` language, `~v:` province, `~cap`, `~c1:`/`~c5:` 1° and 5°
     * grid cells of the coordinates), so text + filters + place intersect inside the index.
     */
    terms: tsvector('terms').notNull().default(sql`''::tsvector`),
    populations: text('populations').array().notNull().default(sql`'{}'::text[]`),
    serviceTypes: text('service_types').array().notNull().default(sql`'{}'::text[]`),
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    /** ISO 3166-2:CA province codes the service is in or serves. */
    provinces: text('provinces').array().notNull().default(sql`'{}'::text[]`),
    city: text('city'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    earth: earth('earth'),
    organizationType: text('organization_type').notNull(),
    status: text('status').notNull(),
    /** Public output never includes a row where this is true. */
    confidential: boolean('confidential').notNull(),
    /** The location alone is confidential: region searchable by staff, address/coordinates never public. */
    locationConfidential: boolean('location_confidential').notNull(),
    hasCapacity: boolean('has_capacity').notNull().default(false),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('directory_search_document_trgm').using('gin', sql`${t.document} gin_trgm_ops`),
    index('directory_search_earth').using('gist', t.earth),
    index('directory_search_terms').using('gin', t.terms),
    index('directory_search_populations').using('gin', t.populations),
    index('directory_search_types').using('gin', t.serviceTypes),
    index('directory_search_languages').using('gin', t.languages),
    index('directory_search_provinces').using('gin', t.provinces),
    index('directory_search_service_idx').on(t.serviceId),
  ],
);

/** Canadian places for "near a city or town" and FSA (postal-code prefix) centroids. */
export const place = pgTable(
  'place',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** unaccented lower-case name for lookup. */
    key: text('key').notNull(),
    province: text('province').notNull(),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    population: integer('population'),
  },
  (t) => [
    check('place_kind_check', sql`${t.kind} in ('city','fsa')`),
    index('place_key_idx').on(t.kind, t.key),
    index('place_key_trgm').using('gin', sql`${t.key} gin_trgm_ops`),
  ],
);

/** Changes proposed by a partner organisation's staff to its own listing; they wait for review. */
export const changeProposal = pgTable(
  'change_proposal',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organization.id, { onDelete: 'cascade' }),
    resourceType: text('resource_type').notNull(),
    resourceId: uuid('resource_id').notNull(),
    changes: jsonb('changes').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    proposedBy: uuid('proposed_by'),
    proposedAt: ts('proposed_at').notNull().defaultNow(),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: ts('reviewed_at'),
    reviewNote: text('review_note'),
  },
  (t) => [
    index('change_proposal_status_idx').on(t.status, t.proposedAt),
    check('change_proposal_status_check', sql`${t.status} in ('pending','approved','rejected')`),
  ],
);

/** Bulk status surveys: every active partner gets a unique link to confirm or correct its listing. */
export const statusSurvey = pgTable('status_survey', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  message: text('message').notNull(),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  closesAt: ts('closes_at').notNull(),
});

export const statusSurveyRecipient = pgTable(
  'status_survey_recipient',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => statusSurvey.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organization.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    sentAt: ts('sent_at'),
    sendError: text('send_error'),
    respondedAt: ts('responded_at'),
    response: jsonb('response').$type<Record<string, unknown>>(),
  },
  (t) => [index('status_survey_recipient_survey_idx').on(t.surveyId)],
);
