import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import type { TwilioConfig } from '../server/config.js';
import { type StandinRequest, startTwilioStandin, type TwilioStandin } from './twilio-standin.js';

/**
 * `harbour simulate call|sms|whatsapp|email` (docs/api/channels.md, "Simulator and stand-in"): real traffic
 * against a running Harbour. The simulator plays Twilio — it runs the REST stand-in on the port of
 * TWILIO_API_BASE_URL so Harbour's REST calls reach it, and sends webhooks signed with the account's token over
 * HARBOUR_PUBLIC_URL + path, as Twilio does — and plays a person's mail client over real SMTP. Every number and
 * address it uses is fictional (555-01xx, *.example); it prints steps and timings, never anything else.
 */

export class SimulateError extends Error {}

export type Language = 'en' | 'fr' | 'other';

export interface TwilioSim {
  /** Harbour's base URL (where the webhooks go). */
  url: string;
  /** HARBOUR_PUBLIC_URL: what Twilio signs (publicUrl + path). */
  publicUrl: string;
  twilio: TwilioConfig;
  standin: TwilioStandin;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const twilioSid = (prefix: 'CA' | 'SM' | 'CF' | 'QU') => `${prefix}${hex(16)}`;

const AREA_CODES = ['416', '514', '613', '604', '902', '204', '306', '709'];
/** A fictional North American number: +1 NPA 555-01xx (reserved for fiction). */
export const fictionalNumber = () =>
  `+1${AREA_CODES[randomInt(AREA_CODES.length)]}55501${String(randomInt(100)).padStart(2, '0')}`;
export const isFictionalNumber = (n: string) => /^\+1[2-9]\d{2}55501\d{2}$/.test(n);
export const fictionalEmail = () => `person-${hex(3)}@sender.example`;
/** Reserved names only: *.example, *.test, *.invalid, example.com/org/net (RFC 2606). */
export const isFictionalEmail = (a: string) =>
  /^[^\s@<>]+@([^\s@<>]+\.)?(example|test|invalid|example\.com|example\.org|example\.net)$/i.test(a);

const elapsed = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

/** Fails with a clear message when nothing answers at `url` (before any webhook is sent). */
export async function ensureReachable(url: string): Promise<void> {
  try {
    await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(5000) });
  } catch {
    throw new SimulateError(`Harbour is not reachable at ${url} (is the server running? see --url)`);
  }
}

/**
 * Starts the REST stand-in where Harbour sends its Twilio calls (TWILIO_API_BASE_URL). Refuses a real Twilio
 * origin: the simulator never talks to Twilio itself.
 */
