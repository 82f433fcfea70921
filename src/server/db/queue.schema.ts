import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './schema.js';

/**
 * The live queue (issue 4, docs/api/live-queue.md, ADR 0005). Migration 0007_queue.
 *
 * Exported names:
 *   tables:    signal, signalMessage, signalEvent, offer, presence, cannedResponse
 *   constants: SIGNAL_CHANNELS, SIGNAL_LANGUAGES, SIGNAL_STATES, END_REASONS, MESSAGE_SENDERS,
 *              SIGNAL_EVENT_TYPES, OFFER_OUTCOMES, PRESENCE_STATUSES
 *   types:     SignalChannel, SignalLanguage, SignalState, EndReason, MessageSender, SignalEventType,
 *              OfferOutcome, PresenceStatus, SignalRow, SignalMessageRow, SignalEventRow, OfferRow,
 *              PresenceRow, CannedResponseRow
 *
 * Times are never typed in: wait = answered_at − queued_at, handle = ended_at − answered_at,
 * unanswered = ended without answered_at. Message text and report contents are only stored sealed
 * (AES-256-GCM with HARBOUR_ENCRYPTION_KEY, AAD = signal id). canned_response is seeded by the migration.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const SIGNAL_CHANNELS = ['chat', 'report', 'phone', 'sms', 'whatsapp', 'email'] as const;
export type SignalChannel = (typeof SIGNAL_CHANNELS)[number];
/** The queues: `other` is answered by advocates who take `other`, with an interpreter. */
export const SIGNAL_LANGUAGES = ['en', 'fr', 'other'] as const;
export type SignalLanguage = (typeof SIGNAL_LANGUAGES)[number];
/**
 * queued → offered → active → ended (a report: queued → active (being reviewed) → ended). A phone call starts in
 * `ivr` (greeting and menu: not routable, no queued_at) and is queued once the caller chose a language.
 */
export const SIGNAL_STATES = ['ivr', 'queued', 'offered', 'active', 'ended'] as const;
export type SignalState = (typeof SIGNAL_STATES)[number];
export const END_REASONS = [
  'completed',
  'visitor_left',
  'quick_close',
  'abandoned',
  'transferred',
  'reviewed',
  'spam',
  /** Closed hours or nobody available: the person got the emergency message (issue 5). Counted as unanswered. */
  'unavailable',
] as const;
export type EndReason = (typeof END_REASONS)[number];
export const MESSAGE_SENDERS = ['visitor', 'staff', 'system'] as const;
export type MessageSender = (typeof MESSAGE_SENDERS)[number];
export const SIGNAL_EVENT_TYPES = [
  'arrived',
  'queued',
  'offered',
  'offer_declined',
  'offer_timeout',
  'offer_cancelled',
  'accepted',
  'transferred',
  'ended',
  'wrapped_up',
  'quick_closed',
  'transcript_read',
  'visitor_resumed',
  // Channels (issue 5, docs/api/channels.md)
  'menu_choice',
  'call_status',
  'call_hold',
  'call_mute',
  'interpreter_added',
  'interpreter_left',
  'contact_revealed',
  'delivery',
  'attachment_read',
  'follow_up',
] as const;
export type SignalEventType = (typeof SIGNAL_EVENT_TYPES)[number];
export const OFFER_OUTCOMES = ['accepted', 'declined', 'timeout', 'cancelled'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];
export const PRESENCE_STATUSES = ['available', 'busy', 'break', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(','));

/** One contact on any channel. */
export const signal = pgTable(
  'signal',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `HB-XXXX-XXXX`, random, no personal data: what the person may quote later. */
    reference: text('reference').notNull(),
    channel: text('channel').$type<SignalChannel>().notNull(),
    language: text('language').$type<SignalLanguage>().notNull(),
    /** BCP 47 tag of the interpreter needed (language = other), or null. */
    interpreterLanguage: text('interpreter_language'),
    state: text('state').$type<SignalState>().notNull().default('queued'),
    arrivedAt: ts('arrived_at').notNull().defaultNow(),
    queuedAt: ts('queued_at'),
    firstOfferedAt: ts('first_offered_at'),
    answeredAt: ts('answered_at'),
    endedAt: ts('ended_at'),
    endReason: text('end_reason').$type<EndReason>(),
    /** The advocate (or supervisor) holding the conversation / the review. */
    assignedUserId: uuid('assigned_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** When set, only staff with this role are offered the signal (a transfer to "any supervisor"). */
    wantedRole: text('wanted_role'),
    /** SHA-256 of the visitor's resume token (chat only). */
    visitorTokenHash: text('visitor_token_hash'),
    /** Last message sequence number; the next message gets last_seq + 1 in the same transaction. */
    lastSeq: integer('last_seq').notNull().default(0),
    visitorReadSeq: integer('visitor_read_seq').notNull().default(0),
    staffReadSeq: integer('staff_read_seq').notNull().default(0),
    // Wrap-up, recorded by the advocate.
    callerType: text('caller_type'),
    /** Province/territory code (ISO 3166-2:CA without the country, e.g. ON). */
    region: text('region'),
    heardAbout: text('heard_about'),
    wrapUpLanguage: text('wrap_up_language'),
    wrappedUpAt: ts('wrapped_up_at'),
    wrappedUpBy: uuid('wrapped_up_by').references(() => users.id, { onDelete: 'set null' }),
    /** Sealed JSON `{contact?, safe_to_contact?}` of a report (AAD = signal id). */
    contactSealed: text('contact_sealed'),
    /** Sealed JSON `{situation, where?, when?, language?}` of a report (AAD = signal id). */
    reportSealed: text('report_sealed'),
    // Channels (issue 5, docs/api/channels.md)
    /** HMAC-SHA256 of the normalised phone number / e-mail address: recognises a repeat contact, never shown. */
    contactHash: text('contact_hash'),
    /** The number / address itself, sealed (AAD = signal id); only through the audited reveal. */
    addressSealed: text('address_sealed'),
    /** The hotline's own number / address the person contacted (not personal) and its campaign label. */
    hotlineAddress: text('hotline_address'),
    campaign: text('campaign'),
    /** WhatsApp: replies are allowed until 24 h after the last inbound message. */
    windowEndsAt: ts('window_ends_at'),
    /**
     * When retention redacted its personal data (report, contact, address, message texts, e-mail subjects,
     * attachments, safety plan): with its case, or on its own for a signal in no case (docs/privacy.md).
     */
    redactedAt: ts('redacted_at'),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('signal_reference_key').on(t.reference),
    /** Retention: ended signals not yet redacted, oldest first. */
    index('signal_retention_idx')
      .on(t.endedAt)
      .where(sql`${t.redactedAt} is null and ${t.endedAt} is not null`),
    uniqueIndex('signal_visitor_token_key').on(t.visitorTokenHash),
    /** The waiting queues, oldest first. */
    index('signal_waiting_idx').on(t.language, t.queuedAt).where(sql`${t.state} in ('queued','offered')`),
    index('signal_assigned_idx').on(t.assignedUserId).where(sql`${t.state} = 'active'`),
    index('signal_arrived_idx').on(t.arrivedAt),
    index('signal_contact_hash_idx').on(t.contactHash, t.arrivedAt).where(sql`${t.contactHash} is not null`),
    check('signal_channel_check', sql`${t.channel} in (${inList(SIGNAL_CHANNELS)})`),
    check('signal_language_check', sql`${t.language} in (${inList(SIGNAL_LANGUAGES)})`),
    check('signal_state_check', sql`${t.state} in (${inList(SIGNAL_STATES)})`),
    check(
      'signal_end_reason_check',
      sql`${t.endReason} is null or ${t.endReason} in (${inList(END_REASONS)})`,
    ),
  ],
);

