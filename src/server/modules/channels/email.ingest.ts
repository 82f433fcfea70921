import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Config } from '../../config.js';
import {
  channelDelivery,
  channelReceipt,
  emailMessage,
  type SignalLanguage,
  type SignalRow,
  signal,
} from '../../db/schema.js';
import { BUS_CHANNEL, type BusEvent, publish } from '../../platform/bus.js';
import { encrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { t } from '../../platform/i18n.js';
import { signalsRepository as repo } from '../queue/signals.repository.js';
import {
  MAX_EMAIL_CHARS,
  queueLanguage,
  recordSignalEvent,
  type SignalsService,
} from '../queue/signals.service.js';
import { baseContentType, storeAttachment } from './attachments.js';
import { contactHash, contactHashes, normalizeAddress } from './contact.js';
import { claimReceipt } from './twilio.js';

/**
 * Incoming e-mail → the live queue (docs/api/channels.md, "E-mail"). `ingestEmail` takes one message as the SMTP
 * listener received it (raw bytes + envelope) and decides, in this order:
 *   1. refuse it with an SMTP code (loop, header section too large, unparseable, empty, no hotline recipient);
 *   2. drop it silently (auto-replies, bounces, mailing lists, our own messages coming back): nothing is stored,
 *      except that a delivery report (`Action: failed`) about one of our replies marks its delivery `undelivered`;
 *   3. store it ONCE (the receipt `mail:<sha256 of Message-ID>` is inserted in the same transaction): threaded
 *      by In-Reply-To then References into the person's open signal — only when it comes from the same address
 *      (contact hash), so knowing a Message-ID never lets someone else into a conversation — or a new signal (a
 *      `follow_up` of the person's ended one), with its text (HTML converted, never rendered; the quoted
 *      conversation of a reply cut), sealed subject and sealed attachments (refused ones noted by type in a
 *      `system` message that is not sent to the person).
 * It throws only on an internal failure (the listener answers 451 and the relay retries; a retry is idempotent).
 * Nothing personal is logged or returned: only counts and kinds.
 */

/** More `Received:` headers than this = a mail loop (RFC 5321 §6.3 suggests at least 100; relays use ~25–50). */
export const MAX_RECEIVED_HEADERS = 30;
/** Largest header section accepted (bytes). */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Attachments kept per message; the rest are noted, not stored. */
export const MAX_ATTACHMENTS_PER_MAIL = 20;
/** Longest HTML part converted to text (bytes); longer HTML is cut before conversion. */
const MAX_HTML_TO_PARSE = 2 * 1024 * 1024;
/** Message-IDs looked up for threading (In-Reply-To + the latest References). */
const MAX_REFERENCES = 50;
const MAX_MESSAGE_ID_CHARS = 500;
const MAX_SUBJECT_CHARS = 998;

export interface IngestDeps {
  db: Db;
  config: Pick<Config, 'encryptionKey' | 'email'>;
  signals: SignalsService;
}

export interface IngestInput {
  raw: Buffer;
  /** Envelope MAIL FROM; null or '' for the null sender `<>` (a bounce). */
  mailFrom: string | null;
  /** Envelope RCPT TO (the listener accepts only the hotline's addresses). */
  rcptTo: string[];
  remoteAddress?: string | undefined;
}

export type DropReason = 'bounce' | 'auto_reply' | 'bulk' | 'list' | 'own';

export type IngestOutcome =
  | {
      kind: 'stored';
      signalId: string;
      seq: number;
      /** A new signal (false: appended to an open one). */
      created: boolean;
      /** The reference of the ended signal this one follows up. */
      followUpOf?: string;
      attachments: number;
      refusedAttachments: number;
    }
  | { kind: 'duplicate'; signalId: string | null }
  | {
      kind: 'dropped';
      reason: DropReason;
      /** A delivery report about our replies: how many of their deliveries were marked `undelivered`. */
      undelivered?: number;
    }
  | { kind: 'refused'; code: number; reply: string; reason: string };

const refused = (code: number, reply: string, reason: string): IngestOutcome => ({
  kind: 'refused',
  code,
  reply,
  reason,
});

/** The header section of a raw message (up to the first empty line), or all of it when there is no body. */
export function headerSection(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  if (ends.length === 0) return raw;
  return raw.subarray(0, Math.min(...ends));
}

/** `Received:` header fields in a header section. */
export function countReceived(headers: Buffer): number {
  const text = headers.toString('latin1');
  return (text.match(/(^|\n)received[ \t]*:/gi) ?? []).length;
}

/** Every `<id>` in a header value (In-Reply-To, References), without the brackets. */
export function messageIds(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
  const out: string[] = [];
  for (const m of raw.matchAll(/<([^<>\s]{1,500})>/g)) if (m[1]) out.push(m[1]);
  // A bare id without brackets (some clients): accept one token that looks like local@domain.
  if (out.length === 0) {
    const bare = raw.trim();
    if (/^[^<>\s@]{1,250}@[^<>\s@]{1,250}$/.test(bare)) out.push(bare);
  }
  return out;
}

/** Our own outgoing Message-IDs: `harbour.<uuid>@<domain>`. */
const OWN_ID = /^harbour\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@(.+)$/i;

export function isOwnMessageId(id: string, addresses: readonly string[]): boolean {
  const m = OWN_ID.exec(id);
  if (!m?.[1]) return false;
  const domain = m[1].toLowerCase();
  return addresses.some((a) => a.slice(a.lastIndexOf('@') + 1) === domain);
}

/** A header field's raw value (the first of its name; unfolded), or undefined when absent. */
function headerText(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines?.find((h) => h.key === name)?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

const hasHeader = (mail: ParsedMail, name: string) => mail.headerLines?.some((h) => h.key === name) ?? false;

/** Why an automatic message is dropped, or undefined for a message from a person. */
export function automaticReason(
  mail: ParsedMail,
  mailFrom: string | null,
  addresses: readonly string[],
): DropReason | undefined {
  if (!mailFrom) return 'bounce';
  const type = mail.headers.get('content-type') as { value?: string } | undefined;
  if (typeof type?.value === 'string' && type.value.toLowerCase() === 'multipart/report') return 'bounce';
  const autoSubmitted = headerText(mail, 'auto-submitted');
  if (
    autoSubmitted !== undefined &&
    autoSubmitted
      .trim()
      .toLowerCase()
      .split(/[\s;(]/)[0] !== 'no'
  )
    return 'auto_reply';
  if (hasHeader(mail, 'x-autoreply') || hasHeader(mail, 'x-autorespond')) return 'auto_reply';
  const precedence = headerText(mail, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return 'bulk';
  if (hasHeader(mail, 'list-id')) return 'list';
  const id = messageIds(mail.messageId)[0];
  if (id && isOwnMessageId(id, addresses)) return 'own';
  // "From" the hotline itself: our own reply coming back, or a forgery that would make us write to ourselves.
  const from = normalizeAddress('email', mail.from?.value?.[0]?.address);
  if (from && addresses.includes(from)) return 'own';
  return undefined;
}

/**
 * A delivery status notification (RFC 3464: `multipart/report; report-type=delivery-status` with `Action: failed`)
 * about replies we sent: their deliveries become `undelivered` (error `EMAIL_BOUNCED`, a `delivery` event, the bus),
 * only from a state before any confirmation (pending, sending, sent). Nothing else is stored. Returns the count.
 */
async function noteBounce(
  db: Db,
  mail: ParsedMail,
  raw: Buffer,
  addresses: readonly string[],
): Promise<number> {
  const type = mail.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') return 0;
  if ((type.params?.['report-type'] ?? '').toLowerCase() !== 'delivery-status') return 0;
  const text = raw.toString('latin1');
  if (!/^action:[ \t]*failed/im.test(text)) return 0;
  const ours = [
    ...new Set(
      [
        ...text.matchAll(
          /harbour\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@[a-z0-9.-]{1,253}/gi,
        ),
      ]
        .map((m) => m[0])
        .filter((id) => isOwnMessageId(id, addresses)),
    ),
  ].slice(0, 5);
  if (ours.length === 0) return 0;
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(channelDelivery)
      .set({ status: 'undelivered', errorCode: 'EMAIL_BOUNCED', updatedAt: new Date() })
      .where(
        and(
          inArray(channelDelivery.providerId, ours),
          inArray(channelDelivery.status, ['pending', 'sending', 'sent']),
        ),
      )
      .returning({ signalId: channelDelivery.signalId, seq: channelDelivery.seq });
    for (const row of rows) {
      await recordSignalEvent(tx, row.signalId, 'delivery', null, { seq: row.seq, status: 'undelivered' });
      await publish(tx, { topic: 'delivery', signal: row.signalId, seq: row.seq, status: 'undelivered' });
    }
    return rows.length;
  });
}

const FR_CUES = new Set(
  'bonjour bonsoir salut merci oui aide aidez besoin je suis vous nous mon ma mes est pas une des les avec pour dans travail peur français francais svp moi elle qui que ne au aux du et sur être avoir ai mais où ça cela veux peux aidez-moi patron argent passeport'.split(
    ' ',
  ),
);
const EN_CUES = new Set(
  'hello hi yes help please need i am you we my is not the and with for in work afraid scared me he she who that to of on be have but or this want can boss money passport'.split(
    ' ',
  ),
);

/** The queue of a new e-mail: Content-Language, else French words in the subject/body, else English. */
export function emailLanguage(
  contentLanguage: string | undefined,
  subject: string,
  body: string,
): { language: SignalLanguage; interpreterLanguage: string | null } {
  const tag = contentLanguage?.split(',')[0]?.trim();
  if (tag) return queueLanguage(tag);
  let fr = 0;
  let en = 0;
  for (const word of `${subject} ${body.slice(0, 2000)}`.toLowerCase().split(/[^\p{L}'-]+/u)) {
    const w = word.replace(/^[jl]'/, '');
    if (FR_CUES.has(w)) fr++;
    if (EN_CUES.has(w)) en++;
  }
  return fr >= 2 && fr > en
    ? { language: 'fr', interpreterLanguage: null }
    : { language: 'en', interpreterLanguage: null };
}

/** Longest text worked on: the stored body is cut to MAX_EMAIL_CHARS anyway, and every step below stays linear. */
const MAX_WORK_CHARS = 4 * MAX_EMAIL_CHARS;

/**
 * Removes NULs and control characters (tabs and newlines stay), normalises line ends, trims line ends. Linear in the
 * input (a hostile mail of a million spaces must not stall the process: no backtracking regular expressions).
 */
export function cleanText(raw: string): string {
  return (
    raw
      .slice(0, MAX_WORK_CHARS)
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{4,}/g, '\n\n\n')
      .trim()
  );
}

/**
 * A reply's own words: the quoted conversation is cut (the advocate already has it) — an attribution line ("On …
 * wrote:", "Le … a écrit :") followed only by quoted `>` lines, an Outlook separator ("-----Original Message-----",
 * "-----Message d'origine-----") and everything after it, or a trailing block of `>` lines. Inline answers between
 * quotes are kept. Returns the whole text when nothing would be left.
 */
export function withoutQuotedReply(text: string): string {
  const lines = text.split('\n');
  // quotedFrom[i]: every line from i on is quoted or blank (one pass from the end: linear, not a scan per line).
  const quotedFrom = new Array<boolean>(lines.length + 2).fill(true);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] ?? '';
    quotedFrom[i] = (quotedFrom[i + 1] ?? true) && (l.trim() === '' || l.trimStart().startsWith('>'));
  }
  const quotedOrBlank = (from: number) => quotedFrom[Math.min(from, lines.length)] ?? true;
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (/^-{2,}\s*(original message|message d.origine|message original)\s*-{2,}$/i.test(line)) {
      cut = i;
      break;
    }
    const attribution = /^(on\s.{1,300}\swrote|le\s.{1,300}\sa\sécrit)\s?:$/i;
    if (attribution.test(line) && quotedOrBlank(i + 1)) {
      cut = i;
      break;
    }
    // An attribution wrapped over two lines.
    const joined = `${line} ${(lines[i + 1] ?? '').trim()}`;
    if (/^(on|le)\s/i.test(line) && attribution.test(joined) && quotedOrBlank(i + 2)) {
      cut = i;
      break;
    }
  }
  if (cut === lines.length) {
    let i = lines.length - 1;
    while (i >= 0 && /^\s*(>.*)?$/.test(lines[i] ?? '')) i--;
    if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trimStart().startsWith('>'))) cut = i + 1;
  }
  const kept = lines.slice(0, cut).join('\n').trim();
  return kept === '' ? text : kept;
}