export async function startStandinFor(cfg: TwilioConfig): Promise<TwilioStandin> {
  const base = new URL(cfg.apiBaseUrl);
  if (base.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname))
    throw new SimulateError(
      `TWILIO_API_BASE_URL is ${base.origin}: the simulator plays Twilio only when Harbour's REST calls go to a local stand-in (e.g. http://127.0.0.1:4010, the demo's default)`,
    );
  const port = Number(base.port || 80);
  const host = base.hostname === 'localhost' ? '127.0.0.1' : base.hostname.replace(/^\[|\]$/g, '');
  try {
    // startTwilioStandin does not report a listen error (the process would crash on it): try the port first.
    await new Promise<void>((resolve, reject) => {
      const probe = createNetServer();
      probe.once('error', reject);
      probe.listen(port, host, () => probe.close(() => resolve()));
    });
    return await startTwilioStandin({ accountSid: cfg.accountSid, authToken: cfg.authToken, port, host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimulateError(
      code === 'EADDRINUSE'
        ? `port ${port} (TWILIO_API_BASE_URL) is in use: is another \`harbour simulate\` running? One at a time plays Twilio.`
        : `cannot start the Twilio stand-in on ${base.origin}: ${code ?? (e as Error).message}`,
    );
  }
}

/** A webhook signed like Twilio signs it; the TwiML (or empty) answer. 403/503 and other refusals throw. */
export async function postWebhook(
  sim: Pick<TwilioSim, 'url' | 'publicUrl' | 'twilio'>,
  pathname: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string; ms: number }> {
  const signature = twilio.getExpectedTwilioSignature(sim.twilio.authToken, sim.publicUrl + pathname, params);
  const t = performance.now();
  let res: Response;
  try {
    res = await fetch(sim.url + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new SimulateError(`Harbour is not reachable at ${sim.url} (POST ${pathname})`);
  }
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status < 300) return { status: res.status, body, ms };
  let code = '';
  try {
    const parsed = JSON.parse(body) as { code?: string; error?: { code?: string } };
    code = String(parsed.error?.code ?? parsed.code ?? '');
  } catch {
    // Not JSON: no code to show.
  }
  if (res.status === 503)
    throw new SimulateError(
      `Harbour answered 503 ${code} to ${pathname}: Twilio is not configured there (TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, or the demo's account with HARBOUR_DEMO)`,
    );
  if (res.status === 403)
    throw new SimulateError(
      `Harbour refused the signature of ${pathname} (403 ${code}): run the simulator with the server's configuration (same HARBOUR_DATA_DIR or TWILIO_AUTH_TOKEN, same HARBOUR_PUBLIC_URL)`,
    );
  throw new SimulateError(`Harbour answered ${res.status}${code ? ` ${code}` : ''} to POST ${pathname}`);
}

// ---------------------------------------------------------------------------------------------- phone calls

export interface CallOptions {
  from?: string;
  language: Language;
  /** Hang up after waiting this long in the queue (seconds). */
  abandonAfterS: number;
  /** Talk this long once answered (seconds). */
  talkS: number;
}

export interface CallResult {
  callSid: string;
  outcome: 'answered' | 'abandoned' | 'closed' | 'unavailable' | 'hung-up-by-harbour';
  /** Seconds from the first ring to the answer (answered calls). */
  waitS?: number;
  /** Incoming + menu webhooks, each, ms. */
  webhookMs: number[];
}

const DIGIT: Record<Language, string> = { en: '1', fr: '2', other: '3' };

/** A hotline number for this language (the number's own language first), as configured in TWILIO_NUMBERS. */
export function hotlineNumber(cfg: TwilioConfig, language: Language): string {
  const match = cfg.numbers.find((n) => n.language === language) ?? cfg.numbers[0];
  if (!match) throw new SimulateError('no hotline number configured (TWILIO_NUMBERS)');
  return match.number;
}

/** An attribute of the first `<tag>` in a TwiML document, XML entities decoded. */
function attr(xml: string, tag: string, name: string): string | undefined {
  const raw = new RegExp(`<${tag}\\b[^>]*?\\s${name}="([^"]*)"`).exec(xml)?.[1];
  return raw
    ?.replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/** A URL from Harbour's TwiML as the path (and query) to post to: only Harbour's own; else the fallback. */
function harbourPath(sim: Pick<TwilioSim, 'publicUrl'>, url: string | undefined, fallback: string): string {
  if (!url) return fallback;
  if (url.startsWith(`${sim.publicUrl}/`)) return url.slice(sim.publicUrl.length);
  if (url.startsWith('/')) return url;
  return fallback;
}

/** One inbound call: ringing → greeting/menu → digit → queue → answered (REST redirect) or abandoned → completed. */
export async function simulateCall(
  sim: TwilioSim,
  options: CallOptions,
  label = 'call',
): Promise<CallResult> {
  const callSid = twilioSid('CA');
  const from = options.from ?? fictionalNumber();
  const to = hotlineNumber(sim.twilio, options.language);
  const base = {
    AccountSid: sim.twilio.accountSid,
    CallSid: callSid,
    From: from,
    To: to,
    Caller: from,
    Called: to,
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
  const t0 = performance.now();
  const log = (line: string) => sim.log(`${label} [${elapsed(t0)}] ${line}`);
  const result: CallResult = { callSid, outcome: 'abandoned', webhookMs: [] };
  const seenBefore = sim.standin.requests.length;
  const isMine = (r: StandinRequest) => r.path.endsWith(`/Calls/${callSid}.json`) && r.method === 'POST';
  /** Webhooks that are not part of the caller's path (hold music, callbacks): a refusal is shown, not fatal. */
  const aside = (what: string, path: string, params: Record<string, string>) =>
    postWebhook(sim, path, params).then(
      (r) => r,
      (e: Error) => {
        log(`${what}: ${e.message}`);
        return undefined;
      },
    );
  const completed = async (how: string) => {
    const s = await postWebhook(sim, '/webhooks/twilio/voice/status', {
      ...base,
      CallStatus: 'completed',
      CallDuration: String(Math.round((performance.now() - t0) / 1000)),
    });
    log(`${how}; status callback "completed" (${s.ms.toFixed(0)} ms)`);
  };

  log(`ringing: ${from} → hotline ${to}`);
  const incoming = await postWebhook(sim, '/webhooks/twilio/voice', { ...base, CallStatus: 'ringing' });
  result.webhookMs.push(incoming.ms);
  if (!/<Gather\b/.test(incoming.body)) {
    log(
      `Harbour answered without a menu (${incoming.ms.toFixed(0)} ms): the closed message, then it hangs up`,
    );
    result.outcome = 'closed';
    await completed('the caller heard the emergency number');
    return result;
  }
  log(`greeting and menu (${incoming.ms.toFixed(0)} ms)`);

  const digit = DIGIT[options.language];
  const menuPath = harbourPath(sim, attr(incoming.body, 'Gather', 'action'), '/webhooks/twilio/voice/menu');
  const menu = await postWebhook(sim, menuPath, { ...base, CallStatus: 'in-progress', Digits: digit });
  result.webhookMs.push(menu.ms);
  if (!/<Enqueue\b/.test(menu.body)) {
    log(`pressed ${digit}: Harbour says nobody can answer now (${menu.ms.toFixed(0)} ms) and hangs up`);
    result.outcome = 'unavailable';
    await completed('the caller heard the emergency number');
    return result;
  }
  const queuedAt = performance.now();
  log(`pressed ${digit}: queued (${menu.ms.toFixed(0)} ms); waiting for an advocate`);
  const queueSid = twilioSid('QU');
  const queueResultPath = harbourPath(
    sim,
    attr(menu.body, 'Enqueue', 'action'),
    '/webhooks/twilio/voice/queue-result',
  );
  // Twilio plays the hold message (waitUrl) as soon as the caller is in the queue.
  const wait = await aside(
    'hold message',
    harbourPath(sim, attr(menu.body, 'Enqueue', 'waitUrl'), '/webhooks/twilio/voice/wait'),
    {
      ...base,
      CallStatus: 'in-progress',
      QueueSid: queueSid,
      QueuePosition: '1',
      QueueTime: '0',
      AvgQueueTime: '0',
      CurrentQueueSize: '1',
    },
  );
  if (wait) log(`hold message played (${wait.ms.toFixed(0)} ms)`);

  // Answered = Harbour redirects this call by REST (Calls/{CallSid}.json) into the conference.
  const answer = await waitForRequest(
    sim.standin,
    (r) => isMine(r) && r.status < 300,
    options.abandonAfterS * 1000,
    seenBefore,
  );
  if (!answer) {
    const q = await postWebhook(sim, queueResultPath, {
      ...base,
      CallStatus: 'completed',
      QueueResult: 'hangup',
      QueueSid: queueSid,
      QueueTime: String(Math.round((performance.now() - queuedAt) / 1000)),
    });
    log(
      `no answer within ${options.abandonAfterS} s: the caller hangs up (queue result ${q.ms.toFixed(0)} ms)`,
    );
    result.outcome = 'abandoned';
    await completed('abandoned');
    return result;
  }
  if (answer.params.Status === 'completed') {
    log('Harbour ended the call while it waited');
    result.outcome = 'hung-up-by-harbour';
    await completed('ended');
    return result;
  }
  result.outcome = 'answered';
  result.waitS = (performance.now() - queuedAt) / 1000;
  const twiml = answer.params.Twiml ?? '';
  const conferenceName = /<Conference\b[^>]*>([^<]+)<\/Conference>/.exec(twiml)?.[1] ?? '';
  log(
    `answered after ${result.waitS.toFixed(1)} s in the queue: Harbour moved the call ${conferenceName ? 'into its conference' : 'elsewhere'}`,
  );

  // The conference: the caller joins; every party Harbour dials in (forwarded advocate, interpreter) joins too.
  const conferencePath = harbourPath(
    sim,
    attr(twiml, 'Conference', 'statusCallback'),
    '/webhooks/twilio/voice/conference',
  );
  const conferenceSid = twilioSid('CF');
  let sequence = 0;
  const conferenceEvent = (event: string, party: string, label?: string) =>
    aside(`conference ${event}`, conferencePath, {
      AccountSid: sim.twilio.accountSid,
      ConferenceSid: conferenceSid,
      FriendlyName: conferenceName,
      StatusCallbackEvent: event,
      ...(event.startsWith('participant') ? { CallSid: party } : {}),
      ...(label ? { ParticipantLabel: label } : {}),
      SequenceNumber: String(++sequence),
      Timestamp: new Date().toUTCString(),
      Muted: 'false',
      Hold: 'false',
      Coaching: 'false',
      EndConferenceOnExit: party === callSid ? 'true' : 'false',
      StartConferenceOnEnter: party === callSid ? 'false' : 'true',
    });
  const partyStatus = (p: Party, status: string) =>
    aside(`party ${status}`, p.callback, {
      AccountSid: sim.twilio.accountSid,
      CallSid: p.sid,
      CallStatus: status,
      From: sim.twilio.callerId ?? to,
      To: p.to,
      Direction: 'outbound-api',
      ApiVersion: '2010-04-01',
    });
  interface Party {
    sid: string;
    to: string;
    label?: string;
    callback: string;
    left: boolean;
  }
  const parties: Party[] = [];
  const partyWork: Promise<unknown>[] = [];
  const inConference = (r: StandinRequest) =>
    conferenceName !== '' &&
    (r.path.includes(`/Conferences/${conferenceName}/`) || r.path.includes(`/Conferences/${conferenceSid}/`));
  const onPartyRequest = (r: StandinRequest) => {
    if (r.status >= 300 || !inConference(r)) return;
    if (r.method === 'POST' && r.sid && /\/Participants\.json$/.test(r.path)) {
      // Harbour dialled someone into the call (a forwarded advocate, the interpreter line): they answer.
      const p: Party = {
        sid: r.sid,
        to: r.params.To ?? '',
        ...(r.params.Label ? { label: r.params.Label } : {}),
        callback: harbourPath(sim, r.params.StatusCallback, '/webhooks/twilio/voice/party'),
        left: false,
      };
      parties.push(p);
      partyWork.push(
        (async () => {
          await sleep(100);
          await partyStatus(p, 'in-progress');
          const j = await conferenceEvent('participant-join', p.sid, p.label);
          if (j) log(`a party Harbour dialled joined the conference (${j.ms.toFixed(0)} ms)`);
        })(),
      );
    } else if (r.method === 'DELETE') {
      // Harbour removed a party (e.g. the interpreter's leg ended).
      const p = parties.find((x) => r.path.endsWith(`/Participants/${x.sid}.json`) && !x.left);
      if (!p) return;
      p.left = true;
      partyWork.push(
        (async () => {
          await conferenceEvent('participant-leave', p.sid, p.label);
          await partyStatus(p, 'completed');
          log('Harbour removed a party from the conference');
        })(),
      );
    }
  };
  for (const r of sim.standin.requests.slice(seenBefore)) onPartyRequest(r);
  const stopParties = sim.standin.onRequest(onPartyRequest);
  try {
    if (conferenceName) {
      const waitUrl = attr(twiml, 'Conference', 'waitUrl');
      const connecting = waitUrl
        ? await aside('connecting message', harbourPath(sim, waitUrl, '/webhooks/twilio/voice/wait'), {
            ...base,
            CallStatus: 'in-progress',
          })
        : undefined;
      if (connecting) log(`the caller hears that an advocate is joining (${connecting.ms.toFixed(0)} ms)`);
      await conferenceEvent('conference-start', callSid);
      const j = await conferenceEvent('participant-join', callSid, 'caller');
      if (j) log(`the caller joined the conference (${j.ms.toFixed(0)} ms); talking for ${options.talkS} s`);
    }
    const hungUp = await waitForRequest(
      sim.standin,
      (r) => isMine(r) && r.params.Status === 'completed',
      options.talkS * 1000,
      seenBefore,
    );
    await Promise.all(partyWork);
    if (hungUp) {
      result.outcome = 'hung-up-by-harbour';
      log('Harbour hung up the call (the advocate ended it)');
    }
    if (conferenceName) {
      await conferenceEvent('participant-leave', callSid, 'caller');
      // The caller ends the conference (endConferenceOnExit): everyone else leaves with them.
      for (const p of parties.filter((x) => !x.left)) {
        p.left = true;
        await conferenceEvent('participant-leave', p.sid, p.label);
        await partyStatus(p, 'completed');
      }
      await conferenceEvent('conference-end', callSid);
    }
  } finally {
    stopParties();
  }
  await completed(result.outcome === 'hung-up-by-harbour' ? 'ended by Harbour' : 'the caller hangs up');
  return result;
}

/** The first stand-in request (from index `from` on) that matches, or undefined after `timeoutMs`. */
function waitForRequest(
  standin: TwilioStandin,
  match: (r: StandinRequest) => boolean,
  timeoutMs: number,
  from = 0,
): Promise<StandinRequest | undefined> {
  const found = standin.requests.slice(from).find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve(undefined);
    }, timeoutMs);
    const stop = standin.onRequest((r) => {
      if (!match(r)) return;
      clearTimeout(timer);
      stop();
      resolve(r);
    });
  });
}

