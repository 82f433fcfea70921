import type { SignalLanguage } from '../../db/schema.js';
import { VoiceResponse } from './twilio.js';

/**
 * The TwiML Harbour answers to calls (docs/api/channels.md, "Phone"), built with the `twilio` package's
 * VoiceResponse. What callers hear is short and kind, in English (en-CA) and French (fr-CA). URLs are absolute
 * (`publicUrl` + path): the same documents are also sent by REST, where a relative URL has nothing to resolve
 * against. Nothing here ever sets `record`: calls are never recorded.
 */

type Lang = 'en' | 'fr';
type VR = InstanceType<typeof VoiceResponse>;

/** The paths of the voice webhooks (all POST, signed). */
export const VOICE_PATHS = {
  incoming: '/webhooks/twilio/voice',
  menu: '/webhooks/twilio/voice/menu',
  wait: '/webhooks/twilio/voice/wait',
  queueResult: '/webhooks/twilio/voice/queue-result',
  status: '/webhooks/twilio/voice/status',
  client: '/webhooks/twilio/voice/client',
  conference: '/webhooks/twilio/voice/conference',
  party: '/webhooks/twilio/voice/party',
  interpreterCode: '/webhooks/twilio/voice/interpreter-code',
} as const;

/** The Twilio queue every caller waits in (answering redirects them by REST, never dequeues). */
export const QUEUE_NAME = 'harbour';

/** Everything said on the line. `{emergency}` is replaced by the emergency number (911 by default). */
export const SPOKEN = {
  en: {
    welcome:
      'Thank you for calling the hotline. This call is free and confidential. If you are in immediate danger, hang up and call {emergency}.',
    english: 'For English, press 1.',
    other: 'For another language, press 3. An interpreter will join the call.',
    again: 'For English, press 1. For another language, press 3.',
    hold: 'Thank you for waiting. You are still in line, and an advocate will be with you soon. If you are in danger, hang up and call {emergency}. You can hang up at any time.',
    connecting: 'Thank you. An advocate is joining the call now.',
    closed:
      'The hotline is closed right now. If you or someone else is in immediate danger, call {emergency}. Please call again during our opening hours. Thank you for calling.',
    unavailable:
      'Sorry, no advocate can answer right now. If you or someone else is in immediate danger, call {emergency}. Please call again soon. Thank you for calling.',
    refused: 'This call cannot be connected. Goodbye.',
  },
  fr: {
    welcome:
      "Merci d'appeler la ligne d'aide. L'appel est gratuit et confidentiel. Si vous êtes en danger immédiat, raccrochez et composez le {emergency}.",
    french: 'Pour le français, appuyez sur 2.',
    other: 'Pour une autre langue, appuyez sur 3. Un interprète se joindra à l’appel.',
    again: 'Pour le français, appuyez sur 2. Pour une autre langue, appuyez sur 3.',
    hold: 'Merci de patienter. Vous êtes toujours en ligne et une intervenante ou un intervenant vous répondra bientôt. Si vous êtes en danger, raccrochez et composez le {emergency}. Vous pouvez raccrocher à tout moment.',
    connecting: 'Merci. Une intervenante ou un intervenant se joint à l’appel.',
    closed:
      "La ligne d'aide est fermée en ce moment. Si vous ou une autre personne êtes en danger immédiat, composez le {emergency}. Rappelez-nous pendant nos heures d'ouverture. Merci de votre appel.",
    unavailable:
      'Désolés, personne ne peut répondre en ce moment. Si vous ou une autre personne êtes en danger immédiat, composez le {emergency}. Rappelez-nous bientôt. Merci de votre appel.',
    refused: 'Cet appel ne peut pas être connecté. Au revoir.',
  },
} as const;

const LOCALE: Record<Lang, 'en-CA' | 'fr-CA'> = { en: 'en-CA', fr: 'fr-CA' };

function say(target: { say: VR['say'] }, lang: Lang, text: string, emergency: string) {
  target.say({ language: LOCALE[lang] }, text.replaceAll('{emergency}', emergency));
}

/** The languages a message is said in: the caller's, or both when it is not known (or not en/fr). */
function langsFor(language: SignalLanguage | 'both' | undefined): Lang[] {
  return language === 'en' ? ['en'] : language === 'fr' ? ['fr'] : ['en', 'fr'];
}

export interface TwimlContext {
  publicUrl: string;
  emergency: string;
}

const url = (ctx: TwimlContext, path: string, query?: Record<string, string>) =>
  `${ctx.publicUrl}${path}${query ? `?${new URLSearchParams(query).toString()}` : ''}`;

/**
 * The greeting and menu, in both languages: 1 English, 2 français, 3 another language (an interpreter joins).
 * A silence repeats the menu once; a second silence goes to the menu without a digit (the default language).
 */
export function greetingTwiml(ctx: TwimlContext): string {
  const r = new VoiceResponse();
  const first = r.gather({ numDigits: 1, action: url(ctx, VOICE_PATHS.menu), method: 'POST', timeout: 6 });
  say(first, 'en', `${SPOKEN.en.welcome} ${SPOKEN.en.english}`, ctx.emergency);
  say(first, 'fr', `${SPOKEN.fr.welcome} ${SPOKEN.fr.french}`, ctx.emergency);
  say(first, 'en', SPOKEN.en.other, ctx.emergency);
  say(first, 'fr', SPOKEN.fr.other, ctx.emergency);
  const second = r.gather({ numDigits: 1, action: url(ctx, VOICE_PATHS.menu), method: 'POST', timeout: 6 });
  say(second, 'en', SPOKEN.en.again, ctx.emergency);
  say(second, 'fr', SPOKEN.fr.again, ctx.emergency);
  r.redirect({ method: 'POST' }, url(ctx, VOICE_PATHS.menu, { silence: '1' }));
  return r.toString();
}

