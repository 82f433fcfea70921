import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import {
  type AttachmentState,
  channelDelivery,
  channelReceipt,
  type DeliveryStatus,
  type SignalLanguage,
  type SignalRow,
  signal,
} from '../../db/schema.js';
import { publish } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { MAX_MESSAGE_CHARS, recordSignalEvent } from '../queue/signals.service.js';
import {
  ALLOWED_ATTACHMENT_TYPES,
  baseContentType,
  MAX_ATTACHMENT_BYTES,
  storeAttachment,
} from './attachments.js';
import type { ChannelsDeps } from './channels.module.js';
import { contactHash, contactHashes, normalizeAddress } from './contact.js';
import { claimReceipt } from './twilio.js';

/**
 * SMS and WhatsApp in (docs/api/channels.md, "SMS and WhatsApp"): Twilio's signed webhooks become messages of a
 * signal in the live queue, and its status callbacks move the outbox's deliveries forward.
 *
 * Inbound: an open signal of the same channel and contact hash gets the message (client id = MessageSid, so a
 * retried webhook is stored once); else a new queued signal with a short bilingual acknowledgement (or, when
 * nobody takes that queue now, the "nobody can answer right now" text with the emergency number) sent through
 * the outbox. Media come only from TWILIO_API_BASE_URL's origin (anything else is never fetched), ≤ 5 MB, allowed
 * types; kept sealed, then deleted at Twilio. The receipt `sms:<MessageSid>` is written with the message's
 * attachments and window update, so a retry after everything is done is a no-op.
 *
 * Nothing personal leaves this module in logs, errors or bus events (ids and codes only).
 */

/** Twilio message SIDs (SMS: SM…, MMS: MM…; WhatsApp uses SM…). */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/i;
/** Twilio sends at most 10 media per message. */
const MAX_MEDIA = 10;
const MEDIA_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;
/** How long a status callback waits for its MessageSid to be recorded by the outbox. */
const UNKNOWN_SID_WAIT_MS = 2000;
/** WhatsApp's customer-care window: replies allowed for 24 h after the person's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/*
 * The automatic texts. Short (SMS segments), no personal data, and written in the GSM-7 alphabet (no ç, ê, â,
 * î, ô, û, ë, ï, curly quotes) so that each 153/160-character segment is not cut to 67/70 (UCS-2).
 */
export const AUTO_TEXTS = {
  ack: {
    en: 'We got your message. Someone from our team will reply here soon. In danger now? Call {emergency}.',
    fr: 'Votre message est bien arrivé. Une personne de notre équipe vous répondra ici sous peu. En danger? Faites le {emergency}.',
  },
  unavailable: {
    en: 'We got your message, but no one can answer right now. We have kept it and will reply as soon as we can. In danger now? Call {emergency}.',
    fr: 'Votre message est bien arrivé, mais personne ne peut répondre pour le moment. Nous le gardons et vous répondrons dès que possible. En danger? Faites le {emergency}.',
  },
  mediaRefused: {
    en: 'We could not receive a file you sent (type or size not accepted). Please describe it in a message.',
    fr: "Nous n'avons pas pu recevoir un fichier (type ou taille non accepté). Décrivez-le dans un message, svp.",
  },
} as const;

/** Both languages, the person's own first. */
export function autoText(kind: keyof typeof AUTO_TEXTS, language: SignalLanguage, emergency: string): string {
  const t = AUTO_TEXTS[kind];
  const pair = language === 'fr' ? [t.fr, t.en] : [t.en, t.fr];
  return pair.map((s) => s.replace('{emergency}', emergency)).join(' / ');
}

/** GSM 03.38 basic alphabet + extension table (the characters an SMS sends in 7 bits). */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€',
);
/** SMS segments a text takes (GSM-7: 160 / 153 per part; else UCS-2: 70 / 67). */
export function smsSegments(text: string): { gsm7: boolean; segments: number } {
  const chars = [...text];
  const gsm7 = chars.every((c) => GSM7.has(c));
  const units = gsm7
    ? chars.reduce((n, c) => n + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0)
    : text.length; /* UTF-16 code units */
  const [single, part] = gsm7 ? [160, 153] : [70, 67];
  return { gsm7, segments: units <= single ? 1 : Math.ceil(units / part) };
}