const BLOCK_END_TAGS = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const DROPPED_ELEMENTS = new Set(['script', 'style', 'head']);

/**
 * Text of HTML by stripping tags (a fallback only: comments, scripts, styles and head dropped, a few entities
 * decoded). A single forward scan with indexOf — linear, so unterminated comments or tags cannot stall the process.
 */
export function roughHtmlText(html: string): string {
  const src = html.slice(0, 400_000);
  const lower = src.toLowerCase();
  let out = '';
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt === -1) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, lt);
    if (lower.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4);
      if (end === -1) break; // an unterminated comment hides the rest
      out += ' ';
      i = end + 3;
      continue;
    }
    const gt = src.indexOf('>', lt + 1);
    if (gt === -1) {
      out += src.slice(lt); // a lone "<" is text
      break;
    }
    const tag = lower.slice(lt + 1, Math.min(gt, lt + 40));
    const closing = tag.startsWith('/');
    const name = /^\/?\s*([a-z][a-z0-9]*)/.exec(tag)?.[1] ?? '';
    if (!closing && DROPPED_ELEMENTS.has(name)) {
      const close = lower.indexOf(`</${name}`, gt + 1);
      const closeEnd = close === -1 ? -1 : src.indexOf('>', close);
      out += ' ';
      i = closeEnd === -1 ? src.length : closeEnd + 1;
      continue;
    }
    if (name === 'br' || (closing && BLOCK_END_TAGS.has(name))) out += '\n';
    i = gt + 1;
  }
  return out
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#0*39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/[ \t]{2,}/g, ' ');
}

