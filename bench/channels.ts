import { createServer } from 'node:net';
import WebSocket from 'ws';
import {
  fictionalNumber,
  postWebhook,
  simulateEmails,
  type TwilioSim,
  twilioSid,
} from '../src/cli/simulate-channels.js';
import { startTwilioStandin, type TwilioStandin } from '../src/cli/twilio-standin.js';
import { DEMO_PASSWORD } from '../src/server/modules/demo/demo.seed.js';
import { identityRepository } from '../src/server/modules/identity/identity.repository.js';
import { hashPassword } from '../src/server/modules/identity/identity.service.js';
import type { Database } from '../src/server/platform/db.js';
import { benchOnBothDatabases, type Row, startServer, summarise } from './lib.js';

/**
 * Channels (issue 5) under load, through the real server process (bundle), real webhooks and real SMTP:
 * - calls: incoming + menu webhooks (the call is queued: committed when the menu webhook answers) and ringing →
 *   the offer on an available advocate's staff socket (the queued call reached routing); one call at a time;
 * - SMS: webhook → 200 (the message committed) and webhook → the `message` event on the assigned advocate's
 *   socket, with SMS_CONTACTS conversations answered by advocates, each sending its next message when the last
 *   one reached the advocate;
 * - e-mail intake: EMAILS messages over EMAIL_CONNECTIONS SMTP connections, each answered 250 only once committed.
 * Harbour's REST calls go to an in-process Twilio stand-in. On PGlite, and on PostgreSQL with DATABASE_URL.
 * `node --import tsx bench/channels.ts`. Figures are printed; no test asserts timings.
 */
const PORT = process.env.BENCH_PORT ?? '18097';
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const SMS_CONTACTS = Number(process.env.BENCH_SMS_CONTACTS ?? 40);
const SMS_MESSAGES = Number(process.env.BENCH_SMS_MESSAGES ?? 10); // per conversation, measured
const EMAILS = Number(process.env.BENCH_EMAILS ?? 1000);
const EMAIL_CONNECTIONS = Number(process.env.BENCH_EMAIL_CONNECTIONS ?? 8);
const PER_ADVOCATE = 20;
const ADVOCATES = Math.max(1, Math.ceil(SMS_CONTACTS / PER_ADVOCATE));

