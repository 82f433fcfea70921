import type { MessageId } from '../../i18n/messages';
import type { AttachmentState, Channel, ChannelDelivery, ChannelInfo, DeliveryStatus } from './types';

// Pure rules of the channel views (docs/api/channels.md): words and icons for every status (never colour
// alone), the interpreter's language picker, the call timer, and how a pushed delivery status lands in the cache.

/** A small pictogram beside each channel's name (decorative: the name is always written out). */
export const CHANNEL_ICONS: Record<Channel, string> = {
  chat: '❝',
  report: '✎',
  phone: '☎',
  sms: '✉',
  whatsapp: '✆',
  email: '@',
};

/** Channels whose outgoing messages go through the outbox and come back with a delivery status. */
export const OUTBOX_CHANNELS: readonly Channel[] = ['sms', 'whatsapp', 'email'];
/** Channels that carry a hotline number/address, a repeat-contact count and a sealed address. */
export const ADDRESS_CHANNELS: readonly Channel[] = ['phone', 'sms', 'whatsapp', 'email'];

export const hasOutbox = (channel: string) => (OUTBOX_CHANNELS as readonly string[]).includes(channel);
export const hasAddress = (channel: string) => (ADDRESS_CHANNELS as readonly string[]).includes(channel);

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, MessageId> = {
  pending: 'channel.delivery.pending',
  sending: 'channel.delivery.sending',
  sent: 'channel.delivery.sent',
  delivered: 'channel.delivery.delivered',
  read: 'channel.delivery.read',
  failed: 'channel.delivery.failed',
  undelivered: 'channel.delivery.undelivered',
};

export const DELIVERY_STATUS_ICONS: Record<DeliveryStatus, string> = {
  pending: '…',
  sending: '…',
  sent: '✓',
  delivered: '✓✓',
  read: '◉',
  failed: '⚠',
  undelivered: '⚠',
};

export const isDeliveryFailure = (status: DeliveryStatus) => status === 'failed' || status === 'undelivered';

export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return (
    typeof value === 'string' &&
    ['pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'].includes(value)
  );
}

export const ATTACHMENT_STATE_LABELS: Record<AttachmentState, MessageId> = {
  stored: 'channel.attachment.stored',
  refused_type: 'channel.attachment.refusedType',
  refused_size: 'channel.attachment.refusedSize',
  failed: 'channel.attachment.failed',
};

/** Twilio's CallStatus values, in words. */
export const CALL_STATUS_LABELS: Record<string, MessageId> = {
  queued: 'call.status.ringing',
  ringing: 'call.status.ringing',
  'in-progress': 'call.status.inProgress',
  completed: 'call.status.completed',
  busy: 'call.status.failed',
  failed: 'call.status.failed',
  'no-answer': 'call.status.failed',
  canceled: 'call.status.completed',
};

const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** The call is over (the caller hung up, or it never connected). */
export const callIsOver = (status: string) => FINAL_CALL_STATUSES.has(status);

/** "4:05", "1:04:05": a call's running time. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Whole seconds from `from` (ISO) to `now` (ms), never negative; null without a start. */
export function secondsSince(from: string | null | undefined, now: number): number | null {
  if (!from) return null;
  const start = Date.parse(from);
  return Number.isNaN(start) ? null : Math.max(0, Math.floor((now - start) / 1000));
}

/**
 * Languages a Canadian hotline's interpreter line is most often asked for (BCP 47). Names come from
 * Intl.DisplayNames in the UI's language; any other valid tag may be typed.
 */
export const INTERPRETER_LANGUAGES: readonly string[] = [
  'es',
  'pt',
  'cmn',
  'yue',
  'pa',
  'ar',
  'tl',
  'vi',
  'ko',
  'ru',
  'uk',
  'fa',
  'prs',
  'hi',
  'ur',
  'ta',
  'so',
  'ti',
  'am',
  'sw',
  'ht',
  'th',
  'ro',
  'pl',
  'tr',
  'ne',
  'bn',
  'gu',
  'iu',
  'cr',
  'oj',
];

const TAG = /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/;

/** A well-formed BCP 47 tag in its canonical form (`PT-br` → `pt-BR`), or null. */
export function canonicalLanguage(input: string): string | null {
  const value = input.trim();
  if (!value || value.length > 35 || !TAG.test(value)) return null;
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}

/** The language's name in the UI's language ("Spanish", "espagnol"), else the tag itself. */
export function languageName(tag: string, uiLocale: string): string {
  try {
    const name = new Intl.DisplayNames([uiLocale], { type: 'language', fallback: 'code' }).of(tag);
    return name && name !== tag ? name : tag;
  } catch {
    return tag;
  }
}

export interface LanguageOption {
  id: string;
  label: string;
}

/** The picker's options: "Spanish (es)", sorted by name in the UI's language. */
export function interpreterOptions(uiLocale: string, extra?: string | null): LanguageOption[] {
  const tags = [...INTERPRETER_LANGUAGES];
  const wanted = extra ? canonicalLanguage(extra) : null;
  if (wanted && !tags.includes(wanted)) tags.unshift(wanted);
  const collator = new Intl.Collator(uiLocale);
  return tags
    .map((id) => ({ id, label: `${languageName(id, uiLocale)} (${id})` }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

/**
 * What the advocate typed or chose → a tag: an option's id, an option's name ("spanish", "Espagnol (es)"),
 * or any well-formed tag. Null when it is none of these.
 */
export function resolveLanguage(input: string, options: readonly LanguageOption[]): string | null {
  const value = input.trim();
  if (!value) return null;
  const lower = value.toLocaleLowerCase();
  const byLabel = options.find(
    (o) => o.label.toLocaleLowerCase() === lower || o.label.toLocaleLowerCase().startsWith(`${lower} (`),
  );
  if (byLabel) return byLabel.id;
  return canonicalLanguage(value);
}

/** Delivery statuses by message seq. */
export function deliveriesBySeq(
  deliveries: readonly ChannelDelivery[] | undefined,
): Map<number, ChannelDelivery> {
  return new Map((deliveries ?? []).map((d) => [d.seq, d]));
}

/**
 * A pushed `{"type":"delivery"}` applied to the cached channel view: the new object, or null when the seq is
 * not known yet (then the view is refetched). A status the console does not know is ignored.
 */
export function patchDelivery(
  channel: ChannelInfo | undefined,
  seq: number,
  status: string,
): ChannelInfo | null {
  if (!channel || !isDeliveryStatus(status)) return null;
  const index = channel.deliveries.findIndex((d) => d.seq === seq);
  if (index < 0) return null;
  const deliveries = channel.deliveries.slice();
  const current = deliveries[index] as ChannelDelivery;
  deliveries[index] = { ...current, status };
  return { ...channel, deliveries };
}

/** WhatsApp: may the advocate reply now? (A window that has no end yet is open.) */
export function windowOpen(window: ChannelInfo['window'], now: number): boolean {
  if (!window) return true;
  if (!window.open) return false;
  if (!window.endsAt) return true;
  const ends = Date.parse(window.endsAt);
  return Number.isNaN(ends) || ends > now;
}
