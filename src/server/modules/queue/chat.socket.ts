import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Locale } from '../../../shared/roles.js';
import type { SignalRow } from '../../db/schema.js';
import type { Bus, BusEvent } from '../../platform/bus.js';
import { AppError } from '../../platform/errors.js';
import { type MessageKey, t } from '../../platform/i18n.js';
import { publicPolicy } from '../../platform/policy.js';
import { MAX_CLIENT_ID_CHARS, MAX_MESSAGE_CHARS, type SignalsService } from './signals.service.js';

/**
 * The visitor's chat socket, `GET /chat/ws` (docs/api/live-queue.md). JSON text frames; every message is
 * acknowledged only once its transaction committed; a reconnecting visitor resumes with its token from the last
 * seq it has; delivery is driven by bus events (any process may hold the advocate), each socket fetching what
 * it has not been sent yet. Errors are frames with a stable code and the socket stays open; excess frames are
 * refused with RATE_LIMITED (nothing already acknowledged is touched).
 */

export interface ChatLimits {
  /** Largest accepted frame (bytes). */
  frameBytes: number;
  /** Token bucket per connection: frames per second and burst. */
  connectionRate: number;
  connectionBurst: number;
  /** Token bucket per address, shared by its connections. */
  addressRate: number;
  addressBurst: number;
  /** Chat starts per address per minute. */
  startsPerMinute: number;
  /** Open visitor sockets per address. */
  socketsPerAddress: number;
  /** Frames received but not yet answered, per connection. */
  maxPending: number;
  /** A socket whose unsent output exceeds this (a client that never reads) is closed. */
  maxBufferedBytes: number;
  /** A waiting chat whose visitor left and did not come back within this time is ended as `abandoned`. */
  abandonAfterMs: number;
}

/** Defaults scale with HARBOUR_PUBLIC_RATE_LIMIT (requests per minute per address, 120 by default). */
export function chatLimits(publicRateLimit: number, overrides: Partial<ChatLimits> = {}): ChatLimits {
  return {
    // 4,000 characters of any script (up to 4 bytes each in UTF-8) and the JSON around them.
    frameBytes: 16 * 1024,
    connectionRate: 5,
    connectionBurst: 20,
    addressRate: Math.max(5, publicRateLimit / 6),
    addressBurst: Math.max(40, publicRateLimit / 2),
    startsPerMinute: Math.max(3, Math.ceil(publicRateLimit / 4)),
    socketsPerAddress: Math.max(10, Math.ceil(publicRateLimit / 2)),
    maxPending: 32,
    maxBufferedBytes: 1024 * 1024,
    abandonAfterMs: 120_000,
    ...overrides,
  };
}

/** A token bucket: `take()` is false when the budget is spent. */
class Bucket {
  private tokens: number;
  private at = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  full(): boolean {
    const now = Date.now();
    return Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate) >= this.burst;
  }
}

interface AddressState {
  bucket: Bucket;
  sockets: number;
  starts: number[];
}

type VisitorStatus = 'waiting' | 'connected' | 'unavailable';

interface Conn {
  socket: WebSocket;
  locale: Locale;
  signal?: Pick<SignalRow, 'id' | 'reference' | 'language' | 'state'>;
  /** Highest seq sent to this socket (or that the visitor said it has). */
  sentSeq: number;
  delivering: boolean;
  deliverAgain: boolean;
  lastStatus?: string;
  typingOn: boolean;
  ended: boolean;
}

type Frame = Record<string, unknown>;

function send(conn: Conn, frame: Frame, limits: ChatLimits) {
  const ws = conn.socket;
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > limits.maxBufferedBytes) {
    ws.terminate();
    return;
  }
  ws.send(JSON.stringify(frame));
}

function errorFrame(conn: Conn, code: MessageKey, limits: ChatLimits, id?: string) {
  send(
    conn,
    { type: 'error', code, message: t(conn.locale, code), ...(id !== undefined ? { id } : {}) },
    limits,
  );
}

