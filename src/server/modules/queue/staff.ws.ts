import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Bus, BusEvent } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { errorBody } from '../../platform/http.js';
import { t } from '../../platform/i18n.js';
import { staff } from '../../platform/policy.js';
import { staffRepository as repo } from './staff.repository.js';

/** Who may open the staff socket: those who handle signals, and admins (wallboard). */
export const STAFF_SOCKET_POLICY = staff(['advocate', 'supervisor', 'admin']);
const OVERSEERS = new Set(['supervisor', 'admin']);
const HANDLERS = new Set(['advocate', 'supervisor']);
const MAX_FRAME_BYTES = 8 * 1024;
const MAX_WATCHED = 20;
/** Queue and wallboard pokes are coalesced: one per socket per this many ms, whatever the traffic. */
const COALESCE_MS = 150;
/** How often an open socket re-checks that its session is still good. */
const SESSION_CHECK_MS = 60_000;

export interface StaffSocketDeps {
  db: Db;
  bus: Bus;
  /** The public origin (HARBOUR_PUBLIC_URL); the request's own host is accepted too. */
  publicUrl: string;
  sessionIdleMinutes: number;
  sessionCheckMs?: number;
  now?: () => Date;
}

interface Conn {
  socket: WebSocket;
  userId: string;
  role: string;
  sessionId: string | undefined;
  locale: 'en-CA' | 'fr-CA';
  watching: Set<string>;
  pending: Set<'queue' | 'wallboard'>;
  flush: NodeJS.Timeout | undefined;
}

/** Same-origin only: a page on another site must not ride on a staff member's cookie (WebSocket hijacking). */
export function originAllowed(origin: string | undefined, host: string | undefined, publicUrl: string) {
  if (!origin) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === new URL(publicUrl).origin) return true;
  return host !== undefined && o.host === host && (o.protocol === 'http:' || o.protocol === 'https:');
}

/**
 * The staff WebSocket `GET /api/ws`: cookie session (the access-control hook authenticates the upgrade request
 * like any other), same origin only. It pushes small events — ids and counters, never text — and the console
 * fetches what they name: offers to the person offered, conversation events to its advocate (and supervisors
 * watching it), queue pokes to those who handle signals, wallboard pokes to supervisors and admins.
 */