// -------------------------------------------------------------------------------------- SMS and WhatsApp

export interface MessagingOptions {
  channel: 'sms' | 'whatsapp';
  /** Conversations (distinct fictional numbers unless `from` is given). */
  count: number;
  from?: string;
  language: Language;
  message?: string;
  /** Wait up to this long for Harbour's first reply to each conversation (seconds). */
  waitS: number;
  /** Then keep acknowledging Harbour's replies for this long (seconds), e.g. while an advocate answers. */
  talkS: number;
}

export interface MessagingResult {
  sent: number;
  webhookMs: number[];
  replies: number;
  /** Conversations with no reply within `waitS`. */
  unanswered: number;
}

const SMS_SAMPLE: Record<Language, string> = {
  en: 'Hi, I need help, my boss keeps my passport (simulated message)',
  fr: 'Bonjour, j’ai besoin d’aide, mon patron garde mon passeport (message simulé)',
  other: 'Hola, necesito ayuda (mensaje simulado)',
};

/**
 * Inbound messages (signed webhooks), then the phone network's part for every message Harbour sends through the
 * stand-in: status callbacks `sent` → `delivered` (WhatsApp also `read`) to the message's StatusCallback.
 */
export async function simulateMessaging(sim: TwilioSim, options: MessagingOptions): Promise<MessagingResult> {
  const result: MessagingResult = { sent: 0, webhookMs: [], replies: 0, unanswered: 0 };
  const prefix = options.channel === 'whatsapp' ? 'whatsapp:' : '';
  const hotline =
    options.channel === 'whatsapp'
      ? (sim.twilio.whatsappFrom ?? `whatsapp:${hotlineNumber(sim.twilio, options.language)}`)
      : hotlineNumber(sim.twilio, options.language);
  // --from: one conversation sending `count` messages; else `count` conversations of one message each.
  const perContact = options.from ? options.count : 1;
  const contacts = Array.from({ length: options.from ? 1 : options.count }, (_, i) => ({
    index: i + 1,
    address: prefix + (options.from ?? fictionalNumber()),
    replies: 0,
    firstReply: undefined as undefined | (() => void),
  }));
  const t0 = performance.now();
  const acknowledgements: Promise<void>[] = [];

  // Harbour's outgoing messages: print, then the delivery callbacks Twilio would send.
  const onRequest = (r: StandinRequest) => {
    if (r.method !== 'POST' || !r.path.endsWith('/Messages.json') || !r.sid || r.status >= 300) return;
    const contact = contacts.find((c) => c.address === r.params.To);
    if (!contact) return;
    contact.replies++;
    result.replies++;
    sim.log(
      `${options.channel} #${contact.index} [${elapsed(t0)}] reply from Harbour: ${JSON.stringify(r.params.Body ?? '')}`,
    );
    contact.firstReply?.();
    const callback = harbourPath(sim, r.params.StatusCallback, '/webhooks/twilio/messaging/status');
    const steps = options.channel === 'whatsapp' ? ['sent', 'delivered', 'read'] : ['sent', 'delivered'];
    acknowledgements.push(
      (async () => {
        for (const status of steps) {
          await sleep(50);
          const s = await postWebhook(sim, callback, {
            AccountSid: sim.twilio.accountSid,
            MessageSid: r.sid!,
            SmsSid: r.sid!,
            MessageStatus: status,
            SmsStatus: status,
            From: r.params.From ?? hotline,
            To: r.params.To ?? contact.address,
            ApiVersion: '2010-04-01',
          });
          sim.log(
            `${options.channel} #${contact.index} [${elapsed(t0)}] reply ${status} (${s.ms.toFixed(0)} ms)`,
          );
        }
      })().catch((e: Error) =>
        sim.log(`${options.channel} #${contact.index}: status callback failed: ${e.message}`),
      ),
    );
  };
  const stop = sim.standin.onRequest(onRequest);
  try {
    const replied = contacts.map(
      (c) =>
        new Promise<boolean>((resolve) => {
          if (c.replies > 0) return resolve(true);
          const timer = setTimeout(() => resolve(c.replies > 0), options.waitS * 1000);
          c.firstReply = () => {
            clearTimeout(timer);
            resolve(true);
          };
        }),
    );
    for (const c of contacts)
      for (let k = 1; k <= perContact; k++) {
        const messageSid = twilioSid('SM');
        const text = options.message ?? SMS_SAMPLE[options.language];
        const body = perContact > 1 ? `${text} (${k}/${perContact})` : text;
        const r = await postWebhook(sim, '/webhooks/twilio/messaging', {
          AccountSid: sim.twilio.accountSid,
          MessageSid: messageSid,
          SmsMessageSid: messageSid,
          SmsSid: messageSid,
          From: c.address,
          To: hotline,
          Body: body,
          NumMedia: '0',
          NumSegments: '1',
          SmsStatus: 'received',
          ApiVersion: '2010-04-01',
        });
        result.sent++;
        result.webhookMs.push(r.ms);
        sim.log(
          `${options.channel} #${c.index} [${elapsed(t0)}] ${c.address} → ${hotline}: accepted (${r.ms.toFixed(0)} ms)`,
        );
      }
    const answered = await Promise.all(replied);
    result.unanswered = answered.filter((a) => !a).length;
    if (result.unanswered)
      sim.log(`${result.unanswered} conversation(s) got no reply from Harbour within ${options.waitS} s`);
    if (options.talkS > 0) {
      sim.log(`acknowledging Harbour's replies for ${options.talkS} s…`);
      await sleep(options.talkS * 1000);
    }
    await Promise.all(acknowledgements);
  } finally {
    stop();
  }
  return result;
}

