import type { Locale } from './types';

/**
 * An API failure with the server's stable code and its already-localised message. `body` is the whole error body:
 * some errors carry more than a code (a 409 VERSION_CONFLICT the record as stored now and who changed it, a 403
 * CASE_RESTRICTED the reference to break glass with).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;

  constructor(status: number, code: string, message: string, body: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** Network failure or an unreadable answer: the message is filled in by the UI in the user's language. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network', { cause });
    this.name = 'NetworkError';
  }
}

interface ClientState {
  csrfToken: string | null;
  locale: Locale;
  onSessionEnded: (() => void) | null;
}

const state: ClientState = { csrfToken: null, locale: 'en-CA', onSessionEnded: null };

/** The server rotates the CSRF token on every sign-in; every response that carries one wins. */
export function setCsrfToken(token: string | null): void {
  state.csrfToken = token;
}

/** Error messages come back localised, so every request says which language the UI shows. */
export function setRequestLocale(locale: Locale): void {
  state.locale = locale;
}

/** The app decides what "session ended" means (back to sign-in with a notice); the client only reports it. */
export function onSessionEnded(handler: (() => void) | null): void {
  state.onSessionEnded = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /**
   * Sign-in steps answer 401 for a wrong password or code: those are form errors, not an ended session.
   * Calls that set this never trigger the global "session ended" handler.
   */
  authFlow?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `If-Match` for a versioned update). */
  headers?: Record<string, string>;
}

/** JSON over fetch, same-origin cookies, CSRF header on writes, Accept-Language on everything. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    ...options.headers,
    Accept: 'application/json',
    'Accept-Language': state.locale,
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }

  if (response.status === 204) return undefined as T;

  let payload: unknown;
  try {
    const text = await response.text();
    payload = text ? JSON.parse(text) : undefined;
  } catch (error) {
    if (!response.ok) throw new ApiError(response.status, 'UNREADABLE_RESPONSE', response.statusText);
    throw new NetworkError(error);
  }

  if (!response.ok) {
    const error = readError(payload);
    const apiError = new ApiError(
      response.status,
      error.code,
      error.message || response.statusText,
      isRecord(payload) ? payload : {},
    );
    if (response.status === 401 && !options.authFlow) state.onSessionEnded?.();
    throw apiError;
  }
  if (isRecord(payload) && typeof payload.csrfToken === 'string') setCsrfToken(payload.csrfToken);
  return payload as T;
}

function readError(payload: unknown): { code: string; message: string } {
  if (isRecord(payload) && isRecord(payload.error)) {
    const { code, message } = payload.error;
    return {
      code: typeof code === 'string' ? code : 'UNKNOWN',
      message: typeof message === 'string' ? message : '',
    };
  }
  return { code: 'UNKNOWN', message: '' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
