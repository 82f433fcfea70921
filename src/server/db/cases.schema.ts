import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  CASE_STATUSES,
  ESCALATION_KINDS,
  ESCALATION_STATUSES,
  PERSON_ROLES,
  PLACE_EVENT_TYPES,
  REFERRAL_STATUSES,
  TASK_KINDS,
} from '../../shared/cases.js';
import { organization, service } from './directory.schema.js';
import { signal } from './queue.schema.js';
import { users } from './schema.js';

/**
 * Screening and case management (issue 6, docs/api/cases.md, ADR 0007). Migration 0009_cases.
 *
 * Conventions:
 * - Coded answers hold a code from src/shared/cases.ts, or `declined` / `unknown`; null (or an empty list) = not
 *   asked. A list holds one marker alone or only codes (checked by the service).
 * - Personal data and free text are only stored sealed (`*_sealed`: AES-256-GCM, AAD = the row's id; see
 *   platform/crypto.ts). Retention redaction sets them to null and stamps `redacted_at`; coded fields stay.
 * - `version` is the optimistic-concurrency counter (If-Match); every update bumps it.
 * - case_event.data and audit details never hold personal data: ids, codes, counts, field names.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(','));

/** Teams of staff; a case can be restricted to one. */
export const team = pgTable(
  'team',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('team_name_key').on(sql`lower(${t.name})`)],
);