// ------------------------------------------------------------------------------------------------- e-mail

export interface EmailOptions {
  host: string;
  port: number;
  /** The hotline's address (RCPT TO). */
  to: string;
  count: number;
  /** SMTP connections used at once. */
  connections: number;
  from?: string;
  language: Language;
  message?: string;
  /** HARBOUR_DATA_DIR: the last simulated message is remembered in its simulator/ folder for `replyToLast`. */
  threadDir?: string;
  /** Thread onto the last message of the previous run (Harbour's reply when there is one in the outbox). */
  replyToLast?: boolean;
  log?: (line: string) => void;
}

export interface EmailResult {
  sent: number;
  ms: number[];
  seconds: number;
  refused: string[];
}

const EMAIL_SAMPLE: Record<Language, { subject: string; text: string }> = {
  en: {
    subject: 'Need advice (simulated)',
    text: 'Hello,\n\nA friend works at a fictional farm and cannot leave. What can she do?\n\n(simulated message)',
  },
  fr: {
    subject: 'Besoin de conseils (simulé)',
    text: 'Bonjour,\n\nUne amie travaille dans une ferme fictive et ne peut pas partir. Que peut-elle faire ?\n\n(message simulé)',
  },
  other: {
    subject: 'Ayuda (simulado)',
    text: 'Hola,\n\nNecesito ayuda para una amiga.\n\n(mensaje simulado)',
  },
};

