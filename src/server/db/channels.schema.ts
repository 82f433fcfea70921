import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { signal } from './queue.schema.js';
import { users } from './schema.js';

/**
 * Channels (issue 5, docs/api/channels.md, ADR 0006): phone, SMS, WhatsApp and e-mail into the live queue.
 * Migration 0008_channels. Columns added to `signal` live in queue.schema.ts (contact_hash, address_sealed,
 * hotline_address, campaign, window_ends_at).
 *
 * Exported names:
 *   tables:    channelReceipt, phoneCall, callParty, voiceEndpoint, channelDelivery, attachment, emailMessage
 *   constants: CALL_PARTY_KINDS, CALL_PARTY_STATUSES, VOICE_MODES, DELIVERY_STATUSES, ATTACHMENT_STATES
 *   types:     …Row for each table, and the constants' element types
 *
 * Nothing personal is stored in clear: addresses, file names, subjects and bytes are sealed (AES-256-GCM).
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(','));

/** A webhook or mail is processed once: its handler inserts the receipt in the transaction of its effect. */
export const channelReceipt = pgTable(
  'channel_receipt',
  {
    provider: text('provider').notNull(),
    key: text('key').notNull(),
    signalId: uuid('signal_id').references(() => signal.id, { onDelete: 'cascade' }),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.key] }), index('channel_receipt_signal_idx').on(t.signalId)],
);

/** The caller's leg of a phone signal. The conference is named `harbour-<signal id>`. */
export const phoneCall = pgTable(
  'phone_call',
  {
    signalId: uuid('signal_id')
      .primaryKey()
      .references(() => signal.id, { onDelete: 'cascade' }),
    callSid: text('call_sid').notNull(),
    conferenceSid: text('conference_sid'),
    /** Twilio's CallStatus, last seen. */
    status: text('status').notNull().default('ringing'),
    menuDigit: text('menu_digit'),
    onHold: boolean('on_hold').notNull().default(false),
    advocateMuted: boolean('advocate_muted').notNull().default(false),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('phone_call_sid_key').on(t.callSid)],
);

export const CALL_PARTY_KINDS = ['advocate', 'interpreter'] as const;
export type CallPartyKind = (typeof CALL_PARTY_KINDS)[number];
export const CALL_PARTY_STATUSES = ['dialing', 'joined', 'left', 'failed'] as const;
export type CallPartyStatus = (typeof CALL_PARTY_STATUSES)[number];

/** Other legs of a call: the advocate's, an interpreter's. Who, which language and how long. */
export const callParty = pgTable(
  'call_party',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<CallPartyKind>().notNull(),
    /** The advocate on this leg, or who added the interpreter. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Interpreter: BCP 47 tag of the language interpreted. */
    language: text('language'),
    callSid: text('call_sid'),
    status: text('status').$type<CallPartyStatus>().notNull().default('dialing'),
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('call_party_sid_key').on(t.callSid),
    index('call_party_signal_idx').on(t.signalId, t.createdAt),
    check('call_party_kind_check', sql`${t.kind} in (${inList(CALL_PARTY_KINDS)})`),
    check('call_party_status_check', sql`${t.status} in (${inList(CALL_PARTY_STATUSES)})`),
  ],
);

export const VOICE_MODES = ['browser', 'forward'] as const;
export type VoiceMode = (typeof VOICE_MODES)[number];

/** How a staff member answers calls: in the browser (Voice SDK) or on a forwarded number (sealed, AAD = user id). */
export const voiceEndpoint = pgTable(
  'voice_endpoint',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    mode: text('mode').$type<VoiceMode>().notNull().default('browser'),
    forwardNumberSealed: text('forward_number_sealed'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('voice_endpoint_mode_check', sql`${t.mode} in (${inList(VOICE_MODES)})`)],
);

/** pending → sending → sent → delivered → read; failed and undelivered are final. */
export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The outbox: one row per outgoing staff/system message on sms, whatsapp, email. */
export const channelDelivery = pgTable(
  'channel_delivery',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    /** Twilio's MessageSid, or our own Message-ID (without <>). */
    providerId: text('provider_id'),
    errorCode: text('error_code'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('channel_delivery_seq_key').on(t.signalId, t.seq),
    uniqueIndex('channel_delivery_provider_key').on(t.providerId),
    index('channel_delivery_due_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending','sending')`),
    check('channel_delivery_status_check', sql`${t.status} in (${inList(DELIVERY_STATUSES)})`),
  ],
);

export const ATTACHMENT_STATES = ['stored', 'refused_type', 'refused_size', 'failed'] as const;
export type AttachmentState = (typeof ATTACHMENT_STATES)[number];

/** A file that came with a message (MMS/WhatsApp media, e-mail attachment). Bytes sealed; never served inline. */
export const attachment = pgTable(
  'attachment',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    seq: integer('seq'),
    contentType: text('content_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256'),
    filenameSealed: text('filename_sealed'),
    /** AES-256-GCM of the bytes, AAD = `<signal id>:<attachment id>`; null when refused. */
    dataSealed: text('data_sealed'),
    state: text('state').$type<AttachmentState>().notNull().default('stored'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('attachment_signal_idx').on(t.signalId, t.seq),
    check('attachment_state_check', sql`${t.state} in (${inList(ATTACHMENT_STATES)})`),
  ],
);

/** E-mail threading: every Message-ID we received or sent, and its conversation. */
export const emailMessage = pgTable(
  'email_message',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    signalId: uuid('signal_id')
      .notNull()
      .references(() => signal.id, { onDelete: 'cascade' }),
    /** Without the angle brackets. */
    messageId: text('message_id').notNull(),
    direction: text('direction').$type<'in' | 'out'>().notNull(),
    seq: integer('seq'),
    subjectSealed: text('subject_sealed'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_message_id_key').on(t.messageId),
    index('email_message_signal_idx').on(t.signalId, t.createdAt),
    check('email_message_direction_check', sql`${t.direction} in ('in','out')`),
  ],
);

export type ChannelReceiptRow = typeof channelReceipt.$inferSelect;
export type PhoneCallRow = typeof phoneCall.$inferSelect;
export type CallPartyRow = typeof callParty.$inferSelect;
export type VoiceEndpointRow = typeof voiceEndpoint.$inferSelect;
export type ChannelDeliveryRow = typeof channelDelivery.$inferSelect;
export type AttachmentRow = typeof attachment.$inferSelect;
export type EmailMessageRow = typeof emailMessage.$inferSelect;