/** Cuts a text to `max` code points, with a localised note when it was cut. */
function fitText(text: string, max: number, locale: 'en-CA' | 'fr-CA'): string {
  const points = [...text];
  if (points.length <= max) return text;
  const note = `\n\n${t(locale, 'EMAIL_TEXT_CUT')}`;
  return points.slice(0, max - [...note].length).join('') + note;
}

/** A stable id of this message: its Message-ID, or (none, or unusable) a hash of its bytes. */
function messageIdOf(mail: ParsedMail, raw: Buffer): string {
  const id = messageIds(mail.messageId)[0];
  if (id && id.length <= MAX_MESSAGE_ID_CHARS) return id;
  return `missing.${createHash('sha256').update(raw).digest('hex')}@harbour.invalid`;
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

interface Prepared {
  messageId: string;
  receiptKey: string;
  clientId: string;
  subject: string;
  text: string;
  language: SignalLanguage;
  interpreterLanguage: string | null;
  /** The mail named its language (Content-Language). */
  languageDeclared: boolean;
  contactHash: string | null;
  address: string | null;
  hotlineAddress: string;
  references: string[];
  files: ParsedMail['attachments'];
  extraFiles: number;
}

/** A signal's locale for system notes. */
const localeOf = (language: SignalLanguage): 'en-CA' | 'fr-CA' => (language === 'fr' ? 'fr-CA' : 'en-CA');

class DuplicateMail extends Error {}
class SignalEndedMeanwhile extends Error {}

/**
 * Stores the message's attachments (seq = its message) and, when some were not kept, a `system` note with their
 * types (never their names) — inserted directly, so it is not sent to the person through the outbox.
 */
async function storeFiles(
  tx: Db,
  key: Keyring,
  row: { id: string; language: SignalLanguage },
  seq: number,
  p: Prepared,
): Promise<{ stored: number; refused: number; lastSeq: number }> {
  const notes: string[] = [];
  const locale = localeOf(row.language);
  let stored = 0;
  for (const file of p.files) {
    const result = await storeAttachment(tx, key, {
      signalId: row.id,
      seq,
      contentType: file.contentType,
      filename: file.filename ?? null,
      bytes: file.content,
      // An empty part (broken MIME, a cut transfer) is not a file.
      ...(file.content.length === 0 ? { state: 'failed' as const } : {}),
    });
    if (result.state === 'stored') {
      stored++;
      continue;
    }
    const type = baseContentType(file.contentType);
    const mb = Math.ceil((result.sizeBytes / (1024 * 1024)) * 10) / 10;
    notes.push(
      result.state === 'refused_size'
        ? t(locale, 'EMAIL_ATTACHMENT_REFUSED_SIZE', { type, size: mb })
        : result.state === 'refused_type'
          ? t(locale, 'EMAIL_ATTACHMENT_REFUSED_TYPE', { type })
          : t(locale, 'EMAIL_ATTACHMENT_FAILED', { type }),
    );
  }
  if (p.extraFiles > 0)
    notes.push(
      t(locale, 'EMAIL_ATTACHMENTS_OVER_LIMIT', { count: p.extraFiles, max: MAX_ATTACHMENTS_PER_MAIL }),
    );
  const refusedCount = p.files.length - stored + p.extraFiles;
  if (notes.length === 0) return { stored, refused: 0, lastSeq: seq };
  const noteSeq = seq + 1;
  await appendInTx(tx, key, row.id, noteSeq, 'system', `system:${p.clientId}`.slice(0, 64), notes.join('\n'));
  return { stored, refused: refusedCount, lastSeq: noteSeq };
}

/** One message in the caller's transaction (the signal row is locked by the caller): sealed, seq advanced, bus. */
async function appendInTx(
  tx: Db,
  key: Keyring,
  signalId: string,
  seq: number,
  sender: 'visitor' | 'system',
  clientId: string,
  text: string,
): Promise<void> {
  const event: BusEvent = { topic: 'message', signal: signalId, seq, sender };
  const inserted = await repo.insertMessageAdvance(
    tx,
    {
      signalId,
      seq,
      sender,
      authorUserId: null,
      clientId,
      bodySealed: encrypt(key, text, signalId),
      at: new Date(),
    },
    BUS_CHANNEL,
    JSON.stringify(event),
  );
  if (!inserted) throw new DuplicateMail();
}

async function threadRow(tx: Db, key: Keyring, signalId: string, seq: number, p: Prepared) {
  await tx
    .insert(emailMessage)
    .values({
      signalId,
      messageId: p.messageId,
      direction: 'in',
      seq,
      subjectSealed: p.subject ? encrypt(key, p.subject, signalId) : null,
    })
    .onConflictDoNothing();
}

/** The conversation this message answers: the first of its references we know, with its signal. */
async function findThread(
  db: Db,
  refs: string[],
): Promise<
  | Pick<SignalRow, 'id' | 'state' | 'reference' | 'contactHash' | 'language' | 'interpreterLanguage'>
  | undefined
> {
  if (refs.length === 0) return undefined;
  const rows = await db
    .select({ messageId: emailMessage.messageId, signalId: emailMessage.signalId })
    .from(emailMessage)
    .where(inArray(emailMessage.messageId, refs));
  if (rows.length === 0) return undefined;
  const byId = new Map(rows.map((r) => [r.messageId, r.signalId]));
  const signalId = refs.map((r) => byId.get(r)).find(Boolean);
  if (!signalId) return undefined;
  const [row] = await db
    .select({
      id: signal.id,
      state: signal.state,
      reference: signal.reference,
      contactHash: signal.contactHash,
      language: signal.language,
      interpreterLanguage: signal.interpreterLanguage,
    })
    .from(signal)
    .where(eq(signal.id, signalId))
    .limit(1);
  return row;
}

/** Parses, classifies and stores one incoming message; see the module comment. Throws only on internal failure. */
export async function ingestEmail(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const addresses = deps.config.email?.addresses ?? [];
  const hotline = input.rcptTo.map((r) => r.trim().toLowerCase()).find((r) => addresses.includes(r));
  if (!hotline) return refused(550, '5.1.1 Recipient not accepted here', 'recipient');
  // (A longer message of blank lines is parsed and refused as empty below.)
  if (input.raw.length === 0 || (input.raw.length < 4096 && input.raw.toString('latin1').trim() === ''))
    return refused(554, '5.6.0 Empty message refused', 'empty');
  const headers = headerSection(input.raw);
  if (headers.length > MAX_HEADER_BYTES) return refused(552, '5.3.4 Header section too large', 'headers');
  if (countReceived(headers) > MAX_RECEIVED_HEADERS)
    return refused(554, '5.4.6 Too many hops: mail loop detected', 'loop');

  let mail: ParsedMail;
  try {
    mail = await simpleParser(input.raw, {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: MAX_HTML_TO_PARSE,
    });
  } catch {
    return refused(554, '5.6.0 Message could not be read', 'unparseable');
  }

  const drop = automaticReason(mail, input.mailFrom || null, addresses);
  if (drop === 'bounce')
    return {
      kind: 'dropped',
      reason: drop,
      undelivered: await noteBounce(deps.db, mail, input.raw, addresses),
    };
  if (drop) return { kind: 'dropped', reason: drop };

  const p = prepare(deps, mail, input, hotline);
  if (!p) return refused(554, '5.6.0 Empty message refused', 'empty');
  // A relay's retry of a stored message: answer as the first time without redoing the work (the claim inside the
  // transaction still decides when two copies arrive at once).
  const [seen] = await deps.db
    .select({ signalId: channelReceipt.signalId })
    .from(channelReceipt)
    .where(and(eq(channelReceipt.provider, 'smtp'), eq(channelReceipt.key, p.receiptKey)))
    .limit(1);
  if (seen) return { kind: 'duplicate', signalId: seen.signalId };

  // Threading: the person's own conversation only (same contact), never someone else's by a known Message-ID.
  const thread = await findThread(deps.db, p.references);
  // The same sender: the thread's hash may still be under a previous key while a key rotation runs.
  const sameSender =
    thread?.contactHash != null &&
    p.address !== null &&
    contactHashes(deps.config.encryptionKey, p.address).includes(thread.contactHash);
  const ours = thread && sameSender ? thread : undefined;
  try {
    if (ours && ours.state !== 'ended') {
      try {
        return await appendToOpen(deps, ours, p);
      } catch (err) {
        if (!(err instanceof SignalEndedMeanwhile)) throw err;
      }
    }
    // A follow-up stays in the queue of the conversation it follows, unless the mail names its language.
    const follow =
      ours && !p.languageDeclared
        ? { ...p, language: ours.language, interpreterLanguage: ours.interpreterLanguage }
        : p;
    return await arriveNew(deps, follow, ours?.reference);
  } catch (err) {
    if (err instanceof DuplicateMail) return { kind: 'duplicate', signalId: null };
    throw err;
  }
}

function prepare(
  deps: IngestDeps,
  mail: ParsedMail,
  input: IngestInput,
  hotline: string,
): Prepared | undefined {
  const messageId = messageIdOf(mail, input.raw);
  const subject = cleanText(mail.subject ?? '')
    .replace(/\s+/g, ' ')
    .slice(0, MAX_SUBJECT_CHARS);
  const references = [
    ...messageIds(mail.headers.get('in-reply-to')),
    ...messageIds(mail.headers.get('references')).reverse(),
  ]
    .filter((r, i, all) => all.indexOf(r) === i && r !== messageId)
    .slice(0, MAX_REFERENCES);
  let body = cleanText(typeof mail.text === 'string' ? mail.text : '');
  // HTML the parser would not convert (too long, nested too deep): its words, tags stripped (never rendered).
  if (body === '' && typeof mail.html === 'string') body = cleanText(roughHtmlText(mail.html));
  if (references.length > 0) body = withoutQuotedReply(body);
  const parts = (mail.attachments ?? []).filter((a) => Buffer.isBuffer(a.content));
  const files = parts.slice(0, MAX_ATTACHMENTS_PER_MAIL);
  const extraFiles = parts.length - files.length;
  if (body === '' && subject === '' && parts.length === 0) return undefined;

  const from = mail.from?.value?.[0]?.address;
  const address = normalizeAddress('email', from) ?? normalizeAddress('email', input.mailFrom) ?? null;
  const declared = headerText(mail, 'content-language');
  const q = emailLanguage(declared, subject, body);
  const locale = localeOf(q.language);
  const text = fitText(
    body !== '' ? body : subject !== '' ? subject : t(locale, 'EMAIL_NO_TEXT'),
    MAX_EMAIL_CHARS,
    locale,
  );
  const idHash = sha256hex(messageId);
  return {
    messageId,
    receiptKey: `mail:${idHash}`,
    clientId: `mail:${Buffer.from(idHash, 'hex').toString('base64url')}`,
    subject,
    text,
    language: q.language,
    interpreterLanguage: q.interpreterLanguage,
    languageDeclared: Boolean(declared?.trim()),
    contactHash: address ? contactHash(deps.config.encryptionKey, address) : null,
    address,
    hotlineAddress: hotline,
    references,
    files,
    extraFiles,
  };
}

/** The person's open conversation gets the message: receipt, message, thread row, attachments, in ONE transaction. */
async function appendToOpen(
  deps: IngestDeps,
  open: { id: string; language: SignalLanguage },
  p: Prepared,
): Promise<IngestOutcome> {
  const key = deps.config.encryptionKey;
  return deps.db.transaction(async (tx) => {
    if (!(await claimReceipt(tx, 'smtp', p.receiptKey, open.id))) throw new DuplicateMail();
    const locked = await repo.lockForAppend(tx, open.id, 'visitor', p.clientId);
    if (!locked) throw new SignalEndedMeanwhile();
    if (locked.existingSeq !== null) throw new DuplicateMail();
    if (locked.state === 'ended') throw new SignalEndedMeanwhile();
    const seq = locked.lastSeq + 1;
    await appendInTx(tx, key, open.id, seq, 'visitor', p.clientId, p.text);
    await threadRow(tx, key, open.id, seq, p);
    const files = await storeFiles(tx, key, { id: open.id, language: open.language }, seq, p);
    return {
      kind: 'stored' as const,
      signalId: open.id,
      seq,
      created: false,
      attachments: files.stored,
      refusedAttachments: files.refused,
    };
  });
}

/** A new queued signal (a follow-up of an ended one when `followUpOf` is set), in ONE transaction. */
async function arriveNew(
  deps: IngestDeps,
  p: Prepared,
  followUpOf: string | undefined,
): Promise<IngestOutcome> {
  const key = deps.config.encryptionKey;
  let files = { stored: 0, refused: 0, lastSeq: 1 };
  const row = await deps.signals.arrive({
    channel: 'email',
    language: p.language,
    interpreterLanguage: p.interpreterLanguage,
    state: 'queued',
    contactHash: p.contactHash,
    address: p.address,
    hotlineAddress: p.hotlineAddress,
    campaign: null,
    firstMessage: { clientId: p.clientId, text: p.text, maxChars: MAX_EMAIL_CHARS },
    within: async (tx, created) => {
      if (!(await claimReceipt(tx, 'smtp', p.receiptKey, created.id))) throw new DuplicateMail();
      await threadRow(tx, key, created.id, 1, p);
      if (followUpOf) await recordSignalEvent(tx, created.id, 'follow_up', null, { of: followUpOf });
      files = await storeFiles(tx, key, created, 1, p);
    },
  });
  return {
    kind: 'stored',
    signalId: row.id,
    seq: 1,
    created: true,
    ...(followUpOf ? { followUpOf } : {}),
    attachments: files.stored,
    refusedAttachments: files.refused,
  };
}