interface Thread {
  from: string;
  messageId: string;
  references: string[];
  subject: string;
}

const stateFile = (dataDir: string) => path.join(dataDir, 'simulator', 'email-thread.json');

/** The last message of the simulator's previous e-mail, or Harbour's newer reply to it in the dev outbox. */
function lastThread(dataDir: string): Thread | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  const thread = JSON.parse(readFileSync(file, 'utf8')) as Thread;
  const outbox = path.join(dataDir, 'outbox');
  if (!existsSync(outbox)) return thread;
  const mine = `<${thread.messageId.replace(/^<|>$/g, '')}>`;
  const replies = readdirSync(outbox)
    .filter((n) => n.endsWith('.eml'))
    .map((n) => path.join(outbox, n))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of replies.slice(0, 200)) {
    const head = readFileSync(file, 'utf8')
      .split(/\r?\n\r?\n/)[0]!
      .replace(/\r?\n[ \t]+/g, ' ');
    const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
    const refs = `${header('In-Reply-To') ?? ''} ${header('References') ?? ''}`;
    const id = header('Message-ID');
    if (id && refs.includes(mine))
      return {
        from: thread.from,
        messageId: id,
        references: [...thread.references, mine, id].filter((v, i, a) => a.indexOf(v) === i),
        subject: thread.subject,
      };
  }
  return thread;
}

