import { type QueueKey, queueKeys } from './keys';

// The staff WebSocket (`/api/ws`) pushes small events (ids and counters, never text); the console answers each
// by refetching what it names. This file is the pure part: parsing, what to refetch, and when to reconnect.

export type LiveEvent =
  | { type: 'queue' }
  | { type: 'offer'; id?: string }
  | { type: 'signal'; signal: string }
  | { type: 'message'; signal: string; seq: number }
  | { type: 'typing'; signal: string; who: string; on: boolean }
  | { type: 'read'; signal: string; who: string; seq: number }
  | { type: 'wallboard' }
  | { type: 'presence'; user?: string }
  | { type: 'call'; signal: string }
  | { type: 'delivery'; signal: string; seq: number; status: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The signal id an event names, whatever the server calls the field (`signal`, `signalId`, `signal_id`). */
function signalOf(frame: Record<string, unknown>): string | null {
  for (const key of ['signal', 'signalId', 'signal_id']) {
    const value = frame[key];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}

/** One frame → one typed event; anything unknown or malformed is ignored rather than trusted. */
export function parseLiveEvent(data: unknown): LiveEvent | null {
  if (typeof data !== 'string' || data.length > 8192) return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(frame) || typeof frame.type !== 'string') return null;
  const signal = signalOf(frame);
  const seq = typeof frame.seq === 'number' ? frame.seq : 0;
  switch (frame.type) {
    case 'queue':
    case 'wallboard':
      return { type: frame.type };
    case 'offer':
      return typeof frame.id === 'string' ? { type: 'offer', id: frame.id } : { type: 'offer' };
    case 'presence':
      return typeof frame.user === 'string' ? { type: 'presence', user: frame.user } : { type: 'presence' };
    case 'signal':
      return signal ? { type: 'signal', signal } : null;
    case 'message':
      return signal ? { type: 'message', signal, seq } : null;
    case 'typing':
      return signal
        ? { type: 'typing', signal, who: String(frame.who ?? 'visitor'), on: frame.on === true }
        : null;
    case 'read':
      return signal ? { type: 'read', signal, who: String(frame.who ?? 'visitor'), seq } : null;
    case 'call':
      return signal ? { type: 'call', signal } : null;
    case 'delivery':
      return signal && typeof frame.status === 'string' && frame.status.length <= 32
        ? { type: 'delivery', signal, seq, status: frame.status }
        : null;
    default:
      return null;
  }
}

/** Which cached queries an event makes stale. Typing is not refetched: it is held in the cache directly. */
export function keysForEvent(event: LiveEvent): QueueKey[] {
  switch (event.type) {
    case 'queue':
    case 'offer':
      return [queueKeys.snapshot];
    case 'signal':
      return [queueKeys.snapshot, queueKeys.signal(event.signal)];
    case 'message':
      // A new message may bring attachments or reopen WhatsApp's reply window.
      return [queueKeys.signal(event.signal), queueKeys.snapshot, queueKeys.channel(event.signal)];
    case 'read':
      return [queueKeys.signal(event.signal)];
    case 'wallboard':
      return [queueKeys.wallboard];
    case 'presence':
      return [queueKeys.presence, queueKeys.wallboard];
    case 'call':
      return [queueKeys.call(event.signal)];
    case 'delivery':
      // Usually patched in the cache directly (live.tsx, patchDelivery); refetched when it names an unknown seq.
      return [queueKeys.channel(event.signal)];
    case 'typing':
      return [];
  }
}

/** Back-off before reconnect attempt `attempt` (0-based): 0.5 s doubling up to 30 s, with jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, Math.min(attempt, 16)));
  return Math.round(base * (0.5 + random() / 2));
}

/** Same origin as the console, ws: or wss: to match the page. */
export function liveSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
}

/** Close code the staff socket uses when the session behind it has ended. */
export const SESSION_ENDED_CLOSE = 4401;

/** How long a "typing" indicator stays on without a fresh event (the sender may have vanished). */
export const TYPING_STALE_MS = 6_000;

/** What the connector needs from a socket (the browser's WebSocket, or a fake in tests). */
export interface SocketHandlers {
  onOpen: () => void;
  onMessage: (data: unknown) => void;
  /** Also called after an error: the socket is closed either way. `code` is the close code, if any. */
  onClose: (code?: number) => void;
}
export interface SocketLike {
  close(): void;
}

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

export interface LiveConnectionOptions {
  url: string;
  open: (url: string, handlers: SocketHandlers) => SocketLike;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** Called after a reconnect: events may have been missed while the socket was down. */
  onResync: () => void;
  /** The server closed with 4401: the session has ended (the app re-checks it). */
  onSessionEnded?: () => void;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
  random?: () => number;
}

/**
 * Keeps one socket open: on close, waits `backoffDelay(attempt)` and tries again; a successful open resets
 * the back-off and, if it is a reconnect, asks for a full refetch. `retryNow()` skips the wait (back online).
 */
export function connectLive(options: LiveConnectionOptions): { stop: () => void; retryNow: () => void } {
  const schedule = options.schedule ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const cancel =
    options.cancel ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let socket: SocketLike | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let opened = false;
  let stopped = false;

  const connect = () => {
    timer = null;
    options.onStatus(opened || attempt > 0 ? 'reconnecting' : 'connecting');
    let ws: SocketLike | null = null;
    let closed = false;
    ws = options.open(options.url, {
      onOpen: () => {
        if (opened || attempt > 0) options.onResync();
        opened = true;
        attempt = 0;
        options.onStatus('open');
      },
      onMessage: (data) => {
        const event = parseLiveEvent(data);
        if (event) options.onEvent(event);
      },
      onClose: (code) => {
        if (closed) return;
        closed = true;
        if (code === SESSION_ENDED_CLOSE) options.onSessionEnded?.();
        if (socket === ws) socket = null;
        if (stopped) return;
        options.onStatus('reconnecting');
        timer = schedule(connect, backoffDelay(attempt, options.random));
        attempt += 1;
      },
    });
    if (!closed) socket = ws;
  };

  connect();
  return {
    stop: () => {
      stopped = true;
      if (timer !== null) cancel(timer);
      timer = null;
      socket?.close();
      socket = null;
    },
    retryNow: () => {
      if (stopped || socket || timer === null) return;
      cancel(timer);
      connect();
    },
  };
}
