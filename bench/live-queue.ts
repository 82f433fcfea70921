import WebSocket from 'ws';
import { simulateForms } from '../src/cli/simulate.js';
import { DEMO_PASSWORD } from '../src/server/modules/demo/demo.seed.js';
import { identityRepository } from '../src/server/modules/identity/identity.repository.js';
import { hashPassword } from '../src/server/modules/identity/identity.service.js';
import type { Database } from '../src/server/platform/db.js';
import { benchOnBothDatabases, type Row, startServer, summarise } from './lib.js';

/**
 * The live queue under load, through the real server process (bundle) and real sockets:
 * - chat latency from a visitor's send (visitor WebSocket) to the advocate's socket (staff WebSocket event),
 *   at 100 and 500 concurrent conversations on one node; every conversation answered by one of ADVOCATES
 *   advocates (max 20 chats each) before measuring; each visitor sends a message every SEND_EVERY_MS;
 * - durable intake: report-form posts and chat starts acknowledged per second (each one committed).
 * On PGlite, and on PostgreSQL with DATABASE_URL. `node --import tsx bench/live-queue.ts`.
 */
const PORT = process.env.BENCH_PORT ?? '18095';
const ADVOCATES = Number(process.env.BENCH_ADVOCATES ?? 30);
const LEVELS = (process.env.BENCH_CONVERSATIONS ?? '100,500')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const SEND_EVERY_MS = Number(process.env.BENCH_SEND_EVERY_MS ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10_000);
const REPORTS = Number(process.env.BENCH_REPORTS ?? 3000);
const STARTS = Number(process.env.BENCH_STARTS ?? 1000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wsUrl = (base: string, p: string) => `${base.replace(/^http/, 'ws')}${p}`;

/** Bench advocates, created before the server starts (PGlite allows one process at a time). */
async function createAdvocates(database: Database): Promise<string[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const emails: string[] = [];
  for (let i = 1; i <= ADVOCATES; i++) {
    const email = `bench-advocate-${i}@demo.harbour.example`;
    if (!(await identityRepository.findUserByEmail(database.db, email)))
      await identityRepository.insertUser(database.db, {
        email,
        displayName: `Bench Advocate ${i} (fictional)`,
        role: 'advocate',
        locale: 'en-CA',
        passwordHash,
        isDemo: true,
      });
    emails.push(email);
  }
  return emails;
}

interface Staff {
  cookie: string;
  csrf: string;
  socket: WebSocket;
}

async function signIn(base: string, email: string): Promise<{ cookie: string; csrf: string }> {
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

async function staffCall(
  base: string,
  s: { cookie: string; csrf: string },
  method: string,
  url: string,
  body?: unknown,
) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Signs the advocates in, makes them available, connects their sockets, and accepts every offer. */
async function advocatesOnline(base: string, emails: string[]) {
  const referenceOf = new Map<string, string>(); // signal id → reference
  const received = new Map<string, number>(); // `${reference}:${seq}` → time on the advocate's socket
  const staff: Staff[] = [];
  for (const email of emails) {
    const session = await signIn(base, email);
    await staffCall(base, session, 'PUT', '/api/presence', {
      status: 'available',
      languages: ['en', 'fr'],
      maxChats: 20,
    });
    const socket = new WebSocket(wsUrl(base, '/api/ws'), {
      headers: { cookie: session.cookie },
      origin: base,
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (data) => {
      const at = performance.now();
      const f = JSON.parse(String(data)) as {
        type: string;
        id?: string;
        signal?: string;
        seq?: number;
        sender?: string;
      };
      if (f.type === 'message' && f.sender === 'visitor' && f.signal) {
        const ref = referenceOf.get(f.signal);
        // (Before the reference is known the conversation is still being set up: not measured.)
        if (ref) received.set(`${ref}:${f.seq}`, at);
      } else if (f.type === 'offer' && f.id) {
        void (async () => {
          try {
            const { signalId } = (await staffCall(
              base,
              session,
              'POST',
              `/api/offers/${f.id}/accept`,
              {},
            )) as {
              signalId: string;
            };
            const detail = (await staffCall(base, session, 'GET', `/api/signals/${signalId}`)) as {
              signal: { reference: string };
            };
            referenceOf.set(signalId, detail.signal.reference);
          } catch {
            // Taken by someone else or withdrawn: the router offers it again.
          }
        })();
      }
    });
    staff.push({ ...session, socket });
  }
  return { staff, referenceOf, received };
}

interface Visitor {
  socket: WebSocket;
  reference?: string;
  connected: boolean;
  sentAt: Map<string, number>; // client id → time sent
  acked: Map<string, number>; // client id → seq
}

async function openVisitor(base: string, language: 'en' | 'fr'): Promise<Visitor> {
  const socket = new WebSocket(wsUrl(base, '/chat/ws'), { origin: base });
  const v: Visitor = { socket, connected: false, sentAt: new Map(), acked: new Map() };
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const started = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const f = JSON.parse(String(data)) as Record<string, unknown>;
      if (f.type === 'started') {
        v.reference = String(f.reference);
        resolve();
      } else if (f.type === 'status' && f.state === 'connected') v.connected = true;
      else if (f.type === 'ack') v.acked.set(String(f.id), Number(f.seq));
    });
  });
  socket.send(JSON.stringify({ type: 'start', language }));
  await started;
  return v;
}