/** One chat message; the text only sealed. */
export const signalMessage = pgTable(
  'signal_message',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    /** 1, 2, … per signal, from signal.last_seq in the writer's transaction. */
    seq: integer('seq').notNull(),
    sender: text('sender').$type<MessageSender>().notNull(),
    authorUserId: uuid('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The sender's own id: a resent message is recognised by (signal_id, sender, client_id). */
    clientId: text('client_id').notNull(),
    /** AES-256-GCM of the text, AAD = signal id. */
    bodySealed: text('body_sealed').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('signal_message_seq_key').on(t.signalId, t.seq),
    uniqueIndex('signal_message_client_key').on(t.signalId, t.sender, t.clientId),
    check('signal_message_sender_check', sql`${t.sender} in (${inList(MESSAGE_SENDERS)})`),
  ],
);

/** The signal's timeline. `data` is small and never holds message text or personal data. */
export const signalEvent = pgTable(
  'signal_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    type: text('type').$type<SignalEventType>().notNull(),
    at: ts('at').notNull().defaultNow(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('signal_event_signal_idx').on(t.signalId, t.at),
    check('signal_event_type_check', sql`${t.type} in (${inList(SIGNAL_EVENT_TYPES)})`),
  ],
);

/** An offer of a signal to one staff member; at most one pending (outcome null) per signal. */
export const offer = pgTable(
  'offer',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    offeredAt: ts('offered_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    outcome: text('outcome').$type<OfferOutcome>(),
    respondedAt: ts('responded_at'),
  },
  (t) => [
    uniqueIndex('offer_pending_signal_key').on(t.signalId).where(sql`${t.outcome} is null`),
    index('offer_pending_expiry_idx').on(t.expiresAt).where(sql`${t.outcome} is null`),
    index('offer_user_idx').on(t.userId, t.offeredAt),
    check('offer_outcome_check', sql`${t.outcome} is null or ${t.outcome} in (${inList(OFFER_OUTCOMES)})`),
  ],
);

/** One row per staff member taking signals. */
export const presence = pgTable(
  'presence',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status').$type<PresenceStatus>().notNull().default('offline'),
    /** Which queues they take: en, fr, other. */
    languages: text('languages').array().$type<SignalLanguage[]>().notNull().default(sql`'{}'::text[]`),
    maxChats: integer('max_chats').notNull().default(3),
    /** Last time a signal was assigned to them: "longest idle first" orders by this (nulls first). */
    lastAssignedAt: ts('last_assigned_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    heartbeatAt: ts('heartbeat_at').notNull().defaultNow(),
  },
  (t) => [
    index('presence_status_idx').on(t.status),
    check('presence_status_check', sql`${t.status} in (${inList(PRESENCE_STATUSES)})`),
    check('presence_max_chats_check', sql`${t.maxChats} between 1 and 20`),
  ],
);

/** Bilingual snippets for advocates. */
export const cannedResponse = pgTable(
  'canned_response',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    titleEn: text('title_en').notNull(),
    titleFr: text('title_fr').notNull(),
    bodyEn: text('body_en').notNull(),
    bodyFr: text('body_fr').notNull(),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('canned_response_key').on(t.key)],
);

export type SignalRow = typeof signal.$inferSelect;
export type SignalMessageRow = typeof signalMessage.$inferSelect;
export type SignalEventRow = typeof signalEvent.$inferSelect;
export type OfferRow = typeof offer.$inferSelect;
export type PresenceRow = typeof presence.$inferSelect;
export type CannedResponseRow = typeof cannedResponse.$inferSelect;