/** Real SMTP to Harbour's listener: `count` messages over `connections` connections; 250 = committed. */
export async function simulateEmails(options: EmailOptions): Promise<EmailResult> {
  const result: EmailResult = { sent: 0, ms: [], seconds: 0, refused: [] };
  const log = options.log ?? (() => {});
  const previous = options.replyToLast && options.threadDir ? lastThread(options.threadDir) : undefined;
  if (options.replyToLast && !previous)
    throw new SimulateError('--reply-to-last: no earlier simulated e-mail to reply to (send one first)');
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: options.connections,
    maxMessages: Number.POSITIVE_INFINITY,
    connectionTimeout: 10_000,
    socketTimeout: 60_000,
  });
  const sample = EMAIL_SAMPLE[options.language];
  const t0 = performance.now();
  let next = 0;
  let last: Thread | undefined;
  try {
    await Promise.all(
      Array.from({ length: Math.min(options.connections, options.count) }, async () => {
        while (next < options.count) {
          const i = next++;
          const from = previous?.from ?? options.from ?? fictionalEmail();
          const domain = from.split('@')[1] ?? 'sender.example';
          const messageId = `<sim.${hex(12)}@${domain}>`;
          const subject = previous ? `Re: ${previous.subject.replace(/^(re:\s*)+/i, '')}` : sample.subject;
          const t = performance.now();
          try {
            await transport.sendMail({
              from: `Test Person (fictional) <${from}>`,
              to: options.to,
              subject,
              text: options.message ?? sample.text,
              messageId,
              ...(options.language === 'other' ? {} : { headers: { 'Content-Language': options.language } }),
              ...(previous
                ? { inReplyTo: previous.messageId, references: [...previous.references, previous.messageId] }
                : {}),
            });
            result.sent++;
            result.ms.push(performance.now() - t);
            last = {
              from,
              messageId,
              subject,
              references: previous ? [...previous.references, previous.messageId] : [],
            };
            log(
              `email #${i + 1} [${elapsed(t0)}] ${from} → ${options.to}: 250 accepted (${(performance.now() - t).toFixed(0)} ms)`,
            );
          } catch (e) {
            const err = e as { code?: string; responseCode?: number; response?: string; message: string };
            if (err.code === 'ECONNECTION' || err.code === 'ETIMEDOUT' || err.code === 'ESOCKET')
              throw new SimulateError(
                `Harbour's SMTP listener is not reachable at ${options.host}:${options.port} (SMTP_PORT; is the server running?)`,
              );
            const why = err.responseCode ? `${err.responseCode} ${err.response ?? ''}`.trim() : err.message;
            result.refused.push(why);
            log(`email #${i + 1} [${elapsed(t0)}] refused: ${why}`);
          }
        }
      }),
    );
  } finally {
    transport.close();
  }
  result.seconds = (performance.now() - t0) / 1000;
  if (last && options.threadDir) {
    mkdirSync(path.dirname(stateFile(options.threadDir)), { recursive: true, mode: 0o700 });
    writeFileSync(stateFile(options.threadDir), JSON.stringify(last), { mode: 0o600 });
  }
  return result;
}