/** Registers `GET /chat/ws`. */
export async function chatSocketRoutes(
  app: FastifyInstance,
  deps: { signals: SignalsService; bus: Bus; limits: ChatLimits },
) {
  const { signals, bus, limits } = deps;
  const bySignal = new Map<string, Set<Conn>>();
  const addresses = new Map<string, AddressState>();

  const attach = (conn: Conn, signal: Conn['signal'] & object) => {
    conn.signal = signal;
    let set = bySignal.get(signal.id);
    if (!set) {
      set = new Set();
      bySignal.set(signal.id, set);
    }
    set.add(conn);
  };
  const detach = (conn: Conn) => {
    if (!conn.signal) return;
    const set = bySignal.get(conn.signal.id);
    set?.delete(conn);
    if (set && set.size === 0) bySignal.delete(conn.signal.id);
  };

  /** Sends every message with seq above what this socket has, in order, once (serialised per socket). */
  const deliver = async (conn: Conn): Promise<void> => {
    if (!conn.signal) return;
    if (conn.delivering) {
      conn.deliverAgain = true;
      return;
    }
    conn.delivering = true;
    try {
      do {
        conn.deliverAgain = false;
        const messages = await signals.visitorMessages(conn.signal.id, conn.sentSeq);
        for (const m of messages) {
          if (m.seq <= conn.sentSeq) continue;
          conn.sentSeq = m.seq;
          send(
            conn,
            {
              type: 'message',
              seq: m.seq,
              from: m.sender === 'staff' ? 'advocate' : m.sender,
              text: m.text,
              at: m.at.toISOString(),
              ...(m.sender === 'visitor' ? { id: m.clientId } : {}),
            },
            limits,
          );
        }
      } while (conn.deliverAgain);
    } catch (err) {
      app.log.error({ err }, 'chat delivery failed');
    } finally {
      conn.delivering = false;
    }
  };

  /** Sends `ended` once and closes the socket. */
  const sendEnded = (conn: Conn, reason: string) => {
    if (conn.ended) return;
    conn.ended = true;
    send(conn, { type: 'ended', reason }, limits);
    setTimeout(() => conn.socket.close(1000), 100).unref?.();
  };

  const statusOf = (signal: Pick<SignalRow, 'state'>): VisitorStatus | 'ended' =>
    signal.state === 'active' ? 'connected' : signal.state === 'ended' ? 'ended' : 'waiting';

  // Status of waiting visitors: recomputed for all of this process's sockets at most every 200 ms, in two queries.
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshStatuses = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = undefined;
      try {
        const waiting = [...bySignal.entries()].filter(([, set]) =>
          [...set].some((c) => c.signal && (c.signal.state === 'queued' || c.signal.state === 'offered')),
        );
        if (waiting.length === 0) return;
        const [positions, available] = await Promise.all([
          signals.waitingPositions(waiting.map(([id]) => id)),
          signals.availableLanguages(),
        ]);
        for (const [id, set] of waiting) {
          const position = positions.get(id);
          for (const conn of set) {
            if (!conn.signal || position === undefined) continue;
            const state: VisitorStatus = available.has(conn.signal.language) ? 'waiting' : 'unavailable';
            const key = `${state}:${position}`;
            if (conn.lastStatus === key) continue;
            conn.lastStatus = key;
            send(
              conn,
              state === 'waiting'
                ? { type: 'status', state, position }
                : { type: 'status', state, position, message: t(conn.locale, 'CHAT_UNAVAILABLE') },
              limits,
            );
          }
        }
      } catch (err) {
        app.log.error({ err }, 'chat status refresh failed');
      }
    }, 200);
    refreshTimer.unref?.();
  };

  /** A change of the signal's state: connected, ended, or still waiting. */
  const onSignalChange = async (id: string) => {
    const set = bySignal.get(id);
    if (!set) return;
    const row = await signals.getSignal(id);
    if (!row) return;
    for (const conn of set) {
      if (!conn.signal) continue;
      conn.signal = { ...conn.signal, state: row.state };
      const status = statusOf(row);
      if (status === 'ended') {
        // The last messages (an advocate's closing words) go out before `ended`.
        await deliver(conn);
        for (let i = 0; conn.delivering && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
        await deliver(conn);
        sendEnded(conn, row.endReason ?? 'completed');
      } else if (status === 'connected' && conn.lastStatus !== 'connected') {
        conn.lastStatus = 'connected';
        send(conn, { type: 'status', state: 'connected' }, limits);
      }
    }
  };

  const unsubscribe = bus.subscribe((event: BusEvent) => {
    switch (event.topic) {
      case 'message': {
        const set = bySignal.get(event.signal);
        if (!set) return;
        for (const conn of set) {
          // The visitor's own next message: they have it (and its ack), so nothing to fetch.
          if (event.sender === 'visitor' && !conn.delivering && conn.sentSeq === event.seq - 1)
            conn.sentSeq = event.seq;
          else void deliver(conn);
        }
        return;
      }
      case 'signal':
        if (bySignal.has(event.id)) void onSignalChange(event.id).catch(() => {});
        refreshStatuses();
        return;
      case 'presence':
        refreshStatuses();
        return;
      case 'typing':
        if (event.who !== 'staff') return;
        for (const conn of bySignal.get(event.signal) ?? [])
          send(conn, { type: 'typing', on: event.on }, limits);
        return;
      case 'read':
        if (event.who !== 'staff') return;
        for (const conn of bySignal.get(event.signal) ?? [])
          send(conn, { type: 'read', seq: event.seq }, limits);
        return;
      case 'resync':
        for (const [id, set] of bySignal) {
          for (const conn of set) void deliver(conn);
          void onSignalChange(id).catch(() => {});
        }
        refreshStatuses();
        return;
      default:
        return;
    }
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    if (refreshTimer) clearTimeout(refreshTimer);
  });

  // Waiting visitors who left: ended as `abandoned` unless they come back (here or on another process) in time.
  const abandonTimers = new Set<NodeJS.Timeout>();
  const watchAbandonment = (id: string, since: Date) => {
    const timer = setTimeout(() => {
      abandonTimers.delete(timer);
      if (bySignal.has(id)) return;
      signals
        .abandonIfGone(id, since)
        .catch((err) => app.log.error({ err }, 'chat abandonment check failed'));
    }, limits.abandonAfterMs);
    timer.unref?.();
    abandonTimers.add(timer);
  };
  app.addHook('onClose', async () => {
    for (const timer of abandonTimers) clearTimeout(timer);
  });

  const addressOf = (request: FastifyRequest): AddressState => {
    let state = addresses.get(request.ip);
    if (!state) {
      state = { bucket: new Bucket(limits.addressRate, limits.addressBurst), sockets: 0, starts: [] };
      addresses.set(request.ip, state);
    }
    return state;
  };
  // Forget idle addresses (no socket, full budget) now and then, so the map does not grow without bound.
  const sweep = setInterval(() => {
    const minuteAgo = Date.now() - 60_000;
    for (const [ip, s] of addresses) {
      s.starts = s.starts.filter((at) => at > minuteAgo);
      if (s.sockets === 0 && s.starts.length === 0 && s.bucket.full()) addresses.delete(ip);
    }
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  /** One frame, already parsed and admitted. Throws AppError for the visitor; anything else is logged. */
  const handle = async (conn: Conn, frame: Frame, address: AddressState): Promise<void> => {
    const type = frame.type;
    switch (type) {
      case 'start': {
        if (conn.signal) throw new AppError('CHAT_ALREADY_STARTED', 409);
        const minuteAgo = Date.now() - 60_000;
        address.starts = address.starts.filter((at) => at > minuteAgo);
        if (address.starts.length >= limits.startsPerMinute) throw new AppError('RATE_LIMITED', 429);
        address.starts.push(Date.now());
        const language =
          typeof frame.language === 'string' ? frame.language.slice(0, 35) : conn.locale.slice(0, 2);
        const { signal, token } = await signals.startChat({ language });
        attach(conn, signal);
        send(conn, { type: 'started', reference: signal.reference, token, seq: 0 }, limits);
        refreshStatuses();
        return;
      }
      case 'resume': {
        if (conn.signal) throw new AppError('CHAT_ALREADY_STARTED', 409);
        const after = frame.after === undefined ? 0 : frame.after;
        if (typeof frame.token !== 'string' || !Number.isInteger(after) || (after as number) < 0)
          throw new AppError('FRAME_MALFORMED', 400);
        const signal = await signals.resumeChat(frame.token);
        if (!signal) throw new AppError('CHAT_RESUME_INVALID', 404);
        conn.sentSeq = Math.min(after as number, signal.lastSeq);
        attach(conn, signal);
        if (signal.state !== 'ended') await signals.noteVisitorResumed(signal.id);
        send(conn, { type: 'resumed', reference: signal.reference, state: signal.state }, limits);
        await deliver(conn);
        if (signal.state === 'ended') sendEnded(conn, signal.endReason ?? 'completed');
        else if (signal.state === 'active') {
          conn.lastStatus = 'connected';
          send(conn, { type: 'status', state: 'connected' }, limits);
          send(conn, { type: 'read', seq: signal.staffReadSeq }, limits);
        } else refreshStatuses();
        return;
      }
      case 'message': {
        const id = frame.id;
        if (
          typeof id !== 'string' ||
          id === '' ||
          id.length > MAX_CLIENT_ID_CHARS ||
          typeof frame.text !== 'string'
        )
          throw new AppError('FRAME_MALFORMED', 400);
        if (!conn.signal) throw new AppError('CHAT_NOT_STARTED', 409);
        if ([...frame.text].length > MAX_MESSAGE_CHARS) throw new AppError('MESSAGE_TOO_LONG', 400);
        const result = await signals.appendMessage({
          signalId: conn.signal.id,
          sender: 'visitor',
          clientId: id,
          text: frame.text,
        });
        // appendMessage returned: the transaction committed. Only now may the visitor forget the message.
        send(conn, { type: 'ack', id, seq: result.seq }, limits);
        if (conn.typingOn) {
          conn.typingOn = false;
          await signals.setTyping(conn.signal.id, 'visitor', false);
        }
        return;
      }
      case 'typing': {
        if (typeof frame.on !== 'boolean') throw new AppError('FRAME_MALFORMED', 400);
        if (!conn.signal) throw new AppError('CHAT_NOT_STARTED', 409);
        if (frame.on === conn.typingOn || conn.signal.state === 'ended') return;
        conn.typingOn = frame.on;
        await signals.setTyping(conn.signal.id, 'visitor', frame.on);
        return;
      }
      case 'read': {
        if (!Number.isInteger(frame.seq) || (frame.seq as number) < 0)
          throw new AppError('FRAME_MALFORMED', 400);
        if (!conn.signal) throw new AppError('CHAT_NOT_STARTED', 409);
        await signals.markRead(conn.signal.id, 'visitor', frame.seq as number);
        return;
      }
      case 'end':
      case 'quick_close': {
        if (!conn.signal) throw new AppError('CHAT_NOT_STARTED', 409);
        const reason = type === 'end' ? 'visitor_left' : 'quick_close';
        const ended = await signals.endSignal(conn.signal.id, reason);
        if (ended) conn.signal = { ...conn.signal, state: 'ended' };
        const current = ended ?? (await signals.getSignal(conn.signal.id));
        sendEnded(conn, current?.endReason ?? reason);
        return;
      }
      default:
        throw new AppError('FRAME_UNKNOWN_TYPE', 400);
    }
  };

  app.get(
    '/chat/ws',
    { websocket: true, config: { policy: publicPolicy }, schema: { hide: true } },
    (socket, request) => {
      const query = request.query as { lang?: unknown };
      const locale: Locale =
        query.lang === 'fr' ? 'fr-CA' : query.lang === 'en' ? 'en-CA' : (request.locale ?? 'en-CA');
      const conn: Conn = {
        socket,
        locale,
        sentSeq: 0,
        delivering: false,
        deliverAgain: false,
        typingOn: false,
        ended: false,
      };
      const address = addressOf(request);
      if (address.sockets >= limits.socketsPerAddress) {
        errorFrame(conn, 'RATE_LIMITED', limits);
        socket.close(1008);
        return;
      }
      address.sockets += 1;
      const connectionBucket = new Bucket(limits.connectionRate, limits.connectionBurst);
      let pending = 0;
      // Frames are handled one after another, so acks and seqs follow the visitor's order.
      let chain: Promise<void> = Promise.resolve();

      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const size = Array.isArray(data)
          ? data.reduce((n, b) => n + b.length, 0)
          : data instanceof ArrayBuffer
            ? data.byteLength
            : data.length;
        if (size > limits.frameBytes) return errorFrame(conn, 'FRAME_TOO_LARGE', limits);
        if (isBinary) return errorFrame(conn, 'FRAME_MALFORMED', limits);
        let frame: Frame;
        try {
          const text = Array.isArray(data)
            ? Buffer.concat(data).toString('utf8')
            : Buffer.from(data as Buffer).toString('utf8');
          const parsed: unknown = JSON.parse(text);
          if (
            !parsed ||
            typeof parsed !== 'object' ||
            Array.isArray(parsed) ||
            typeof (parsed as Frame).type !== 'string'
          )
            return errorFrame(conn, 'FRAME_MALFORMED', limits);
          frame = parsed as Frame;
        } catch {
          return errorFrame(conn, 'FRAME_MALFORMED', limits);
        }
        const id =
          frame.type === 'message' && typeof frame.id === 'string'
            ? frame.id.slice(0, MAX_CLIENT_ID_CHARS)
            : undefined;
        // Refused frames are answered at once and never reach the store: the visitor resends them later.
        if (pending >= limits.maxPending || !connectionBucket.take() || !address.bucket.take())
          return errorFrame(conn, 'RATE_LIMITED', limits, id);
        pending += 1;
        chain = chain.then(async () => {
          try {
            await handle(conn, frame, address);
          } catch (err) {
            if (err instanceof AppError) errorFrame(conn, err.code, limits, id);
            else {
              request.log.error({ err }, 'chat frame failed');
              errorFrame(conn, 'INTERNAL_ERROR', limits, id);
            }
          } finally {
            pending -= 1;
          }
        });
      });
      socket.on('close', () => {
        address.sockets -= 1;
        detach(conn);
        const left = conn.signal;
        if (left && !conn.ended && (left.state === 'queued' || left.state === 'offered'))
          watchAbandonment(left.id, new Date());
        if (conn.typingOn && conn.signal)
          void signals.setTyping(conn.signal.id, 'visitor', false).catch(() => {});
      });
      socket.on('error', () => {});
    },
  );
}