const FRENCH_CUES = new Set([
  'fr',
  'francais',
  'bonjour',
  'bonsoir',
  'allo',
  'salut',
  'aidez',
  'svp',
  'merci',
  'je',
  'jai',
  'oui',
]);
/** `fr` when one of the first words is a French cue ("Bonjour", "FR", "français", "allô"…), else undefined. */
/**
 * Twilio's opt-out keywords (and their French forms). Twilio itself blocks every later message to a number that sent
 * one, so an automatic reply would only fail (21610): the message is stored for the advocate, no reply is sent.
 */
const OPT_OUT = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'arret', 'arreter']);

export function isOptOut(text: string): boolean {
  const word = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  return OPT_OUT.has(word);
}

export function frenchCue(text: string): boolean {
  const words = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)
    .slice(0, 4);
  return words.some((w) => FRENCH_CUES.has(w));
}

interface MediaItem {
  url: string;
  contentType: string;
}

interface FetchedMedia {
  contentType: string;
  bytes?: Buffer;
  sizeBytes?: number;
  state?: AttachmentState;
  /** Set for media on Twilio's origin: deleted there once stored. */
  deleteUrl?: string;
}

export type InboundOutcome =
  | { kind: 'empty' }
  | { kind: 'duplicate' }
  | { kind: 'stored'; signalId: string; seq: number; created: boolean };

class RetryAsContinuation extends Error {}
class AlreadyProcessed extends Error {}

const clip = (s: string, max: number) => {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
};

/** Twilio's MessageStatus → our delivery status (undefined: not about an outgoing message). */
export function deliveryStatusOf(twilioStatus: string): DeliveryStatus | undefined {
  switch (twilioStatus) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'sending';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'partially_delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
    case 'canceled':
      return 'failed';
    case 'undelivered':
      return 'undelivered';
    default:
      return undefined;
  }
}

const RANK: Record<DeliveryStatus, number> = {
  pending: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  undelivered: 5,
};
const FINAL = new Set<DeliveryStatus>(['failed', 'undelivered']);

/** Statuses only move forward; failed/undelivered are final and only follow a message not yet delivered. */
export function movesForward(current: DeliveryStatus, next: DeliveryStatus): boolean {
  if (FINAL.has(current)) return false;
  if (FINAL.has(next)) return RANK[current] <= RANK.sent;
  return RANK[next] > RANK[current];
}

