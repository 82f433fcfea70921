import type { MessageId } from '../../i18n/messages';
import type { Channel, PresenceStatus, QueueLanguage } from './types';
import type { CALLER_TYPES, HEARD_ABOUT, REGIONS } from './wrapup';

// Words for the queue's codes, from the message catalogues (never shown raw).

export const CHANNEL_LABELS: Record<Channel, MessageId> = {
  chat: 'queue.channel.chat',
  report: 'queue.channel.report',
  phone: 'queue.channel.phone',
  sms: 'queue.channel.sms',
  whatsapp: 'queue.channel.whatsapp',
  email: 'queue.channel.email',
};

export const LANGUAGE_LABELS: Record<QueueLanguage, MessageId> = {
  en: 'queue.language.en',
  fr: 'queue.language.fr',
  other: 'queue.language.other',
};

export const PRESENCE_LABELS: Record<PresenceStatus, MessageId> = {
  available: 'queue.presence.available',
  busy: 'queue.presence.busy',
  break: 'queue.presence.break',
  offline: 'queue.presence.offline',
};

export const CALLER_TYPE_LABELS: Record<(typeof CALLER_TYPES)[number], MessageId> = {
  potential_victim: 'wrapUp.callerType.potential_victim',
  survivor: 'wrapUp.callerType.survivor',
  family_friend: 'wrapUp.callerType.family_friend',
  community_member: 'wrapUp.callerType.community_member',
  service_provider: 'wrapUp.callerType.service_provider',
  law_enforcement: 'wrapUp.callerType.law_enforcement',
  business: 'wrapUp.callerType.business',
  other: 'wrapUp.callerType.other',
  unknown: 'wrapUp.callerType.unknown',
};

export const REGION_LABELS: Record<(typeof REGIONS)[number], MessageId> = {
  AB: 'region.AB',
  BC: 'region.BC',
  MB: 'region.MB',
  NB: 'region.NB',
  NL: 'region.NL',
  NS: 'region.NS',
  NT: 'region.NT',
  NU: 'region.NU',
  ON: 'region.ON',
  PE: 'region.PE',
  QC: 'region.QC',
  SK: 'region.SK',
  YT: 'region.YT',
  outside: 'region.outside',
  unknown: 'region.unknown',
};

export const HEARD_ABOUT_LABELS: Record<(typeof HEARD_ABOUT)[number], MessageId> = {
  search_engine: 'wrapUp.heardAbout.search_engine',
  social_media: 'wrapUp.heardAbout.social_media',
  poster_ad: 'wrapUp.heardAbout.poster_ad',
  service_provider: 'wrapUp.heardAbout.service_provider',
  police: 'wrapUp.heardAbout.police',
  friend_family: 'wrapUp.heardAbout.friend_family',
  news: 'wrapUp.heardAbout.news',
  other: 'wrapUp.heardAbout.other',
  unknown: 'wrapUp.heardAbout.unknown',
};

/** A label for any code, falling back to the code itself when the server sends one we do not know yet. */
export function labelOf<K extends string>(
  labels: Record<K, MessageId>,
  code: string | null | undefined,
  t: (id: MessageId) => string,
): string {
  if (!code) return '—';
  return Object.hasOwn(labels, code) ? t(labels[code as K]) : code;
}
