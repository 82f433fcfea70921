import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import { eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser } from '../../../../test/helpers/factories.js';
import { presence, signal, signalMessage } from '../../db/schema.js';
import { createBus, publish } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { chatLimits, chatSocketRoutes } from './chat.socket.js';
import { createSignalsService, type SignalsService } from './signals.service.js';

type Frame = Record<string, unknown> & { type: string };

/** A visitor over a real WebSocket: every frame received is kept, in order. */
class Visitor {
  readonly frames: Frame[] = [];
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    ws.on('close', () => {
      this.closed = true;
    });
  }
  /** Listens before the socket opens, so a frame sent right after the upgrade is not missed. */
  static async open(base: string, query = ''): Promise<Visitor> {
    const visitor = new Visitor(new WebSocket(`${base}/chat/ws${query}`));
    await new Promise<void>((resolve, reject) => {
      visitor.ws.once('open', () => resolve());
      visitor.ws.once('error', reject);
    });
    return visitor;
  }
  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  /** Waits for a frame matching `match` that arrived after `from` (index); returns it. */
  async next(match: (f: Frame) => boolean, ms = 3000): Promise<Frame> {
    const until = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > until)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  of(type: string) {
    return this.frames.filter((f) => f.type === type);
  }
  async close() {
    if (this.closed) return;
    this.ws.close();
    await new Promise((r) => this.ws.once('close', r));
  }
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

let app: FastifyInstance;
let base: string;
let db: Db;
let signals: SignalsService;

beforeAll(async () => {
  ({ app } = await testApp());
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  db = (await testDatabase()).db;
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});
afterAll(() => app.close());

async function started(v: Visitor, language = 'en') {
  v.send({ type: 'start', language });
  const f = await v.next((x) => x.type === 'started');
  const row = await signals.resumeChat(String(f.token));
  if (!row) throw new Error('no signal for the token');
  return { token: String(f.token), reference: String(f.reference), id: row.id };
}