export function createMessagingService(deps: ChannelsDeps & { now?: () => Date }) {
  const { db, signals, config, log } = deps;
  const key = config.encryptionKey;
  const now = deps.now ?? (() => new Date());
  const emergency = config.emergencyNumber ?? '911';

  const twilioAuth = () => {
    const cfg = config.twilio;
    return cfg ? `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}` : undefined;
  };
  const twilioOrigin = () => {
    try {
      return config.twilio ? new URL(config.twilio.apiBaseUrl).origin : undefined;
    } catch {
      return undefined;
    }
  };

  async function receiptExists(receiptKey: string): Promise<boolean> {
    const rows = await db
      .select({ key: channelReceipt.key })
      .from(channelReceipt)
      .where(and(eq(channelReceipt.provider, 'twilio'), eq(channelReceipt.key, receiptKey)))
      .limit(1);
    return rows.length > 0;
  }

  /** `hashes`: the address's hash under every key of the ring (a key rotation may be under way). */
  async function findOpen(channel: 'sms' | 'whatsapp', hashes: string[]): Promise<SignalRow | undefined> {
    const [row] = await db
      .select()
      .from(signal)
      .where(and(eq(signal.channel, channel), inArray(signal.contactHash, hashes), ne(signal.state, 'ended')))
      .orderBy(desc(signal.arrivedAt))
      .limit(1);
    return row;
  }

  /** Reads at most MAX_ATTACHMENT_BYTES + 1 bytes; more → refused_size without keeping anything. */
  async function readLimited(res: Response): Promise<FetchedMedia | Buffer> {
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_ATTACHMENT_BYTES) {
      await res.body?.cancel().catch(() => {});
      return { contentType: '', state: 'refused_size', sizeBytes: declared };
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const reader = res.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_ATTACHMENT_BYTES) {
        await reader.cancel().catch(() => {});
        return { contentType: '', state: 'refused_size', sizeBytes: total };
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
  }

  /**
   * One medium: never fetched unless it is on Twilio's origin (SSRF) and of an allowed type. Fetched with the
   * account's credentials (only sent to that origin), 10 s in all, reading stops past 5 MB. Redirects (Twilio
   * sends media from its CDN) are followed by hand: https only, credentials dropped off Twilio's origin.
   */
  async function fetchMedia(item: MediaItem): Promise<FetchedMedia> {
    const contentType = baseContentType(item.contentType);
    const origin = twilioOrigin();
    let url: URL;
    try {
      url = new URL(item.url);
    } catch {
      return { contentType, state: 'failed', sizeBytes: 0 };
    }
    if (!origin || url.origin !== origin || url.username || url.password) {
      log.warn({ reason: 'origin' }, 'messaging: media refused (not on the Twilio API origin), not fetched');
      return { contentType, state: 'failed', sizeBytes: 0 };
    }
    const deleteUrl = url.toString();
    if (!ALLOWED_ATTACHMENT_TYPES.has(contentType))
      return { contentType, state: 'refused_type', sizeBytes: 0, deleteUrl };
    const abort = AbortSignal.timeout(MEDIA_TIMEOUT_MS);
    try {
      let current: URL = url;
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const sameOrigin: boolean = current.origin === origin;
        const auth = twilioAuth();
        const res: Response = await fetch(current, {
          redirect: 'manual',
          signal: abort,
          headers: sameOrigin && auth ? { authorization: auth } : {},
        });
        if (res.status >= 300 && res.status < 400) {
          await res.body?.cancel().catch(() => {});
          const location: string | null = res.headers.get('location');
          const next: URL | undefined = location ? new URL(location, current) : undefined;
          if (!next || (next.origin !== origin && next.protocol !== 'https:')) break;
          current = next;
          continue;
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          log.warn({ status: res.status }, 'messaging: media download refused by Twilio');
          return { contentType, state: 'failed', sizeBytes: 0, deleteUrl };
        }
        const read = await readLimited(res);
        if (!Buffer.isBuffer(read)) return { ...read, contentType, deleteUrl };
        return { contentType, bytes: read, deleteUrl };
      }
      log.warn({ reason: 'redirect' }, 'messaging: media refused (redirected elsewhere)');
      return { contentType, state: 'failed', sizeBytes: 0, deleteUrl };
    } catch (err) {
      log.warn({ err: { type: (err as Error)?.name } }, 'messaging: media download failed');
      return { contentType, state: 'failed', sizeBytes: 0, deleteUrl };
    }
  }

  /** Best-effort: the media no longer needs to live at Twilio (it is sealed here, or was refused). */
  function deleteAtTwilio(media: FetchedMedia[]): void {
    const auth = twilioAuth();
    if (!auth) return;
    for (const m of media) {
      if (!m.deleteUrl) continue;
      const target = m.deleteUrl.endsWith('.json') ? m.deleteUrl : `${m.deleteUrl}.json`;
      void fetch(target, {
        method: 'DELETE',
        headers: { authorization: auth },
        redirect: 'manual',
        signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS),
      })
        .then(async (res) => {
          await res.body?.cancel().catch(() => {});
          if (!res.ok) log.warn({ status: res.status }, 'messaging: media not deleted at Twilio');
        })
        .catch((err) =>
          log.warn({ err: { type: (err as Error)?.name } }, 'messaging: media not deleted at Twilio'),
        );
    }
  }

  /** In the caller's transaction: the receipt, the attachments, the WhatsApp window. False for a retry. */
  async function completeInbound(
    tx: Db,
    s: Pick<SignalRow, 'id' | 'channel'>,
    seq: number,
    receiptKey: string,
    media: FetchedMedia[],
    at: Date,
  ): Promise<boolean> {
    if (!(await claimReceipt(tx, 'twilio', receiptKey, s.id))) return false;
    for (const m of media) {
      await storeAttachment(tx, key, {
        signalId: s.id,
        seq,
        contentType: m.contentType,
        bytes: m.bytes,
        sizeBytes: m.sizeBytes,
        state: m.state,
      });
    }
    if (s.channel === 'whatsapp') {
      const ends = new Date(at.getTime() + WHATSAPP_WINDOW_MS);
      await tx
        .update(signal)
        .set({
          windowEndsAt: sql`greatest(coalesce(${signal.windowEndsAt}, ${ends.toISOString()}::timestamptz), ${ends.toISOString()}::timestamptz)`,
        })
        .where(eq(signal.id, s.id));
    }
    return true;
  }

  /** Sends a system text to the person (through the outbox); a failure is logged, never undoes the inbound. */
  async function systemMessage(signalId: string, clientId: string, text: string): Promise<void> {
    try {
      await signals.appendMessage({ signalId, sender: 'system', clientId, text });
    } catch (err) {
      log.warn(
        { err: { type: (err as Error)?.name, code: (err as { code?: unknown })?.code }, signal: signalId },
        'messaging: automatic reply not stored',
      );
    }
  }

  return {
    /** POST /webhooks/twilio/messaging (signature already checked). */
    async inbound(params: Record<string, string>): Promise<InboundOutcome> {
      const sid = params.MessageSid ?? params.SmsMessageSid ?? '';
      if (!MESSAGE_SID.test(sid)) throw new AppError('VALIDATION_FAILED', 400, { fields: 'MessageSid' });
      const rawFrom = params.From ?? '';
      const channel = rawFrom.trim().toLowerCase().startsWith('whatsapp:') ? 'whatsapp' : 'sms';
      const address = normalizeAddress(channel, rawFrom);
      if (!address) throw new AppError('VALIDATION_FAILED', 400, { fields: 'From' });
      const hotline = normalizeAddress(channel, params.To) ?? null;
      const body = (params.Body ?? '').replaceAll('\u0000', '').trim();
      const numMedia = Math.min(MAX_MEDIA, Math.max(0, Number.parseInt(params.NumMedia ?? '0', 10) || 0));
      const items: MediaItem[] = [];
      for (let i = 0; i < numMedia; i++) {
        const url = params[`MediaUrl${i}`];
        if (url) items.push({ url, contentType: params[`MediaContentType${i}`] ?? '' });
      }
      if (body === '' && items.length === 0) return { kind: 'empty' };

      const receiptKey = `sms:${sid}`;
      if (await receiptExists(receiptKey)) return { kind: 'duplicate' };
      const media = await Promise.all(items.map(fetchMedia));
      const refused = media.some((m) => m.state && m.state !== 'stored');
      const text = body !== '' ? clip(body, MAX_MESSAGE_CHARS) : `📎 ×${items.length}`;
      const hash = contactHash(key, address);
      const hashes = contactHashes(key, address);
      const at = now();

      const continueIn = async (open: SignalRow): Promise<InboundOutcome | undefined> => {
        let seq: number;
        try {
          // The message, its receipt, attachments and WhatsApp window in ONE transaction: nothing half-stored.
          const appended = await signals.appendMessage({
            signalId: open.id,
            sender: 'visitor',
            clientId: sid,
            text,
            within: async (tx, atSeq) => {
              if (!(await completeInbound(tx, open, atSeq, receiptKey, media, at)))
                throw new AlreadyProcessed();
            },
          });
          if (appended.duplicate) return { kind: 'duplicate' };
          seq = appended.seq;
        } catch (err) {
          if (err instanceof AlreadyProcessed) return { kind: 'duplicate' };
          if (err instanceof AppError && err.code === 'SIGNAL_ENDED') return undefined; // ended meanwhile
          throw err;
        }
        if (refused)
          await systemMessage(open.id, `media-${sid}`, autoText('mediaRefused', open.language, emergency));
        return { kind: 'stored', signalId: open.id, seq, created: false };
      };

      for (let attempt = 0; attempt < 3; attempt++) {
        const open = await findOpen(channel, hashes);
        if (open) {
          const result = await continueIn(open);
          if (result) {
            deleteAtTwilio(media);
            return result;
          }
          continue;
        }
        const number = config.twilio?.numbers.find((n) => n.number === hotline);
        const language: SignalLanguage = number?.language ?? (frenchCue(body) ? 'fr' : 'en');
        let created: SignalRow;
        try {
          created = await signals.arrive({
            channel,
            language,
            state: 'queued',
            contactHash: hash,
            address,
            hotlineAddress: hotline,
            campaign: number?.campaign ?? null,
            windowEndsAt: channel === 'whatsapp' ? new Date(at.getTime() + WHATSAPP_WINDOW_MS) : null,
            firstMessage: { clientId: sid, text },
            within: async (tx, row) => {
              // One conversation per person: a concurrent first message of the same contact waits here, then
              // sees the other's signal and joins it instead.
              await tx.execute(
                sql`select pg_advisory_xact_lock(74130005, hashtext(${`${channel}:${hash}`}))`,
              );
              const [other] = await tx
                .select({ id: signal.id })
                .from(signal)
                .where(
                  and(
                    eq(signal.channel, channel),
                    inArray(signal.contactHash, hashes),
                    ne(signal.state, 'ended'),
                    ne(signal.id, row.id),
                  ),
                )
                .limit(1);
              if (other) throw new RetryAsContinuation();
              if (!(await completeInbound(tx, row, 1, receiptKey, media, at))) throw new AlreadyProcessed();
            },
          });
        } catch (err) {
          if (err instanceof RetryAsContinuation) continue;
          if (err instanceof AlreadyProcessed) return { kind: 'duplicate' };
          throw err;
        }
        deleteAtTwilio(media);
        const available = (await signals.availableLanguages()).has(language);
        if (!isOptOut(body))
          await systemMessage(
            created.id,
            `auto-${sid}`,
            autoText(available ? 'ack' : 'unavailable', language, emergency),
          );
        if (refused)
          await systemMessage(created.id, `media-${sid}`, autoText('mediaRefused', language, emergency));
        return { kind: 'stored', signalId: created.id, seq: 1, created: true };
      }
      throw new Error('inbound message: no stable signal after retries');
    },

    /** POST /webhooks/twilio/messaging/status: the delivery moves forward only; unknown / retried → no-op. */
    async status(params: Record<string, string>): Promise<'updated' | 'ignored'> {
      const sid = params.MessageSid ?? params.SmsSid ?? '';
      if (!MESSAGE_SID.test(sid)) throw new AppError('VALIDATION_FAILED', 400, { fields: 'MessageSid' });
      const raw = (params.MessageStatus ?? params.SmsStatus ?? '').trim().toLowerCase();
      if (!/^[a-z_]{1,30}$/.test(raw))
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'MessageStatus' });
      const next = deliveryStatusOf(raw);
      if (!next) return 'ignored';
      const errorCode = /^\d{1,10}$/.test(params.ErrorCode ?? '') ? (params.ErrorCode as string) : null;
      // Twilio may call back before the outbox has committed this MessageSid (its answer and the callback race):
      // wait a little for it before treating the SID as unknown.
      for (let waited = 0; waited < UNKNOWN_SID_WAIT_MS; waited += 100) {
        const [known] = await db
          .select({ id: channelDelivery.id })
          .from(channelDelivery)
          .where(eq(channelDelivery.providerId, sid))
          .limit(1);
        if (known) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(channelDelivery)
          .where(eq(channelDelivery.providerId, sid))
          .limit(1)
          .for('update');
        if (!row) return 'ignored';
        if (!(await claimReceipt(tx, 'twilio', `smsstatus:${sid}:${raw}`, row.signalId))) return 'ignored';
        if (!movesForward(row.status, next)) return 'ignored';
        await tx
          .update(channelDelivery)
          .set({
            status: next,
            ...(FINAL.has(next) ? { errorCode: errorCode ?? row.errorCode } : {}),
            updatedAt: now(),
          })
          .where(eq(channelDelivery.id, row.id));
        await recordSignalEvent(tx, row.signalId, 'delivery', null, { seq: row.seq, status: next });
        await publish(tx, { topic: 'delivery', signal: row.signalId, seq: row.seq, status: next });
        return 'updated';
      });
    },
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;