export async function staffSocketRoutes(app: FastifyInstance, deps: StaffSocketDeps) {
  const { db, bus } = deps;
  const now = deps.now ?? (() => new Date());
  const conns = new Set<Conn>();
  /** Signal → assigned user, dropped whenever the signal changes (a `signal` event), so transfers are seen. */
  const assigned = new Map<string, string | null>();

  const send = (c: Conn, frame: Record<string, unknown>) => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(frame));
  };
  const poke = (c: Conn, kind: 'queue' | 'wallboard') => {
    c.pending.add(kind);
    c.flush ??= setTimeout(() => {
      c.flush = undefined;
      for (const k of c.pending) send(c, { type: k });
      c.pending.clear();
    }, COALESCE_MS);
  };

  async function assigneeOf(signalId: string): Promise<string | null> {
    if (assigned.has(signalId)) return assigned.get(signalId) ?? null;
    const user = (await repo.assignedUser(db, signalId)) ?? null;
    if (assigned.size > 10_000) assigned.clear();
    assigned.set(signalId, user);
    return user;
  }

  /** The advocate of the conversation and any supervisor watching it. */
  async function conversationAudience(signalId: string): Promise<Conn[]> {
    const owner = await assigneeOf(signalId);
    return [...conns].filter((c) => c.userId === owner || c.watching.has(signalId));
  }

  async function dispatch(event: BusEvent) {
    if (conns.size === 0) return;
    switch (event.topic) {
      case 'offer':
        for (const c of conns)
          if (c.userId === event.user) send(c, { type: 'offer', id: event.id, signal: event.signal });
        return;
      case 'signal': {
        assigned.delete(event.id);
        const audience = new Set(await conversationAudience(event.id));
        for (const c of conns) {
          if (audience.has(c)) send(c, { type: 'signal', signal: event.id, state: event.state });
          if (HANDLERS.has(c.role)) poke(c, 'queue');
          if (OVERSEERS.has(c.role)) poke(c, 'wallboard');
        }
        return;
      }
      case 'message':
        for (const c of await conversationAudience(event.signal))
          send(c, { type: 'message', signal: event.signal, seq: event.seq, sender: event.sender });
        return;
      case 'typing':
        for (const c of await conversationAudience(event.signal))
          send(c, { type: 'typing', signal: event.signal, who: event.who, on: event.on });
        return;
      case 'read':
        for (const c of await conversationAudience(event.signal))
          send(c, { type: 'read', signal: event.signal, who: event.who, seq: event.seq });
        return;
      case 'delivery':
        for (const c of await conversationAudience(event.signal))
          send(c, { type: 'delivery', signal: event.signal, seq: event.seq, status: event.status });
        return;
      case 'call':
        for (const c of await conversationAudience(event.signal))
          send(c, { type: 'call', signal: event.signal });
        return;
      case 'outbox':
        return;
      case 'presence':
        for (const c of conns) {
          send(c, { type: 'presence', user: event.user });
          if (OVERSEERS.has(c.role)) poke(c, 'wallboard');
        }
        return;
      case 'resync':
        assigned.clear();
        for (const c of conns) {
          if (HANDLERS.has(c.role)) poke(c, 'queue');
          if (OVERSEERS.has(c.role)) poke(c, 'wallboard');
        }
        return;
    }
  }

  let unsubscribe: (() => void) | undefined;
  let sessionTimer: NodeJS.Timeout | undefined;
  // Events are dispatched one after another, so a socket sees them in the order they were committed.
  let chain: Promise<void> = Promise.resolve();
  app.addHook('onReady', async () => {
    unsubscribe = bus.subscribe((event) => {
      chain = chain
        .then(() => dispatch(event))
        .catch((err) => app.log.warn({ err: { type: (err as Error)?.name } }, 'staff socket event'));
    });
    sessionTimer = setInterval(() => {
      const at = now();
      for (const c of conns) {
        if (!c.sessionId) continue;
        repo
          .sessionActive(db, c.sessionId, at, deps.sessionIdleMinutes)
          .then((ok) => {
            if (!ok) c.socket.close(4401, 'session ended');
          })
          .catch(() => {});
      }
    }, deps.sessionCheckMs ?? SESSION_CHECK_MS);
    sessionTimer.unref?.();
  });
  app.addHook('onClose', async () => {
    unsubscribe?.();
    if (sessionTimer) clearInterval(sessionTimer);
    for (const c of conns) if (c.flush) clearTimeout(c.flush);
  });

  const errorFrame = (c: Conn, code: string) => send(c, { type: 'error', code, message: t(c.locale, code) });

  function onFrame(c: Conn, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) {
    const size = Array.isArray(data)
      ? data.reduce((n, b) => n + b.length, 0)
      : data instanceof ArrayBuffer
        ? data.byteLength
        : data.length;
    if (isBinary || size > MAX_FRAME_BYTES) return errorFrame(c, 'PAYLOAD_TOO_LARGE');
    let frame: { type?: unknown; signal?: unknown };
    try {
      frame = JSON.parse(String(data)) as typeof frame;
    } catch {
      return errorFrame(c, 'MALFORMED_JSON');
    }
    if (!frame || typeof frame !== 'object') return errorFrame(c, 'MALFORMED_JSON');
    const signalId =
      typeof frame.signal === 'string' && /^[0-9a-f-]{36}$/i.test(frame.signal) ? frame.signal : undefined;
    switch (frame.type) {
      case 'ping':
        return send(c, { type: 'pong' });
      case 'watch':
        if (!OVERSEERS.has(c.role) || c.role === 'admin') return errorFrame(c, 'FORBIDDEN');
        if (!signalId || c.watching.size >= MAX_WATCHED) return errorFrame(c, 'VALIDATION_FAILED');
        c.watching.add(signalId);
        return send(c, { type: 'watching', signal: signalId });
      case 'unwatch':
        if (signalId) c.watching.delete(signalId);
        return send(c, { type: 'unwatching', signal: signalId ?? null });
      default:
        return errorFrame(c, 'VALIDATION_FAILED');
    }
  }

  // An upgrade refused before @fastify/websocket's own onRequest hook ran (the access-control hook answers 401/403
  // first) is not closed by that plugin: the socket would stay open after the answer, and the server could never
  // close. Any refused upgrade of this route ends its socket once the answer is out.
  app.addHook('onResponse', async (request) => {
    const socket = request.raw.socket;
    if (request.headers.upgrade?.toLowerCase() !== 'websocket' || !socket || socket.destroyed) return;
    if (request.ws) return;
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });

  app.route({
    method: 'GET',
    url: '/api/ws',
    config: { policy: STAFF_SOCKET_POLICY },
    schema: {
      tags: ['queue'],
      summary: 'Staff WebSocket: live events of the queue (upgrade only; same origin, cookie session)',
    },
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.ws) return;
      if (!originAllowed(request.headers.origin, request.headers.host, deps.publicUrl))
        return reply.code(403).send(errorBody(request.locale, 'ORIGIN_REFUSED'));
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) =>
      reply.code(426).header('upgrade', 'websocket').send(errorBody(request.locale, 'UPGRADE_REQUIRED')),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const auth = request.auth!;
      const c: Conn = {
        socket,
        userId: auth.user.id,
        role: auth.user.role,
        sessionId: auth.kind === 'session' ? auth.sessionId : undefined,
        locale: request.locale,
        watching: new Set(),
        pending: new Set(),
        flush: undefined,
      };
      conns.add(c);
      socket.on('message', (data, isBinary) => onFrame(c, data, isBinary));
      socket.on('close', () => {
        conns.delete(c);
        if (c.flush) clearTimeout(c.flush);
      });
      send(c, { type: 'hello', user: c.userId, role: c.role });
    },
  });
}