async function chatLatency(base: string, emails: string[], label: string, rows: Row[]) {
  const online = await advocatesOnline(base, emails);
  try {
    for (const n of LEVELS) {
      const visitors: Visitor[] = [];
      for (let i = 0; i < n; i += 50)
        visitors.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(50, n - i) }, (_, k) =>
              openVisitor(base, (i + k) % 2 ? 'fr' : 'en'),
            ),
          )),
        );
      // Wait until every conversation is answered and its advocate knows its reference.
      const deadline = performance.now() + 120_000;
      while (
        performance.now() < deadline &&
        (visitors.some((v) => !v.connected) || online.referenceOf.size < visitors.length)
      )
        await sleep(100);
      const answered = visitors.filter((v) => v.connected).length;
      // Each visitor sends a message every SEND_EVERY_MS (staggered), for MEASURE_MS.
      const end = performance.now() + MEASURE_MS;
      let counter = 0;
      await Promise.all(
        visitors.map(async (v, i) => {
          await sleep((SEND_EVERY_MS * i) / visitors.length);
          while (performance.now() < end) {
            const id = `b-${counter++}`;
            v.sentAt.set(id, performance.now());
            v.socket.send(JSON.stringify({ type: 'message', id, text: 'Benchmark message (fictional).' }));
            await sleep(SEND_EVERY_MS);
          }
        }),
      );
      await sleep(1000);
      const latencies: number[] = [];
      let lost = 0;
      for (const v of visitors) {
        for (const [id, sent] of v.sentAt) {
          const seq = v.acked.get(id);
          const at = seq === undefined ? undefined : online.received.get(`${v.reference}:${seq}`);
          if (at === undefined) lost++;
          else latencies.push(at - sent);
        }
      }
      rows.push(
        summarise(
          `chat: visitor send → advocate socket, ${n} conversations`,
          label,
          'ms',
          latencies,
          n >= 500 ? 'p99 ≤ 25 ms' : '',
          `${answered}/${n} answered, ${Math.round(latencies.length / (MEASURE_MS / 1000))} msg/s, ${lost} not seen`,
        ),
      );
      for (const v of visitors) {
        v.socket.send(JSON.stringify({ type: 'end' }));
        v.socket.close();
      }
      online.referenceOf.clear();
      online.received.clear();
      await sleep(2000);
    }
  } finally {
    for (const s of online.staff) {
      await staffCall(base, s, 'PUT', '/api/presence', { status: 'offline' }).catch(() => {});
      s.socket.close();
    }
  }
}

async function intake(base: string, label: string, rows: Row[]) {
  const reports = await simulateForms({ url: base, count: REPORTS, concurrency: 32, withContact: true });
  rows.push(
    summarise(
      'intake: POST /api/public/reports, 32 in flight',
      label,
      'ms',
      reports.ms,
      '≥ 1,000/s on PostgreSQL',
      `${Math.round(reports.created / reports.seconds)}/s durable, ${reports.created}/${reports.sent} accepted`,
    ),
  );
  // Chat starts: open, start, wait for `started` (committed), close; 32 at a time.
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < STARTS) {
        const t = performance.now();
        const v = await openVisitor(base, next % 2 ? 'fr' : 'en');
        latencies.push(performance.now() - t);
        // The visitor leaves (no `end`: ending is another write, not part of a start; the chat is later
        // marked abandoned by the server).
        v.socket.close();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  rows.push(
    summarise(
      'intake: chat start (connect → started), 32 at once',
      label,
      'ms',
      latencies,
      '≥ 1,000/s on PostgreSQL',
      `${Math.round(latencies.length / seconds)}/s durable`,
    ),
  );
}

const serverEnv = {
  PORT,
  HARBOUR_DEMO: 'true',
  HARBOUR_PUBLIC_RATE_LIMIT: '1000000',
  HARBOUR_SIGN_IN_RATE_LIMIT: '100000',
  HARBOUR_OFFER_TIMEOUT_S: '60',
};

async function run(env: Record<string, string | undefined>, label: string, rows: Row[]) {
  const server = await startServer({ ...serverEnv, ...env });
  try {
    const emails = Array.from(
      { length: ADVOCATES },
      (_, i) => `bench-advocate-${i + 1}@demo.harbour.example`,
    );
    await chatLatency(server.url, emails, label, rows);
    await intake(server.url, label, rows);
  } finally {
    await server.stop();
  }
}

await benchOnBothDatabases('queue', createAdvocates, (env, label, _prepared, rows) => run(env, label, rows));