/** A key that is not 1, 2 or 3: the short menu once more, then the default language. */
export function menuAgainTwiml(ctx: TwimlContext): string {
  const r = new VoiceResponse();
  const g = r.gather({
    numDigits: 1,
    action: url(ctx, VOICE_PATHS.menu, { retry: '1' }),
    method: 'POST',
    timeout: 6,
  });
  say(g, 'en', SPOKEN.en.again, ctx.emergency);
  say(g, 'fr', SPOKEN.fr.again, ctx.emergency);
  r.redirect({ method: 'POST' }, url(ctx, VOICE_PATHS.menu, { silence: '1' }));
  return r.toString();
}

/** Outside the opening hours: both languages, the emergency number, hang up. */
export function closedTwiml(ctx: TwimlContext): string {
  const r = new VoiceResponse();
  say(r, 'en', SPOKEN.en.closed, ctx.emergency);
  say(r, 'fr', SPOKEN.fr.closed, ctx.emergency);
  r.hangup();
  return r.toString();
}

/** Nobody available for the chosen queue: both languages, the emergency number, hang up. */
export function unavailableTwiml(ctx: TwimlContext): string {
  const r = new VoiceResponse();
  say(r, 'en', SPOKEN.en.unavailable, ctx.emergency);
  say(r, 'fr', SPOKEN.fr.unavailable, ctx.emergency);
  r.hangup();
  return r.toString();
}

/** Into the line: the hold message (in the caller's language) loops until an advocate answers. */
export function enqueueTwiml(ctx: TwimlContext, language: SignalLanguage): string {
  const r = new VoiceResponse();
  r.enqueue(
    {
      waitUrl: url(ctx, VOICE_PATHS.wait, { lang: language }),
      waitUrlMethod: 'POST',
      action: url(ctx, VOICE_PATHS.queueResult),
      method: 'POST',
    },
    QUEUE_NAME,
  );
  return r.toString();
}

/** The hold message and a pause; Twilio plays the wait URL again when it ends. */
export function waitTwiml(ctx: TwimlContext, language: SignalLanguage | undefined): string {
  const r = new VoiceResponse();
  for (const lang of langsFor(language)) say(r, lang, SPOKEN[lang].hold, ctx.emergency);
  r.pause({ length: 20 });
  return r.toString();
}

/** Heard by the caller in the conference until the advocate's leg joins. */
export function connectingTwiml(ctx: TwimlContext, language: SignalLanguage | undefined): string {
  const r = new VoiceResponse();
  for (const lang of langsFor(language)) say(r, lang, SPOKEN[lang].connecting, ctx.emergency);
  r.pause({ length: 30 });
  return r.toString();
}

export const conferenceName = (signalId: string) => `harbour-${signalId}`;

const CONFERENCE_EVENTS: ('start' | 'end' | 'join' | 'leave')[] = ['start', 'end', 'join', 'leave'];

/**
 * The caller's leg, sent by REST when an advocate accepts: into `harbour-<signal id>`, ending the conference
 * when the caller leaves; they hear "an advocate is joining" until someone who starts the conference joins.
 */
export function callerConferenceTwiml(
  ctx: TwimlContext,
  signalId: string,
  language: SignalLanguage | undefined,
): string {
  const r = new VoiceResponse();
  r.dial().conference(
    {
      startConferenceOnEnter: false,
      endConferenceOnExit: true,
      beep: 'false',
      waitUrl: url(ctx, VOICE_PATHS.wait, { lang: language ?? 'both', connecting: '1' }),
      waitMethod: 'POST',
      statusCallback: url(ctx, VOICE_PATHS.conference),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: CONFERENCE_EVENTS,
      participantLabel: 'caller',
    },
    conferenceName(signalId),
  );
  return r.toString();
}

/** The advocate's browser leg (Voice SDK): joins and starts the conference; leaving does not end it. */
export function advocateConferenceTwiml(ctx: TwimlContext, signalId: string): string {
  const r = new VoiceResponse();
  r.dial().conference(
    {
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
      beep: 'false',
      statusCallback: url(ctx, VOICE_PATHS.conference),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: CONFERENCE_EVENTS,
    },
    conferenceName(signalId),
  );
  return r.toString();
}

/** Someone who may not join this call (not the assigned advocate, or the call has ended). */
export function refusedTwiml(ctx: TwimlContext, language: 'en' | 'fr' = 'en'): string {
  const r = new VoiceResponse();
  say(r, language, SPOKEN[language].refused, ctx.emergency);
  r.hangup();
  return r.toString();
}

/** The interpreter line's access code, played as DTMF to that leg only once it has joined. */
export function digitsTwiml(code: string): string {
  const r = new VoiceResponse();
  r.play({ digits: code });
  return r.toString();
}

export function hangupTwiml(): string {
  const r = new VoiceResponse();
  r.hangup();
  return r.toString();
}

export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}

export const conferenceEvents = CONFERENCE_EVENTS;
export { url as voiceUrl };