describe('visitor chat socket', () => {
  it('starts a chat: reference, token, seq 0, a waiting status', async () => {
    const advocate = await createUser(db, { role: 'advocate' });
    await db.insert(presence).values({ userId: advocate.id, status: 'available', languages: ['fr'] });
    const v = await Visitor.open(base, '?lang=fr');
    try {
      const chat = await started(v, 'fr');
      expect(chat.reference).toMatch(/^HB-/);
      const start = v.of('started')[0];
      expect(start?.seq).toBe(0);
      const [row] = await db.select().from(signal).where(eq(signal.id, chat.id));
      expect(row).toMatchObject({ channel: 'chat', language: 'fr' });
      // The router may already have offered it to the advocate available for French.
      expect(['queued', 'offered']).toContain(row?.state);
      const status = await v.next((f) => f.type === 'status');
      expect(status.state).toBe('waiting');
      expect(status.position).toBeGreaterThanOrEqual(1);
    } finally {
      await v.close();
      await db.delete(presence).where(eq(presence.userId, advocate.id));
    }
  });

  it('acknowledges a message only once it is in the database, and a resend with the same id once', async () => {
    const v = await Visitor.open(base);
    try {
      const chat = await started(v);
      v.send({ type: 'message', id: 'c-1', text: 'Hello (fictional)' });
      const ack = await v.next((f) => f.type === 'ack' && f.id === 'c-1');
      expect(ack.seq).toBe(1);
      // When the ack arrives the row is committed: another connection sees it.
      const rows = await db.select().from(signalMessage).where(eq(signalMessage.signalId, chat.id));
      expect(rows.map((r) => [r.seq, r.clientId])).toEqual([[1, 'c-1']]);
      v.send({ type: 'message', id: 'c-1', text: 'Hello (fictional)' });
      await v.next((f) => f.type === 'ack' && f.id === 'c-1' && v.of('ack').length === 2);
      expect(v.of('ack').map((f) => f.seq)).toEqual([1, 1]);
      expect(await db.select().from(signalMessage).where(eq(signalMessage.signalId, chat.id))).toHaveLength(
        1,
      );
    } finally {
      await v.close();
    }
  });

  it('resumes after a reconnect with exactly the missing messages, each once', async () => {
    const v = await Visitor.open(base);
    const chat = await started(v);
    for (const id of ['a', 'b', 'c']) {
      v.send({ type: 'message', id, text: `visitor ${id}` });
      await v.next((f) => f.type === 'ack' && f.id === id);
    }
    await v.close();
    // While the visitor is away, the advocate writes twice.
    await signals.appendMessage({
      signalId: chat.id,
      sender: 'staff',
      clientId: 's-1',
      text: 'Advocate one',
    });
    await signals.appendMessage({
      signalId: chat.id,
      sender: 'staff',
      clientId: 's-2',
      text: 'Advocate two',
    });
    const again = await Visitor.open(base);
    try {
      again.send({ type: 'resume', token: chat.token, after: 3 });
      const resumed = await again.next((f) => f.type === 'resumed');
      expect(resumed.reference).toBe(chat.reference);
      await again.next((f) => f.type === 'message' && f.seq === 5);
      // Then live: one more from the advocate arrives once.
      await signals.appendMessage({
        signalId: chat.id,
        sender: 'staff',
        clientId: 's-3',
        text: 'Advocate three',
      });
      await again.next((f) => f.type === 'message' && f.seq === 6);
      await settle();
      expect(again.of('message').map((f) => [f.seq, f.from, f.text])).toEqual([
        [4, 'advocate', 'Advocate one'],
        [5, 'advocate', 'Advocate two'],
        [6, 'advocate', 'Advocate three'],
      ]);
      // A resume from 0 (a reloaded page) gets the whole conversation, its own messages with their ids.
      const third = await Visitor.open(base);
      third.send({ type: 'resume', token: chat.token, after: 0 });
      await third.next((f) => f.type === 'message' && f.seq === 6);
      expect(third.of('message').map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(third.of('message')[0]).toMatchObject({ from: 'visitor', id: 'a', text: 'visitor a' });
      await third.close();
    } finally {
      await again.close();
    }
  });

  it('tells the visitor when an advocate connects, types and reads', async () => {
    const v = await Visitor.open(base);
    try {
      const chat = await started(v);
      v.send({ type: 'message', id: 'm', text: 'Anyone there?' });
      await v.next((f) => f.type === 'ack');
      await db.transaction(async (tx) => {
        await tx
          .update(signal)
          .set({ state: 'active', answeredAt: new Date() })
          .where(eq(signal.id, chat.id));
        await publish(tx, { topic: 'signal', id: chat.id, state: 'active' });
      });
      await v.next((f) => f.type === 'status' && f.state === 'connected');
      await signals.setTyping(chat.id, 'staff', true);
      await v.next((f) => f.type === 'typing' && f.on === true);
      await signals.markRead(chat.id, 'staff', 1);
      await v.next((f) => f.type === 'read' && f.seq === 1);
      v.send({ type: 'read', seq: 1 });
      v.send({ type: 'typing', on: true });
      await settle();
      expect((await signals.getSignal(chat.id))?.visitorReadSeq).toBe(1);
      expect(v.of('error')).toEqual([]);
    } finally {
      await v.close();
    }
  });

  it('quick close ends the chat at once and marks it', async () => {
    const v = await Visitor.open(base);
    const chat = await started(v);
    v.send({ type: 'quick_close' });
    const ended = await v.next((f) => f.type === 'ended');
    expect(ended.reason).toBe('quick_close');
    const [row] = await db.select().from(signal).where(eq(signal.id, chat.id));
    expect(row).toMatchObject({ state: 'ended', endReason: 'quick_close' });
    await settle(200);
    expect(v.closed).toBe(true);
    // The token of an ended chat resumes read-only: ended again, no new messages accepted.
    const back = await Visitor.open(base);
    back.send({ type: 'resume', token: chat.token, after: 0 });
    await back.next((f) => f.type === 'ended');
    await back.close();
  });

  it('answers hostile and malformed frames with error codes and keeps the connection', async () => {
    const v = await Visitor.open(base, '?lang=fr');
    try {
      v.send({ type: 'message', id: 'early', text: 'before start' });
      await v.next((f) => f.type === 'error' && f.code === 'CHAT_NOT_STARTED');
      v.send({ type: 'resume', token: 'not-a-token-of-anyone-at-all-000', after: 0 });
      await v.next((f) => f.type === 'error' && f.code === 'CHAT_RESUME_INVALID');
      const chat = await started(v);
      const cases: Array<[unknown, string]> = [
        ['{not json', 'FRAME_MALFORMED'],
        ['[1,2,3]', 'FRAME_MALFORMED'],
        ['"start"', 'FRAME_MALFORMED'],
        ['null', 'FRAME_MALFORMED'],
        [{ type: 42 }, 'FRAME_MALFORMED'],
        [{ type: 'sudo', as: 'admin' }, 'FRAME_UNKNOWN_TYPE'],
        [{ type: '__proto__' }, 'FRAME_UNKNOWN_TYPE'],
        [{ type: 'message', id: 'x'.repeat(65), text: 'hi' }, 'FRAME_MALFORMED'],
        [{ type: 'message', id: 'n', text: 42 }, 'FRAME_MALFORMED'],
        [{ type: 'message', id: 'long', text: 'x'.repeat(4001) }, 'MESSAGE_TOO_LONG'],
        [{ type: 'message', id: 'blank', text: '   ' }, 'MESSAGE_EMPTY'],
        [{ type: 'read', seq: -1 }, 'FRAME_MALFORMED'],
        [{ type: 'typing', on: 'yes' }, 'FRAME_MALFORMED'],
        [{ type: 'start', language: 'fr' }, 'CHAT_ALREADY_STARTED'],
        [`{"type":"message","id":"big","text":"${'y'.repeat(17 * 1024)}"}`, 'FRAME_TOO_LARGE'],
      ];
      for (const [frame, code] of cases) {
        const before = v.of('error').length;
        v.send(frame);
        await v.next(() => v.of('error').length > before);
        const err: Frame = v.of('error')[before] ?? { type: 'none' };
        expect([frame, err.code]).toEqual([frame, code]);
        // Localised, and never echoing what was sent.
        expect(typeof err.message).toBe('string');
        expect(String(err.message)).not.toContain('admin');
      }
      const tooLong = v.of('error').find((f) => f.code === 'MESSAGE_TOO_LONG');
      expect(tooLong?.id).toBe('long');
      expect(String(tooLong?.message)).toMatch(/trop long/);
      v.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
      await v.next((f) => f.type === 'error' && v.of('error').length === cases.length + 3);
      // Still open, and hostile text is stored as text and sent back as a JSON string, never interpreted.
      const hostile = `<script>alert(1)</script>'; drop table signal; -- \u202e ${'é'.repeat(3000)} 🙂`;
      v.send({ type: 'message', id: 'h', text: hostile });
      await v.next((f) => f.type === 'ack' && f.id === 'h');
      const [back] = await signals.visitorMessages(chat.id, 0);
      expect(back?.text).toBe(hostile);
      // 4,000 characters of a multi-byte script fit.
      v.send({ type: 'message', id: 'wide', text: '語'.repeat(4000) });
      await v.next((f) => f.type === 'ack' && f.id === 'wide');
    } finally {
      await v.close();
    }
  });

  it('closes a socket that sends a frame over the hard limit (64 KB)', async () => {
    const v = await Visitor.open(base);
    v.send({ type: 'message', id: 'huge', text: 'z'.repeat(70 * 1024) });
    await new Promise((r) => v.ws.once('close', r));
    expect(v.closed).toBe(true);
  });

  it('refuses a flood from one connection without losing anything acknowledged', async () => {
    const v = await Visitor.open(base);
    try {
      const chat = await started(v);
      const ids = Array.from({ length: 60 }, (_, i) => `f-${i}`);
      for (const id of ids) v.send({ type: 'message', id, text: `flood ${id}` });
      await v.next(() => v.of('ack').length + v.of('error').length >= ids.length, 10_000);
      const limited = v.of('error').filter((f) => f.code === 'RATE_LIMITED');
      expect(limited.length).toBeGreaterThan(0);
      const acked = new Map(v.of('ack').map((f) => [f.id, f.seq]));
      expect(acked.size).toBeGreaterThan(0);
      // Everything acknowledged is stored exactly once, with the acked seq.
      const rows = await db.select().from(signalMessage).where(eq(signalMessage.signalId, chat.id));
      expect(new Map(rows.map((r) => [r.clientId, r.seq]))).toEqual(acked);
      // After a pause the refused ones are accepted when resent.
      await settle(1500);
      const retry = limited.slice(0, 5).map((f) => String(f.id));
      for (const id of retry) v.send({ type: 'message', id, text: `flood ${id}` });
      for (const id of retry) await v.next((f) => f.type === 'ack' && f.id === id);
      const after = await db.select().from(signalMessage).where(eq(signalMessage.signalId, chat.id));
      expect(after).toHaveLength(acked.size + retry.length);
    } finally {
      await v.close();
    }
  });
});

describe('visitor chat socket with stand-in parts', () => {
  /** The socket routes alone, on a bare server, with a signal store whose parts a test replaces. */
  async function bare(
    override: Partial<SignalsService>,
    limits = chatLimits(100000),
  ): Promise<{ url: string; close: () => Promise<void> }> {
    const real = createSignalsService({ db, encryptionKey: TEST_KEY });
    const server = Fastify();
    server.decorateRequest('locale', 'en-CA');
    await server.register(fastifyWebsocket);
    const bus = await createBus(db);
    await server.register(chatSocketRoutes, { signals: { ...real, ...override }, bus, limits });
    await server.listen({ port: 0, host: '127.0.0.1' });
    return {
      url: `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
      close: async () => {
        await server.close();
        await bus.close();
      },
    };
  }

  it('says "unavailable" with a clear message when nobody takes that language', async () => {
    const s = await bare({ availableLanguages: async () => new Set() });
    const v = await Visitor.open(s.url);
    try {
      await started(v, 'other');
      const status = await v.next((f) => f.type === 'status');
      expect(status.state).toBe('unavailable');
      expect(String(status.message)).toMatch(/911/);
    } finally {
      await v.close();
      await s.close();
    }
  });

  it('never acknowledges a message whose transaction failed', async () => {
    const s = await bare({
      appendMessage: async () => {
        throw new Error('commit failed (simulated)');
      },
    });
    const v = await Visitor.open(s.url);
    try {
      await started(v);
      v.send({ type: 'message', id: 'lost', text: 'not stored' });
      const err = await v.next((f) => f.type === 'error');
      expect(err).toMatchObject({ code: 'INTERNAL_ERROR', id: 'lost' });
      await settle();
      expect(v.of('ack')).toEqual([]);
    } finally {
      await v.close();
      await s.close();
    }
  });

  it('limits one address across its connections', async () => {
    const s = await bare({}, chatLimits(100000, { addressRate: 1, addressBurst: 10, connectionBurst: 100 }));
    const a = await Visitor.open(s.url);
    const b = await Visitor.open(s.url);
    try {
      for (let i = 0; i < 8; i++) a.send({ type: 'typing', on: i % 2 === 0 });
      for (let i = 0; i < 8; i++) b.send({ type: 'typing', on: i % 2 === 0 });
      await b.next((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
      const refused = a.of('error').length + b.of('error').length;
      expect(refused).toBeGreaterThanOrEqual(6);
    } finally {
      await a.close();
      await b.close();
      await s.close();
    }
  });

  it('limits chat starts and open sockets per address', async () => {
    const s = await bare({}, chatLimits(100000, { startsPerMinute: 2, socketsPerAddress: 3 }));
    const open: Visitor[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push(await Visitor.open(s.url));
      open[0]?.send({ type: 'start' });
      open[1]?.send({ type: 'start' });
      open[2]?.send({ type: 'start' });
      await open[2]?.next((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
      const fourth = await Visitor.open(s.url);
      await fourth.next((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
      await new Promise((r) => fourth.ws.once('close', r));
    } finally {
      for (const v of open) await v.close();
      await s.close();
    }
  });

  it('ends a waiting chat as abandoned when its visitor leaves and does not come back', async () => {
    const s = await bare({}, chatLimits(100000, { abandonAfterMs: 150 }));
    try {
      const v = await Visitor.open(s.url);
      const chat = await started(v);
      await v.close();
      await settle(600);
      const row = await signals.getSignal(chat.id);
      expect(row).toMatchObject({ state: 'ended', endReason: 'abandoned' });
      expect(row?.answeredAt).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('keeps a waiting chat whose visitor came back, even through another process', async () => {
    const limits = chatLimits(100000, { abandonAfterMs: 300 });
    const a = await bare({}, limits);
    const b = await bare({}, limits);
    try {
      const v = await Visitor.open(a.url);
      const chat = await started(v);
      await v.close();
      // Back within the grace time, on the other process.
      const back = await Visitor.open(b.url);
      back.send({ type: 'resume', token: chat.token, after: 0 });
      await back.next((f) => f.type === 'resumed');
      // A's check runs while the visitor is connected to B only: it must see the resume and keep the chat.
      await settle(700);
      const row = await signals.getSignal(chat.id);
      expect(row?.state === 'queued' || row?.state === 'offered').toBe(true);
      await back.close();
      const types = (await signals.timeline(chat.id)).map((e) => e.type);
      expect(types).toContain('visitor_resumed');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('visitor chat and report form logs', () => {
  it('carry no message text, token, contact detail or report content, even at trace level', async () => {
    const lines: string[] = [];
    const { app: logged } = await testApp({ logLevel: 'trace' }, { write: (line) => lines.push(line) });
    try {
      await logged.listen({ port: 0, host: '127.0.0.1' });
      const url = `ws://127.0.0.1:${(logged.server.address() as AddressInfo).port}`;
      const v = await Visitor.open(url, '?lang=fr');
      const chat = await started(v);
      v.send({ type: 'message', id: 'log-1', text: 'CanaryChatText4410 (fictional)' });
      await v.next((f) => f.type === 'ack');
      v.send('{"type":"message","id":"log-2","text":"CanaryMalformed');
      await v.next((f) => f.type === 'error');
      await v.close();
      const again = await Visitor.open(url);
      again.send({ type: 'resume', token: chat.token, after: 0 });
      await again.next((f) => f.type === 'message');
      await again.close();
      await logged.inject({
        method: 'POST',
        url: '/api/public/reports',
        payload: {
          situation: 'CanaryReport5512 (fictional)',
          where: 'CanaryWhere',
          contact: { name: 'CanaryName', phone: '+1 613 555 0142', email: 'canary@example.test' },
        },
      });
      await logged.inject({
        method: 'POST',
        url: '/api/public/reports',
        payload: { situation: 'x'.repeat(10_001), where: 'CanaryTooLong' },
      });
      const log = lines.join('');
      expect(log).toMatch(/\/api\/public\/reports/); // requests are logged…
      expect(log).toMatch(/\/chat\/ws/);
      for (const secret of ['Canary', chat.token, '555 0142', 'canary@example.test']) {
        expect(log).not.toContain(secret); // …without anything they said or who they are
      }
    } finally {
      await logged.close();
    }
  });
});
