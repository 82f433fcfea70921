import { randomInt, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type {
  EndReason,
  MessageSender,
  SignalChannel,
  SignalEventType,
  SignalLanguage,
  SignalMessageRow,
  SignalRow,
} from '../../db/schema.js';
import { channelDelivery, signalMessage, signal as signalTable } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { BUS_CHANNEL, type BusEvent, publish } from '../../platform/bus.js';
import { decrypt, encrypt, type Keyring, randomToken, sha256 } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import { signalsRepository as repo } from './signals.repository.js';

/**
 * The signal and message store of the live queue (docs/api/live-queue.md, ADR 0005).
 *
 * Service API (for the visitor socket, the report form, and the routing/staff modules):
 *   startChat({language, interpreterLanguage?})          → {signal, token}   a queued chat + its resume token
 *   resumeChat(token)                                     → signal | undefined
 *   createReport(input)                                   → {id, reference}   a queued report (sealed contents)
 *   appendMessage({signalId, sender, clientId, text, authorUserId?, actor?})
 *                                                         → {seq, at, duplicate}  committed when it returns
 *   visitorMessages(signalId, after, limit?)              → TranscriptMessage[]   the visitor's own chat, not audited
 *   readTranscript(actor, signalId, {after?, limit?})     → TranscriptMessage[]   staff read: audited + timeline
 *   readReport(actor, signalId)                           → ReportContents | undefined  staff read: audited
 *   markRead(signalId, who, seq)                          → stored read mark (never lowered)
 *   setTyping(signalId, who, on)                          → bus event only, nothing stored
 *   endSignal(signalId, reason, actor?)                   → ended signal | undefined when it had already ended
 *   quickClose(signalId)                                  → endSignal(…, 'quick_close') + a `quick_closed` event
 *   noteVisitorResumed(signalId), abandonIfGone(signalId, since)   a waiting chat whose visitor left → `abandoned`
 *   getSignal(id), getByReference(reference), timeline(id)
 *   waitingPositions(ids) → Map(id → place in its language queue), availableLanguages() → Set of queue languages
 * And free functions: recordSignalEvent(tx, …) (other modules' transactions), generateReference(),
 * queueLanguage(tag) → {language: en|fr|other, interpreterLanguage}.
 *
 * Visitor writes (chat start, messages, reports) are recorded in the signal's own timeline, not the audit log:
 * the actor is anonymous and the audit chain's lock would serialise every message of every chat. Staff writes
 * (their messages, ending a conversation) and every staff read of a transcript or report are audited.
 */

export const MAX_MESSAGE_CHARS = 4000;
export const MAX_CLIENT_ID_CHARS = 64;
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export interface TranscriptMessage {
  seq: number;
  sender: MessageSender;
  clientId: string;
  authorUserId: string | null;
  text: string;
  at: Date;
}

export interface ReportInput {
  situation: string;
  where?: string | undefined;
  when?: string | undefined;
  /** `en`, `fr`, `other`, or a BCP 47 tag (another language: routed to `other` with an interpreter). */
  language?: string | undefined;
  contact?: { name?: string | undefined; phone?: string | undefined; email?: string | undefined } | undefined;
  safeToContact?:
    | {
        how?: 'phone' | 'sms' | 'email' | 'none' | undefined;
        when?: string | undefined;
        leaveMessage?: boolean | undefined;
      }
    | undefined;
}

export interface ReportContents {
  situation: string;
  where?: string;
  when?: string;
  language?: string;
  contact?: { name?: string; phone?: string; email?: string };
  safeToContact?: { how?: string; when?: string; leaveMessage?: boolean };
}

export interface AppendInput {
  signalId: string;
  sender: MessageSender;
  /** The sender's own id of this message: sending it again returns the first seq, never a second row. */
  clientId: string;
  text: string;
  /** Staff messages: who wrote it (also audited with `actor`). */
  authorUserId?: string | null;
  actor?: Actor;
  /** Longest text accepted (default MAX_MESSAGE_CHARS; e-mail: MAX_EMAIL_CHARS). */
  maxChars?: number;
  /**
   * The caller's own writes (receipts, attachments…) in the message's transaction, after it is inserted with `seq`;
   * not called for a resend (duplicate). Throwing rolls the message back too.
   */
  within?: (tx: Db, seq: number) => Promise<void>;
}

/** Twilio's limit for one SMS / WhatsApp body: a longer reply is refused when written (SMS_TOO_LONG). */
export const SMS_MAX_CHARS = 1600;

/** An e-mail body may be longer than a chat message. */
export const MAX_EMAIL_CHARS = 20_000;
/** Channels whose outgoing (staff, system) messages go through the outbox (docs/api/channels.md). */
export const OUTBOX_CHANNELS: ReadonlySet<SignalChannel> = new Set(['sms', 'whatsapp', 'email']);

/** A contact arriving on a channel (phone, SMS, WhatsApp, e-mail): see `arrive`. */
export interface ArrivalInput {
  channel: SignalChannel;
  language: SignalLanguage;
  interpreterLanguage?: string | null;
  /** `ivr`: a call in its menu (not routable until `enqueue`); `queued`: waits for an advocate at once. */
  state: 'queued' | 'ivr';
  contactHash?: string | null;
  /** The person's number / address (sealed with AAD = the new signal's id). */
  address?: string | null;
  hotlineAddress?: string | null;
  campaign?: string | null;
  windowEndsAt?: Date | null;
  /** The first message (SMS text, e-mail body), stored as seq 1 from the `visitor`. */
  firstMessage?: { clientId: string; text: string; maxChars?: number } | undefined;
  /** Runs in the arrival's transaction after the signal exists (receipts, phone_call row, e-mail thread row…). */
  within?: (tx: Db, row: SignalRow) => Promise<void>;
}

export interface AppendResult {
  seq: number;
  at: Date;
  /** True when this client id was already stored (a resend): nothing was written. */
  duplicate: boolean;
}

export interface SignalsDeps {
  db: Db;
  encryptionKey: Keyring;
  now?: () => Date;
}

/** `HB-XXXX-XXXX` from 32 unambiguous characters (40 random bits): quotable on the phone, no personal data. */
export function generateReference(): string {
  const pick = () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  const part = () => Array.from({ length: 4 }, pick).join('');
  return `HB-${part()}-${part()}`;
}

/** Adds one entry to a signal's timeline in the caller's transaction (other queue modules use it too). */
export async function recordSignalEvent(
  tx: Db,
  signalId: string,
  type: SignalEventType,
  userId?: string | null,
  data?: Record<string, unknown>,
): Promise<void> {
  await repo.insertEvent(tx, { signalId, type, userId: userId ?? null, data: data ?? {} });
}

/** Maps a visitor's language choice to a queue: en, fr, or other (+ the interpreter's language tag). */
export function queueLanguage(value: string | undefined | null): {
  language: SignalLanguage;
  interpreterLanguage: string | null;
} {
  const tag = (value ?? '').trim().toLowerCase();
  if (tag === '' || tag === 'en' || tag.startsWith('en-'))
    return { language: 'en', interpreterLanguage: null };
  if (tag === 'fr' || tag.startsWith('fr-')) return { language: 'fr', interpreterLanguage: null };
  // Keep only a plausible BCP 47 tag; anything else is "other, language unknown".
  const valid = /^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$/.test(tag) ? tag : null;
  return { language: 'other', interpreterLanguage: tag === 'other' ? null : valid };
}

/** Removes NULs and trims; returns undefined for an empty optional text. */
function clean(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const v = value.replaceAll('\u0000', '').trim();
  if (v === '') return undefined;
  return v.length > max ? v.slice(0, max) : v;
}

/** The store's factory; one per app. */
export function createSignalsService(deps: SignalsDeps) {
  const { db, encryptionKey } = deps;
  const now = deps.now ?? (() => new Date());
  const seal = (signalId: string, value: string) => encrypt(encryptionKey, value, signalId);
  const open = (signalId: string, sealed: string) =>
    decrypt(encryptionKey, sealed, signalId).toString('utf8');

  const toTranscript = (m: SignalMessageRow): TranscriptMessage => ({
    seq: m.seq,
    sender: m.sender,
    clientId: m.clientId,
    authorUserId: m.authorUserId,
    text: open(m.signalId, m.bodySealed),
    at: m.createdAt,
  });

  /** Inserts a queued signal with a fresh reference (redrawn on the rare collision), its events and bus event. */
  async function insertQueued(
    channel: SignalChannel,
    values: {
      language: SignalLanguage;
      interpreterLanguage: string | null;
      visitorTokenHash?: string;
      seal?: (id: string) => { reportSealed?: string; contactSealed?: string | null };
    },
  ): Promise<SignalRow> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = randomUUID();
      const sealed = values.seal ? values.seal(id) : {};
      const event: BusEvent = { topic: 'signal', id, state: 'queued' };
      const row = await repo.insertArrival(
        db,
        {
          id,
          reference: generateReference(),
          channel,
          language: values.language,
          interpreterLanguage: values.interpreterLanguage,
          visitorTokenHash: values.visitorTokenHash ?? null,
          reportSealed: sealed.reportSealed ?? null,
          contactSealed: sealed.contactSealed ?? null,
          at: now(),
        },
        BUS_CHANNEL,
        JSON.stringify(event),
      );
      if (row) return row;
    }
    throw new Error('could not draw a free signal reference');
  }

  /**
   * Ends a signal (idempotent: undefined when it had already ended), cancels its pending offer, records the
   * timeline (and the audit log when staff end it) and tells every process.
   */
  async function endSignal(
    signalId: string,
    reason: EndReason,
    actor?: Actor | null,
  ): Promise<SignalRow | undefined> {
    return db.transaction(async (tx) => {
      const at = now();
      const ended = await repo.endSignal(tx, signalId, { endReason: reason, now: at });
      if (!ended) return undefined;
      const cancelled = await repo.cancelPendingOffers(tx, signalId, at);
      for (const o of cancelled) {
        await repo.insertEvent(tx, {
          signalId,
          type: 'offer_cancelled',
          userId: o.userId,
          data: { offer: o.id },
        });
        await publish(tx, { topic: 'offer', id: o.id, user: o.userId, signal: signalId });
      }
      await repo.insertEvent(tx, { signalId, type: 'ended', userId: actor?.id ?? null, data: { reason } });
      if (reason === 'quick_close') await repo.insertEvent(tx, { signalId, type: 'quick_closed' });
      if (actor?.id) {
        await recordAudit(tx, actor, {
          action: 'signal.end',
          targetType: 'signal',
          targetId: signalId,
          details: { reason },
        });
      }
      await publish(tx, { topic: 'signal', id: signalId, state: 'ended' });
      return ended;
    });
  }

  /** Checks a message's text: not empty, not too long. Returns it without NULs. */
  function messageText(raw: string, maxChars = MAX_MESSAGE_CHARS): string {
    const text = raw.replaceAll('\u0000', '');
    if (text.trim() === '') throw new AppError('MESSAGE_EMPTY', 400);
    if ([...text].length > maxChars) throw new AppError('MESSAGE_TOO_LONG', 400);
    return text;
  }

  return {
    /**
     * A contact on another channel arrives (docs/api/channels.md): the signal (sealed address, contact hash,
     * hotline number, campaign), its timeline, an optional first message (seq 1), the caller's own writes
     * (`within`) and the bus events, in ONE transaction. A phone call arrives in `ivr` and is queued by `enqueue`.
     */
    async arrive(input: ArrivalInput): Promise<SignalRow> {
      const first = input.firstMessage
        ? { ...input.firstMessage, text: messageText(input.firstMessage.text, input.firstMessage.maxChars) }
        : undefined;
      for (let attempt = 0; attempt < 8; attempt++) {
        const row = await db.transaction(async (tx) => {
          const id = randomUUID();
          const at = now();
          const queued = input.state === 'queued';
          const [inserted] = await tx
            .insert(signalTable)
            .values({
              id,
              reference: generateReference(),
              channel: input.channel,
              language: input.language,
              interpreterLanguage: input.interpreterLanguage ?? null,
              state: input.state,
              arrivedAt: at,
              queuedAt: queued ? at : null,
              contactHash: input.contactHash ?? null,
              addressSealed: input.address ? seal(id, input.address) : null,
              hotlineAddress: input.hotlineAddress ?? null,
              campaign: input.campaign ?? null,
              windowEndsAt: input.windowEndsAt ?? null,
              lastSeq: first ? 1 : 0,
              createdAt: at,
              updatedAt: at,
            })
            .onConflictDoNothing({ target: signalTable.reference })
            .returning();
          if (!inserted) return undefined;
          await repo.insertEvent(tx, { signalId: id, type: 'arrived', data: { channel: input.channel } });
          if (queued)
            await repo.insertEvent(tx, { signalId: id, type: 'queued', data: { language: input.language } });
          if (first) {
            await tx.insert(signalMessage).values({
              signalId: id,
              seq: 1,
              sender: 'visitor',
              clientId: first.clientId.slice(0, MAX_CLIENT_ID_CHARS),
              bodySealed: seal(id, first.text),
              createdAt: at,
            });
            await publish(tx, { topic: 'message', signal: id, seq: 1, sender: 'visitor' });
          }
          if (input.within) await input.within(tx, inserted);
          await publish(tx, { topic: 'signal', id, state: input.state });
          return inserted;
        });
        if (row) return row;
      }
      throw new Error('could not draw a free signal reference');
    },

    /** A call chose its language in the menu: `ivr` → `queued` (now), routable. Undefined when not in `ivr`. */
    async enqueue(
      signalId: string,
      q: { language: SignalLanguage; interpreterLanguage?: string | null },
      within?: (tx: Db) => Promise<void>,
    ): Promise<SignalRow | undefined> {
      return db.transaction(async (tx) => {
        const at = now();
        const [row] = await tx
          .update(signalTable)
          .set({
            state: 'queued',
            language: q.language,
            interpreterLanguage: q.interpreterLanguage ?? null,
            queuedAt: at,
            updatedAt: at,
          })
          .where(and(eq(signalTable.id, signalId), eq(signalTable.state, 'ivr')))
          .returning();
        if (!row) return undefined;
        await repo.insertEvent(tx, { signalId, type: 'queued', data: { language: q.language } });
        if (within) await within(tx);
        await publish(tx, { topic: 'signal', id: signalId, state: 'queued' });
        return row;
      });
    },

    /** A visitor opens a chat: a queued signal, and the token (only its hash is stored) that resumes it. */
    async startChat(input: {
      language: string;
      interpreterLanguage?: string | null;
    }): Promise<{ signal: SignalRow; token: string }> {
      const token = randomToken();
      const q = queueLanguage(input.language);
      const row = await insertQueued('chat', {
        language: q.language,
        interpreterLanguage: input.interpreterLanguage ?? q.interpreterLanguage,
        visitorTokenHash: sha256(token),
      });
      return { signal: row, token };
    },

    /** The chat a resume token belongs to (any state: an ended chat still resumes read-only). */
    async resumeChat(token: string): Promise<SignalRow | undefined> {
      if (typeof token !== 'string' || token.length < 20 || token.length > 100) return undefined;
      return repo.findByTokenHash(db, sha256(token));
    },

    /** The online report form: a queued `report` signal; text and contact details sealed, nothing echoed. */
    async createReport(input: ReportInput): Promise<{ id: string; reference: string }> {
      const situation = clean(input.situation, 10_000);
      if (!situation) throw new AppError('REPORT_INVALID', 400);
      const report: ReportContents = { situation };
      const where = clean(input.where, 500);
      const when = clean(input.when, 500);
      const language = clean(input.language, 35);
      if (where) report.where = where;
      if (when) report.when = when;
      if (language) report.language = language;
      const contact: NonNullable<ReportContents['contact']> = {};
      const name = clean(input.contact?.name, 200);
      const phone = clean(input.contact?.phone, 40);
      const email = clean(input.contact?.email, 254);
      if (name) contact.name = name;
      if (phone) contact.phone = phone;
      if (email) contact.email = email;
      const safe: NonNullable<ReportContents['safeToContact']> = {};
      if (input.safeToContact?.how) safe.how = input.safeToContact.how;
      const safeWhen = clean(input.safeToContact?.when, 500);
      if (safeWhen) safe.when = safeWhen;
      if (input.safeToContact?.leaveMessage !== undefined)
        safe.leaveMessage = input.safeToContact.leaveMessage;
      const hasContact = Object.keys(contact).length > 0 || Object.keys(safe).length > 0;
      const q = queueLanguage(language);
      const row = await insertQueued('report', {
        ...q,
        seal: (id) => ({
          reportSealed: seal(id, JSON.stringify(report)),
          contactSealed: hasContact ? seal(id, JSON.stringify({ contact, safeToContact: safe })) : null,
        }),
      });
      return { id: row.id, reference: row.reference };
    },

    /**
     * Appends one message, idempotently by (signal, sender, clientId), with the next seq of the signal, sealed,
     * and publishes it on the bus — all in one transaction. When this returns, the message is committed: only
     * then may a socket acknowledge it. A resend of a stored client id returns the first seq (even after the
     * chat ended); a new message to an ended signal is refused with SIGNAL_ENDED.
     */
    async appendMessage(input: AppendInput): Promise<AppendResult> {
      const text = messageText(input.text, input.maxChars);
      if (!input.clientId || input.clientId.length > MAX_CLIENT_ID_CHARS)
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'id' });
      return db.transaction(async (tx) => {
        // Two statements: lock + look up the client id, then insert + advance last_seq + notify.
        const locked = await repo.lockForAppend(tx, input.signalId, input.sender, input.clientId);
        if (!locked) throw notFound();
        if (locked.existingSeq !== null)
          return { seq: locked.existingSeq, at: locked.existingAt ?? now(), duplicate: true };
        if (locked.state === 'ended') throw new AppError('SIGNAL_ENDED', 409);
        const at = now();
        const outgoing = input.sender !== 'visitor' && OUTBOX_CHANNELS.has(locked.channel);
        if (
          outgoing &&
          input.sender === 'staff' &&
          locked.channel === 'whatsapp' &&
          (!locked.windowEndsAt || locked.windowEndsAt.getTime() <= at.getTime())
        )
          throw new AppError('WHATSAPP_WINDOW_CLOSED', 409);
        if (
          outgoing &&
          (locked.channel === 'sms' || locked.channel === 'whatsapp') &&
          text.length > SMS_MAX_CHARS
        )
          throw new AppError('SMS_TOO_LONG', 400, { max: SMS_MAX_CHARS });
        const seq = locked.lastSeq + 1;
        const event: BusEvent = { topic: 'message', signal: input.signalId, seq, sender: input.sender };
        const inserted = await repo.insertMessageAdvance(
          tx,
          {
            signalId: input.signalId,
            seq,
            sender: input.sender,
            authorUserId: input.authorUserId ?? null,
            clientId: input.clientId,
            bodySealed: seal(input.signalId, text),
            at,
          },
          BUS_CHANNEL,
          JSON.stringify(event),
        );
        if (!inserted) {
          // A concurrent resend of the same client id committed first: answer with its seq.
          const first = await repo.findMessageByClientId(tx, input.signalId, input.sender, input.clientId);
          if (!first) throw new Error('message neither inserted nor found');
          return { seq: first.seq, at: first.createdAt, duplicate: true };
        }
        if (input.within) await input.within(tx, seq);
        if (outgoing) {
          // The outbox (docs/api/channels.md): sent by the delivery worker after this commits.
          await tx.insert(channelDelivery).values({ signalId: input.signalId, seq, nextAttemptAt: at });
          await publish(tx, { topic: 'outbox', signal: input.signalId });
        }
        if (input.sender === 'staff' && input.actor) {
          await recordAudit(tx, input.actor, {
            action: 'signal.message',
            targetType: 'signal',
            targetId: input.signalId,
            details: { seq },
          });
        }
        return { seq, at, duplicate: false };
      });
    },

    /** The visitor's own conversation after `after` (resume, live delivery). Not audited: it is theirs. */
    async visitorMessages(signalId: string, after: number, limit = 500): Promise<TranscriptMessage[]> {
      const rows = await repo.messagesAfter(db, signalId, Math.max(0, after), limit);
      return rows.map(toTranscript);
    },

    /** A staff member reads a transcript (all of it, or after a seq): audited and on the timeline. */
    async readTranscript(
      actor: Actor,
      signalId: string,
      options: { after?: number; limit?: number } = {},
    ): Promise<TranscriptMessage[]> {
      return db.transaction(async (tx) => {
        const found = await repo.findSignal(tx, signalId);
        if (!found) throw notFound();
        const rows = await repo.messagesAfter(
          tx,
          signalId,
          Math.max(0, options.after ?? 0),
          options.limit ?? 5000,
        );
        await recordAudit(tx, actor, {
          action: 'signal.transcript_read',
          targetType: 'signal',
          targetId: signalId,
          details: { after: options.after ?? 0, count: rows.length },
        });
        await repo.insertEvent(tx, {
          signalId,
          type: 'transcript_read',
          userId: actor.id,
          data: { after: options.after ?? 0, count: rows.length },
        });
        return rows.map(toTranscript);
      });
    },

    /** A staff member reads a report's contents and contact choices: audited and on the timeline. */
    async readReport(actor: Actor, signalId: string): Promise<ReportContents | undefined> {
      return db.transaction(async (tx) => {
        const found = await repo.findSignal(tx, signalId);
        if (!found) throw notFound();
        if (!found.reportSealed) return undefined;
        await recordAudit(tx, actor, {
          action: 'signal.report_read',
          targetType: 'signal',
          targetId: signalId,
        });
        await repo.insertEvent(tx, {
          signalId,
          type: 'transcript_read',
          userId: actor.id,
          data: { report: true },
        });
        const contents = JSON.parse(open(signalId, found.reportSealed)) as ReportContents;
        if (found.contactSealed) {
          const extra = JSON.parse(open(signalId, found.contactSealed)) as Pick<
            ReportContents,
            'contact' | 'safeToContact'
          >;
          if (extra.contact && Object.keys(extra.contact).length > 0) contents.contact = extra.contact;
          if (extra.safeToContact && Object.keys(extra.safeToContact).length > 0)
            contents.safeToContact = extra.safeToContact;
        }
        return contents;
      });
    },

    /** Raises the visitor's or the staff's read mark and tells the other side; returns the stored mark. */
    async markRead(signalId: string, who: 'visitor' | 'staff', seq: number): Promise<number | undefined> {
      if (!Number.isInteger(seq) || seq < 0) throw new AppError('VALIDATION_FAILED', 400, { fields: 'seq' });
      return db.transaction(async (tx) => {
        const stored = await repo.raiseRead(tx, signalId, who, seq);
        if (stored !== undefined) await publish(tx, { topic: 'read', signal: signalId, who, seq: stored });
        return stored;
      });
    },

    /** Typing indicators travel on the bus only: nothing is stored. */
    async setTyping(signalId: string, who: 'visitor' | 'staff', on: boolean): Promise<void> {
      await publish(db, { topic: 'typing', signal: signalId, who, on });
    },

    endSignal,

    /** A visitor came back to a chat (on any process): recorded so a pending abandonment check sees it. */
    async noteVisitorResumed(signalId: string): Promise<void> {
      await repo.insertEvent(db, { signalId, type: 'visitor_resumed' });
    },

    /**
     * A waiting chat whose visitor left at `since` and has neither resumed nor written since is ended as
     * `abandoned` (unanswered). Chats already answered are left to the advocate. True when it ended it.
     */
    async abandonIfGone(signalId: string, since: Date): Promise<boolean> {
      const row = await repo.findSignal(db, signalId);
      if (!row || (row.state !== 'queued' && row.state !== 'offered')) return false;
      if (await repo.visitorSeenSince(db, signalId, since)) return false;
      return Boolean(await endSignal(signalId, 'abandoned'));
    },

    /** The visitor's Quick exit: the conversation ends at once and is marked `quick_close`. */
    async quickClose(signalId: string): Promise<SignalRow | undefined> {
      return endSignal(signalId, 'quick_close');
    },

    async getSignal(id: string): Promise<SignalRow | undefined> {
      return repo.findSignal(db, id);
    },

    async getByReference(reference: string): Promise<SignalRow | undefined> {
      return repo.findByReference(db, reference);
    },

    /** The signal's timeline, oldest first (never message text). */
    async timeline(id: string) {
      return repo.events(db, id);
    },

    /** Queue position (1 = next) of waiting signals, in one statement. */
    async waitingPositions(ids: string[]): Promise<Map<string, number>> {
      return repo.waitingPositions(db, ids);
    },

    /** Queue languages with at least one advocate available now (the visitor's "unavailable" status). */
    async availableLanguages(): Promise<Set<SignalLanguage>> {
      return repo.availableLanguages(db);
    },
  };
}

export type SignalsService = ReturnType<typeof createSignalsService>;