const ACCOUNT_SID = `AC${'be'.repeat(16)}`;
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const PUBLIC_URL = 'http://harbour.bench.example';
const HOTLINE = '+15550100001';
const HOTLINE_EMAIL = 'help@hotline.harbour.example';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wsUrl = (base: string, p: string) => `${base.replace(/^http/, 'ws')}${p}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Bench advocates, created before the server starts (PGlite allows one process at a time). */
async function createAdvocates(database: Database): Promise<string[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const emails: string[] = [];
  for (let i = 1; i <= ADVOCATES; i++) {
    const email = `bench-channels-${i}@demo.harbour.example`;
    if (!(await identityRepository.findUserByEmail(database.db, email)))
      await identityRepository.insertUser(database.db, {
        email,
        displayName: `Bench Channels Advocate ${i} (fictional)`,
        role: 'advocate',
        locale: 'en-CA',
        passwordHash,
        isDemo: true,
      });
    emails.push(email);
  }
  return emails;
}

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(base: string, email: string): Promise<Session> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const body = (await res.json()) as { csrfToken?: string };
  const cookie = /harbour_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 200 || !cookie)
    throw new Error(`sign-in ${email}: ${res.status} ${JSON.stringify(body)}`);
  return { cookie, csrf: body.csrfToken ?? '' };
}

async function staffCall(base: string, s: Session, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

interface Frame {
  type: string;
  id?: string;
  signal?: string;
  seq?: number;
  sender?: string;
}

/** An advocate online: available, staff socket open; `onFrame` sees every frame with its arrival time. */
async function online(base: string, email: string, onFrame: (f: Frame, at: number, s: Session) => void) {
  const session = await signIn(base, email);
  await staffCall(base, session, 'PUT', '/api/presence', {
    status: 'available',
    languages: ['en', 'fr'],
    maxChats: PER_ADVOCATE,
  });
  const socket = new WebSocket(wsUrl(base, '/api/ws'), { headers: { cookie: session.cookie }, origin: base });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.on('message', (data) => {
    const at = performance.now();
    onFrame(JSON.parse(String(data)) as Frame, at, session);
  });
  return {
    session,
    async offline() {
      await staffCall(base, session, 'PUT', '/api/presence', { status: 'offline' }).catch(() => {});
      socket.close();
    },
  };
}

async function calls(sim: TwilioSim, email: string, label: string, rows: Row[]) {
  let offerSeen: ((at: number) => void) | undefined;
  const advocate = await online(sim.url, email, (f, at) => {
    if (f.type === 'offer') offerSeen?.(at);
  });
  const webhooks: number[] = [];
  const toOffer: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < CALLS; i++) {
      const callSid = twilioSid('CA');
      const from = fictionalNumber();
      const base = {
        AccountSid: ACCOUNT_SID,
        CallSid: callSid,
        From: from,
        To: HOTLINE,
        Direction: 'inbound',
      };
      const offered = new Promise<number | undefined>((resolve) => {
        offerSeen = resolve;
        setTimeout(() => resolve(undefined), 10_000);
      });
      const t0 = performance.now();
      await postWebhook(sim, '/webhooks/twilio/voice', { ...base, CallStatus: 'ringing' });
      const menu = await postWebhook(sim, '/webhooks/twilio/voice/menu', {
        ...base,
        CallStatus: 'in-progress',
        Digits: '1',
      });
      if (!/<Enqueue\b/.test(menu.body))
        throw new Error('the call was not queued (is the advocate available?)');
      webhooks.push(performance.now() - t0);
      const at = await offered;
      offerSeen = undefined;
      if (at === undefined) missed++;
      else toOffer.push(at - t0);
      // The caller hangs up: the offer is withdrawn, the next call starts from an idle advocate.
      await postWebhook(sim, '/webhooks/twilio/voice/queue-result', {
        ...base,
        CallStatus: 'completed',
        QueueResult: 'hangup',
      });
      await postWebhook(sim, '/webhooks/twilio/voice/status', { ...base, CallStatus: 'completed' });
    }
  } finally {
    await advocate.offline();
  }
  rows.push(
    summarise(
      'call: incoming + menu webhooks (queued, committed)',
      label,
      'ms',
      webhooks,
      '',
      `${CALLS} calls`,
    ),
  );
  rows.push(
    summarise(
      'call: ringing → offer on the advocate socket',
      label,
      'ms',
      toOffer,
      '',
      `${missed} offers not seen within 10 s`,
    ),
  );
}

async function sms(sim: TwilioSim, emails: string[], label: string, rows: Row[]) {
  const contacts = Array.from({ length: SMS_CONTACTS }, (_, i) => ({
    // Distinct fictional numbers: 555-0100…0199 over several area codes.
    number: `+1${[416, 514, 613, 604, 902, 204, 306, 709][Math.floor(i / 100) % 8]}55501${String(i % 100).padStart(2, '0')}`,
    firstSid: twilioSid('SM'),
    signal: undefined as string | undefined,
  }));
  const bySid = new Map(contacts.map((c) => [c.firstSid, c]));
  const waiters = new Map<string, (at: number) => void>(); // signal id → the next visitor message event
  let answered = 0;
  const advocates = await Promise.all(
    emails.map((email) =>
      online(sim.url, email, (f, at, session) => {
        if (f.type === 'message' && f.sender === 'visitor' && f.signal) {
          const w = waiters.get(f.signal);
          if (w) {
            waiters.delete(f.signal);
            w(at);
          }
        } else if (f.type === 'offer' && f.id) {
          void (async () => {
            try {
              const { signalId } = (await staffCall(
                sim.url,
                session,
                'POST',
                `/api/offers/${f.id}/accept`,
                {},
              )) as {
                signalId: string;
              };
              const detail = (await staffCall(sim.url, session, 'GET', `/api/signals/${signalId}`)) as {
                signal: { messages: { clientId: string }[] };
              };
              const contact = bySid.get(detail.signal.messages[0]?.clientId ?? '');
              if (contact) {
                contact.signal = signalId;
                answered++;
              }
            } catch {
              // Withdrawn or taken: the router offers it again.
            }
          })();
        }
      }),
    ),
  );
  const inbound = (from: string, sid: string, body: string) =>
    postWebhook(sim, '/webhooks/twilio/messaging', {
      AccountSid: ACCOUNT_SID,
      MessageSid: sid,
      From: from,
      To: HOTLINE,
      Body: body,
      NumMedia: '0',
    });
  const committed: number[] = [];
  const toSocket: number[] = [];
  let lost = 0;
  let seconds = 0;
  try {
    for (const c of contacts)
      await inbound(c.number, c.firstSid, 'Hello, I need help (benchmark, fictional)');
    const deadline = performance.now() + 120_000;
    while (answered < contacts.length && performance.now() < deadline) await sleep(100);
    const ready = contacts.filter((c) => c.signal);
    const t0 = performance.now();
    await Promise.all(
      ready.map(async (c, i) => {
        await sleep((i * 200) / ready.length);
        for (let m = 0; m < SMS_MESSAGES; m++) {
          const seen = new Promise<number | undefined>((resolve) => {
            waiters.set(c.signal!, resolve);
            setTimeout(() => resolve(undefined), 10_000);
          });
          const t = performance.now();
          await inbound(c.number, twilioSid('SM'), `Benchmark message ${m + 1} (fictional)`);
          committed.push(performance.now() - t);
          const at = await seen;
          if (at === undefined) lost++;
          else toSocket.push(at - t);
        }
      }),
    );
    seconds = (performance.now() - t0) / 1000;
    rows.push(
      summarise(
        'sms: webhook → 200 (message committed)',
        label,
        'ms',
        committed,
        '',
        `${ready.length}/${contacts.length} conversations answered, ${Math.round(committed.length / Math.max(seconds, 0.001))} msg/s`,
      ),
    );
    rows.push(
      summarise('sms: webhook → advocate socket', label, 'ms', toSocket, '', `${lost} not seen within 10 s`),
    );
  } finally {
    for (const a of advocates) await a.offline();
  }
}

async function email(smtpPort: number, label: string, rows: Row[]) {
  const r = await simulateEmails({
    host: '127.0.0.1',
    port: smtpPort,
    to: HOTLINE_EMAIL,
    count: EMAILS,
    connections: EMAIL_CONNECTIONS,
    language: 'en',
  });
  rows.push(
    summarise(
      `email: SMTP message → 250 (committed), ${EMAIL_CONNECTIONS} connections`,
      label,
      'ms',
      r.ms,
      '',
      `${Math.round(r.sent / r.seconds)}/s ingested, ${r.sent}/${EMAILS} accepted` +
        (r.refused.length ? `, refused: ${r.refused[0]}` : ''),
    ),
  );
}

async function run(env: Record<string, string | undefined>, emails: string[], label: string, rows: Row[]) {
  const standin: TwilioStandin = await startTwilioStandin({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const smtpPort = await freePort();
  const server = await startServer({
    PORT,
    HARBOUR_DEMO: 'true',
    HARBOUR_PUBLIC_RATE_LIMIT: '1000000',
    HARBOUR_SIGN_IN_RATE_LIMIT: '100000',
    HARBOUR_OFFER_TIMEOUT_S: '60',
    HARBOUR_PUBLIC_URL: PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: standin.url,
    TWILIO_NUMBERS: `${HOTLINE}=en:bench`,
    SMTP_PORT: String(smtpPort),
    HARBOUR_EMAIL_ADDRESS: HOTLINE_EMAIL,
    ...env,
  });
  const sim: TwilioSim = {
    url: server.url,
    publicUrl: PUBLIC_URL,
    twilio: {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: standin.url,
      numbers: [{ number: HOTLINE, language: 'en' }],
      demo: false,
    },
    standin,
    log: () => {},
  };
  try {
    if (CALLS > 0) await calls(sim, emails[0]!, label, rows);
    if (SMS_CONTACTS > 0 && SMS_MESSAGES > 0) await sms(sim, emails, label, rows);
    if (EMAILS > 0) await email(smtpPort, label, rows);
  } finally {
    await server.stop();
    await standin.close();
  }
}

await benchOnBothDatabases('channels', createAdvocates, (env, label, emails, rows) =>
  run(env, emails, label, rows),
);