export const teamMember = pgTable(
  'team_member',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => team.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addedAt: ts('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index('team_member_user_idx').on(t.userId)],
);

/** The screening of one signal: safety first, then classification and needs; the safety plan sealed. */
export const screening = pgTable(
  'screening',
  {
    signalId: uuid('signal_id')
      .primaryKey()
      .references(() => signal.id, { onDelete: 'cascade' }),
    /** SAFETY code, declined or unknown. */
    safety: text('safety'),
    /** CLASSIFICATIONS code (required once the screening is complete). */
    classification: text('classification'),
    /** NEEDS codes, or [declined] / [unknown]; empty = not assessed. */
    needs: text('needs').array().notNull().default(sql`'{}'::text[]`),
    /**
     * Sealed JSON safety plan (AAD = signal id): safe contacts, code word, safe times (+ time zone), safe numbers,
     * whether the contact number is safe, voicemail allowed. See docs/api/cases.md "Safety plan".
     */
    safetyPlanSealed: text('safety_plan_sealed'),
    /** When the emergency-services prompt was shown (immediate danger). */
    emergencyPromptedAt: ts('emergency_prompted_at'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('screening_classification_idx').on(t.classification),
    index('screening_updated_idx').on(t.updatedAt),
  ],
);

/** One trafficking situation. (`case` is an SQL keyword, hence `case_file`.) */
export const caseFile = pgTable(
  'case_file',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `HC-XXXX-XXXX`, random, no personal data. */
    reference: text('reference').notNull(),
    status: text('status').notNull().default('active'),
    /** Short title for lists; may name people, so sealed (AAD = case id). */
    titleSealed: text('title_sealed'),
    /** Staff-chosen, non-personal tags (e.g. "nail salon", "trucking"): the keyword search runs over these. */
    keywords: text('keywords').array().notNull().default(sql`'{}'::text[]`),
    /** Main province/territory (REGIONS), from intake or places; searchable. */
    region: text('region'),
    /** Lower-cased, unaccented reference + keywords + coded labels, maintained by the service; trigram-indexed. */
    searchText: text('search_text').notNull().default(''),
    /** Null = anyone with a case role; otherwise the team's members, or a break-glass grant. */
    restrictedTeamId: uuid('restricted_team_id').references(() => team.id, { onDelete: 'set null' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** True when any potential victim is (or may be) a minor: child protection becomes mandatory. */
    involvesMinor: boolean('involves_minor').notNull().default(false),
    closedAt: ts('closed_at'),
    closeReason: text('close_reason'),
    /** Why the case closed with a mandatory protocol still pending (sealed, AAD = case id). */
    protocolWaiverSealed: text('protocol_waiver_sealed'),
    mergedIntoId: uuid('merged_into_id'),
    lastActivityAt: ts('last_activity_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    uniqueIndex('case_file_reference_key').on(t.reference),
    index('case_file_status_activity_idx').on(t.status, t.lastActivityAt),
    index('case_file_created_idx').on(t.createdAt),
    index('case_file_region_idx').on(t.region, t.createdAt),
    index('case_file_restricted_idx').on(t.restrictedTeamId).where(sql`${t.restrictedTeamId} is not null`),
    index('case_file_search_trgm').using('gin', sql`${t.searchText} gin_trgm_ops`),
    index('case_file_keywords_idx').using('gin', t.keywords),
    index('case_file_retention_idx')
      .on(t.closedAt)
      .where(sql`${t.redactedAt} is null and ${t.closedAt} is not null`),
    check('case_file_status_check', sql`${t.status} in (${inList(CASE_STATUSES)})`),
  ],
);

/** Signals of a case (a signal belongs to at most one case). */
export const caseSignal = pgTable(
  'case_signal',
  {
    signalId: uuid('signal_id')
      .primaryKey()
      .references(() => signal.id, { onDelete: 'cascade' }),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    attachedBy: uuid('attached_by').references(() => users.id, { onDelete: 'set null' }),
    attachedAt: ts('attached_at').notNull().defaultNow(),
  },
  (t) => [index('case_signal_case_idx').on(t.caseId, t.attachedAt)],
);

/** People in a case, with HTCDS-aligned coded fields. Name and contact sealed (AAD = person id). */
export const casePerson = pgTable(
  'case_person',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    /** Sealed JSON `{name?, alias?, contact?}`. */
    identitySealed: text('identity_sealed'),
    gender: text('gender'),
    /** Exact age in years, when given. */
    age: integer('age'),
    /** AGE_BANDS code or a marker (derived from `age` when given). */
    ageBand: text('age_band'),
    /** ISO 3166-1 alpha-2 codes or a marker. */
    citizenship: text('citizenship').array().notNull().default(sql`'{}'::text[]`),
    /** ISO 639-1 / BCP 47 language tags or a marker. */
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    relationshipToExploiter: text('relationship_to_exploiter'),
    exploitationTypes: text('exploitation_types').array().notNull().default(sql`'{}'::text[]`),
    /** POLARIS_TYPES code or a marker. */
    venue: text('venue'),
    /** ISIC_SECTIONS letter or a marker. */
    industry: text('industry'),
    meansOfControl: text('means_of_control').array().notNull().default(sql`'{}'::text[]`),
    recruitment: text('recruitment').array().notNull().default(sql`'{}'::text[]`),
    indicators: text('indicators').array().notNull().default(sql`'{}'::text[]`),
    /** Derived: a potential victim or survivor under 18 (age or band). */
    isMinor: boolean('is_minor').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('case_person_case_idx').on(t.caseId),
    check('case_person_role_check', sql`${t.role} in (${inList(PERSON_ROLES)})`),
    check('case_person_age_check', sql`${t.age} is null or ${t.age} between 0 and 120`),
  ],
);

/** HTCDS historic trafficking events: where and when recruitment, transit or exploitation happened. */
export const casePlaceEvent = pgTable(
  'case_place_event',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    personId: uuid('person_id').references(() => casePerson.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    /** REGIONS code or a marker. */
    region: text('region'),
    /** City name from the places reference (not personal), or a marker. */
    city: text('city'),
    /** ISO 3166-1 alpha-2 (CA by default) or a marker. */
    country: text('country'),
    occurredFrom: date('occurred_from', { mode: 'string' }),
    occurredTo: date('occurred_to', { mode: 'string' }),
    /** `declined` / `unknown` when no date is given for that reason. */
    dateMarker: text('date_marker'),
    /** Sealed free text (AAD = event id). */
    descriptionSealed: text('description_sealed'),
    createdAt: ts('created_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('case_place_event_case_idx').on(t.caseId),
    index('case_place_event_place_idx').on(t.region, t.city),
    /** The case search's `city` filter (case-insensitive). */
    index('case_place_event_city_idx').on(sql`lower(${t.city})`, t.caseId),
    check('case_place_event_type_check', sql`${t.type} in (${inList(PLACE_EVENT_TYPES)})`),
  ],
);

/** Free-text notes, append-only; the text sealed (AAD = note id) and only ever rendered as text. */
export const caseNote = pgTable(
  'case_note',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    bodySealed: text('body_sealed'),
    createdAt: ts('created_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [index('case_note_case_idx').on(t.caseId, t.createdAt)],
);

/** Tasks, call-backs (inside the safety plan's safe times, on a safe number) and referral follow-ups. */
export const caseTask = pgTable(
  'case_task',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** Sealed (AAD = task id): may mention people. */
    titleSealed: text('title_sealed'),
    dueAt: ts('due_at').notNull(),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    /** Call-back: the signal whose screening holds the safety plan (and whose number may be called). */
    signalId: uuid('signal_id').references(() => signal.id, { onDelete: 'set null' }),
    /** Call-back: `contact` (the number they used) or `safe:<n>` (the plan's n-th safe number). */
    callNumberRef: text('call_number_ref'),
    voicemailAllowed: boolean('voicemail_allowed'),
    referralId: uuid('referral_id'),
    doneAt: ts('done_at'),
    doneBy: uuid('done_by').references(() => users.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('case_task_case_idx').on(t.caseId, t.dueAt),
    index('case_task_open_idx').on(t.assigneeId, t.dueAt).where(sql`${t.doneAt} is null`),
    check('case_task_kind_check', sql`${t.kind} in (${inList(TASK_KINDS)})`),
  ],
);

/** A referral to a directory service, with consent (or a supervisor override) and its outcome. */
export const referral = pgTable(
  'referral',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    personId: uuid('person_id').references(() => casePerson.id, { onDelete: 'set null' }),
    need: text('need').notNull(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organization.id, { onDelete: 'restrict' }),
    serviceId: uuid('service_id').references(() => service.id, { onDelete: 'set null' }),
    status: text('status').notNull().default('proposed'),
    /** verbal / written, or null when overridden. */
    consentKind: text('consent_kind'),
    consentAt: ts('consent_at'),
    consentRecordedBy: uuid('consent_recorded_by').references(() => users.id, { onDelete: 'set null' }),
    /** REFERRAL_SHARE_FIELDS the person agreed may be shared. */
    sharedFields: text('shared_fields').array().notNull().default(sql`'{}'::text[]`),
    /** Sealed JSON (AAD = referral id): `{agreed}` what was agreed in the person's words, and the shared values. */
    consentSealed: text('consent_sealed'),
    sharedSealed: text('shared_sealed'),
    overrideBy: uuid('override_by').references(() => users.id, { onDelete: 'set null' }),
    overrideAt: ts('override_at'),
    overrideReasonSealed: text('override_reason_sealed'),
    sentAt: ts('sent_at'),
    respondedAt: ts('responded_at'),
    respondedBy: uuid('responded_by').references(() => users.id, { onDelete: 'set null' }),
    outcomeAt: ts('outcome_at'),
    outcomeBy: uuid('outcome_by').references(() => users.id, { onDelete: 'set null' }),
    /** Partner's or advocate's note on the response / outcome (sealed, AAD = referral id). */
    outcomeNoteSealed: text('outcome_note_sealed'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('referral_case_idx').on(t.caseId),
    index('referral_partner_idx').on(t.organizationId, t.status, t.sentAt),
    index('referral_need_idx').on(t.createdAt, t.need),
    check('referral_status_check', sql`${t.status} in (${inList(REFERRAL_STATUSES)})`),
  ],
);

/** Configurable escalation checklists, one per kind (seeded by the migration). */
export const protocol = pgTable(
  'protocol',
  {
    kind: text('kind').primaryKey(),
    version: integer('version').notNull().default(1),
    /** `[{key, en, fr, required}]`. */
    steps: jsonb('steps').$type<{ key: string; en: string; fr: string; required: boolean }[]>().notNull(),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('protocol_kind_check', sql`${t.kind} in (${inList(ESCALATION_KINDS)})`)],
);

/** An escalation to police, child protection or emergency services, following its protocol. */
export const escalation = pgTable(
  'escalation',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** The agency, from the directory (chosen by jurisdiction); null for 911. */
    organizationId: uuid('organization_id').references(() => organization.id, { onDelete: 'set null' }),
    status: text('status').notNull().default('open'),
    /** Protocol snapshot when the escalation started: `{version, steps:[{key,en,fr,required}]}`. */
    protocolSnapshot: jsonb('protocol_snapshot').$type<Record<string, unknown>>().notNull(),
    /** `{[stepKey]: {doneAt, doneBy}}`. */
    stepsDone: jsonb('steps_done')
      .$type<Record<string, { doneAt: string; doneBy: string }>>()
      .notNull()
      .default({}),
    consentGiven: boolean('consent_given').notNull().default(false),
    /** OVERRIDE_REASONS code when going ahead without consent. */
    overrideReason: text('override_reason'),
    overrideNoteSealed: text('override_note_sealed'),
    approvalRequired: boolean('approval_required').notNull().default(false),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    approvedAt: ts('approved_at'),
    /** The agency's file / occurrence number (not personal). */
    agencyReference: text('agency_reference'),
    outcome: text('outcome'),
    outcomeNoteSealed: text('outcome_note_sealed'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    madeAt: ts('made_at'),
    completedAt: ts('completed_at'),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    redactedAt: ts('redacted_at'),
  },
  (t) => [
    index('escalation_case_idx').on(t.caseId),
    index('escalation_pending_idx')
      .on(t.status)
      .where(sql`${t.status} in ('open','awaiting_approval','made')`),
    check('escalation_kind_check', sql`${t.kind} in (${inList(ESCALATION_KINDS)})`),
    check('escalation_status_check', sql`${t.status} in (${inList(ESCALATION_STATUSES)})`),
  ],
);

/** Break-glass: someone outside a restricted case's team opened it, with a reason; valid for a few hours. */
export const caseAccessGrant = pgTable(
  'case_access_grant',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    /** Sealed free-text explanation (AAD = grant id). */
    noteSealed: text('note_sealed'),
    grantedAt: ts('granted_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    reviewedBy: uuid('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: ts('reviewed_at'),
  },
  (t) => [
    index('case_access_grant_user_idx').on(t.userId, t.caseId, t.expiresAt),
    index('case_access_grant_review_idx').on(t.grantedAt).where(sql`${t.reviewedAt} is null`),
  ],
);

/** The case timeline; `data` holds ids and codes, never personal data or text. */
export const caseEvent = pgTable(
  'case_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseFile.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    at: ts('at').notNull().defaultNow(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('case_event_case_idx').on(t.caseId, t.at, t.id)],
);

export type TeamRow = typeof team.$inferSelect;
export type ScreeningRow = typeof screening.$inferSelect;
export type CaseRow = typeof caseFile.$inferSelect;
export type CasePersonRow = typeof casePerson.$inferSelect;
export type CasePlaceEventRow = typeof casePlaceEvent.$inferSelect;
export type CaseNoteRow = typeof caseNote.$inferSelect;
export type CaseTaskRow = typeof caseTask.$inferSelect;
export type ReferralRow = typeof referral.$inferSelect;
export type ProtocolRow = typeof protocol.$inferSelect;
export type EscalationRow = typeof escalation.$inferSelect;
export type CaseAccessGrantRow = typeof caseAccessGrant.$inferSelect;
export type CaseEventRow = typeof caseEvent.$inferSelect;
