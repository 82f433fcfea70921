import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_KEY, testConfig } from '../../../../test/helpers/app.js';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import { buildApp, type HarbourApp } from '../../app.js';
import { sessions } from '../../db/schema.js';
import { createBus } from '../../platform/bus.js';
import { sha256 } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import { registerAccessControl } from '../../platform/http.js';
import { createSignalsService, type SignalsService } from './signals.service.js';
import { originAllowed, staffSocketRoutes } from './staff.ws.js';

// A real server on a port of its own, on a database of its own (its router must see only this test's advocates).
let iso: { database: Database; drop(): Promise<void> };
let harbour: HarbourApp;
let base: string;
let signals: SignalsService;

beforeAll(async () => {
  iso = await isolatedDatabase();
  harbour = await buildApp({ config: testConfig({ offerTimeoutS: 60 }), db: iso.database.db });
  await harbour.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(harbour.app.server.address() as AddressInfo).port}`;
  signals = createSignalsService({ db: iso.database.db, encryptionKey: TEST_KEY });
});
afterAll(async () => {
  await harbour?.app.close();
  await iso?.drop();
});

interface Frame {
  type: string;
  [key: string]: unknown;
}

/** A staff socket that records frames; `next` waits for one that matches. */
function staffSocket(session: TestSession | undefined, origin = base) {
  const frames: Frame[] = [];
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, {
    origin,
    headers: session ? { cookie: session.headers.cookie! } : {},
  });
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  const opened = new Promise<number>((resolve) => {
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    socket.once('error', () => resolve(0));
  });
  const next = async (match: (f: Frame) => boolean, ms = 5000): Promise<Frame> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { socket, frames, opened, next };
}

async function signedIn(role: 'advocate' | 'supervisor' | 'analyst' | 'admin') {
  const user = await createUser(iso.database.db, { role });
  return { user, session: await sessionFor(iso.database.db, user) };
}

describe('staff WebSocket /api/ws', () => {
  it('pushes the offer to the advocate offered, then the conversation events to them only', async () => {
    const a = await signedIn('advocate');
    const b = await signedIn('advocate');
    const available = await harbour.app.inject({
      method: 'PUT',
      url: '/api/presence',
      headers: a.session.headers,
      payload: { status: 'available', languages: ['en'] },
    });
    expect(available.statusCode).toBe(200);
    const wsA = staffSocket(a.session);
    const wsB = staffSocket(b.session);
    expect(await wsA.opened).toBe(101);
    expect(await wsB.opened).toBe(101);
    await wsA.next((f) => f.type === 'hello');

    // A visitor starts a chat: the router (woken by the bus) offers it to `a`, the only one available.
    const { signal: chat } = await signals.startChat({ language: 'en' });
    const offered = await wsA.next((f) => f.type === 'offer' && f.signal === chat.id);
    expect(typeof offered.id).toBe('string');
    expect(wsB.frames.some((f) => f.type === 'offer')).toBe(false);

    const accepted = await harbour.app.inject({
      method: 'POST',
      url: `/api/offers/${offered.id as string}/accept`,
      headers: a.session.headers,
      payload: {},
    });
    expect(accepted.statusCode).toBe(200);
    await wsA.next((f) => f.type === 'signal' && f.signal === chat.id && f.state === 'active');

    await signals.appendMessage({
      signalId: chat.id,
      sender: 'visitor',
      clientId: 'v-1',
      text: 'Hello (fictional)',
    });
    const message = await wsA.next((f) => f.type === 'message' && f.signal === chat.id);
    expect(message.seq).toBe(1);
    await signals.setTyping(chat.id, 'visitor', true);
    await wsA.next((f) => f.type === 'typing' && f.signal === chat.id && f.on === true);
    // Events carry ids and counters, never the text; the other advocate gets queue pokes, not the conversation.
    expect(JSON.stringify(wsA.frames)).not.toContain('Hello (fictional)');
    await wsB.next((f) => f.type === 'queue');
    expect(wsB.frames.some((f) => f.type === 'message' || f.type === 'typing')).toBe(false);
    wsA.socket.close();
    wsB.socket.close();
  });

  it('a supervisor watching a conversation gets its events; the wallboard pokes go to supervisors', async () => {
    const a = await signedIn('advocate');
    const sup = await signedIn('supervisor');
    const { signal: chat } = await signals.startChat({ language: 'fr' });
    const ws = staffSocket(sup.session);
    expect(await ws.opened).toBe(101);
    await ws.next((f) => f.type === 'hello');
    ws.socket.send(JSON.stringify({ type: 'watch', signal: chat.id }));
    await ws.next((f) => f.type === 'watching');
    await signals.appendMessage({ signalId: chat.id, sender: 'visitor', clientId: 'v-1', text: 'Bonjour' });
    await ws.next((f) => f.type === 'message' && f.signal === chat.id);
    await harbour.app.inject({
      method: 'PUT',
      url: '/api/presence',
      headers: a.session.headers,
      payload: { status: 'break' },
    });
    await ws.next((f) => f.type === 'presence' && f.user === a.user.id);
    await ws.next((f) => f.type === 'wallboard');
    // Unknown and malformed frames get an error frame; the socket stays open.
    ws.socket.send('not json');
    await ws.next((f) => f.type === 'error' && f.code === 'MALFORMED_JSON');
    ws.socket.send(JSON.stringify({ type: 'ping' }));
    await ws.next((f) => f.type === 'pong');
    ws.socket.close();
  });

  it('refuses another origin, no session, and roles that do not work the queue', async () => {
    const a = await signedIn('advocate');
    expect(await staffSocket(a.session, 'https://evil.example').opened).toBe(403);
    expect(await staffSocket(undefined).opened).toBe(401);
    const analyst = await signedIn('analyst');
    expect(await staffSocket(analyst.session).opened).toBe(403);
    const admin = await signedIn('admin');
    const ws = staffSocket(admin.session);
    expect(await ws.opened).toBe(101);
    ws.socket.close();
    const plain = await harbour.app.inject({ method: 'GET', url: '/api/ws', headers: a.session.headers });
    expect(plain.statusCode).toBe(426);
  });

  it('originAllowed: the public origin or the request host only', () => {
    expect(originAllowed('https://hotline.example.org', 'x:1', 'https://hotline.example.org')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9', '127.0.0.1:9', 'https://hotline.example.org')).toBe(true);
    expect(originAllowed('https://evil.example', '127.0.0.1:9', 'https://hotline.example.org')).toBe(false);
    expect(originAllowed(undefined, '127.0.0.1:9', 'https://hotline.example.org')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:9', 'https://hotline.example.org')).toBe(false);
  });
});

describe('staff WebSocket: a session that ends', () => {
  it('closes the open socket (4401) once its session is gone', async () => {
    // The socket alone, with a short session check, behind the real access-control hook.
    const db = iso.database.db;
    const bus = await createBus(db);
    const app = Fastify();
    await app.register(fastifyCookie);
    registerAccessControl(
      app,
      {
        session: async (cookie) => {
          const [row] = await db
            .select()
            .from(sessions)
            .where(eq(sessions.id, sha256(cookie)));
          if (!row) return undefined;
          return {
            kind: 'session',
            user: {
              id: row.userId,
              email: 'x',
              role: 'advocate',
              locale: 'en-CA',
              isDemo: false,
              totpEnabled: true,
            },
            sessionId: row.id,
            stage: 'active',
            csrfToken: row.csrfToken,
          };
        },
        token: async () => undefined,
      },
      [],
      [],
      1000,
    );
    await app.register(fastifyWebsocket);
    await app.register(staffSocketRoutes, {
      db,
      bus,
      publicUrl: 'http://harbour.test',
      sessionIdleMinutes: 30,
      sessionCheckMs: 30,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const { session } = await signedIn('advocate');
      const socket = new WebSocket(`${url.replace('http', 'ws')}/api/ws`, {
        origin: url,
        headers: { cookie: session.headers.cookie! },
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      await new Promise((r) => setTimeout(r, 100));
      expect(socket.readyState).toBe(WebSocket.OPEN);
      await db.delete(sessions).where(eq(sessions.id, sha256(session.cookie)));
      expect(await closed).toBe(4401);
    } finally {
      await app.close();
      await bus.close();
    }
  });
});
