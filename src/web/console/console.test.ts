import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, NetworkError, onSessionEnded, setCsrfToken, setRequestLocale } from './api/client';
import { normaliseCode } from './auth/CodeField';
import { readInviteToken } from './auth/inviteToken';
import { parseRoute } from './router';
import { relativeParts } from './ui/time';

// Pure rules of the console: routing, invite token, code input, relative time, and the API client's contract
// (CSRF on writes, Accept-Language everywhere, 401 ends the session except during sign-in steps).

describe('parseRoute', () => {
  it.each([
    ['/console', { name: 'home' }],
    ['/console/', { name: 'home' }],
    ['/console/queue', { name: 'queue' }],
    ['/console/wallboard', { name: 'wallboard' }],
    ['/console/cases', { name: 'cases' }],
    [
      '/console/cases/7d0c5f8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f',
      { name: 'case', id: '7d0c5f8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f' },
    ],
    ['/console/cases/%3Cscript%3E', { name: 'not-found' }],
    ['/console/partner/referrals', { name: 'partner-referrals' }],
    ['/console/supervision', { name: 'supervision' }],
    ['/console/tasks', { name: 'tasks' }],
    ['/console/reports', { name: 'reports' }],
    ['/console/reports/x', { name: 'not-found' }],
    ['/console/campaigns/', { name: 'module', module: 'campaigns' }],
    ['/console/admin', { name: 'admin-users' }],
    ['/console/admin/users', { name: 'admin-users' }],
    ['/console/admin/audit', { name: 'admin-audit' }],
    ['/console/admin/tokens', { name: 'admin-tokens' }],
    ['/console/invite', { name: 'invite' }],
    ['/console/admin/nope', { name: 'not-found' }],
    ['/console/queue/42', { name: 'not-found' }],
    ['/console/cases/1/notes', { name: 'not-found' }],
    ['/console/constructor', { name: 'not-found' }],
  ])('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });
});

describe('readInviteToken', () => {
  it('reads the token from the fragment only', () => {
    expect(readInviteToken('#token=abc-123')).toBe('abc-123');
    expect(readInviteToken('token=abc')).toBe('abc');
    expect(readInviteToken('#other=1')).toBeNull();
    expect(readInviteToken('#token=')).toBeNull();
    expect(readInviteToken('')).toBeNull();
  });
});

describe('normaliseCode', () => {
  it('drops the spaces people type or paste', () => {
    expect(normaliseCode(' 123 456 ')).toBe('123456');
  });
});

describe('relativeParts', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  it('picks the largest meaningful unit', () => {
    expect(relativeParts(now - 30_000, now)).toEqual({ value: -30, unit: 'second' });
    expect(relativeParts(now - 2 * 60_000, now)).toEqual({ value: -2, unit: 'minute' });
    expect(relativeParts(now - 3 * 3_600_000, now)).toEqual({ value: -3, unit: 'hour' });
    expect(relativeParts(now - 2 * 86_400_000, now)).toEqual({ value: -2, unit: 'day' });
    expect(relativeParts(now + 90 * 86_400_000, now)).toEqual({ value: 3, unit: 'month' });
  });
  it('never says "in 5 seconds" because of clock skew', () => {
    expect(relativeParts(now + 5_000, now)).toEqual({ value: 0, unit: 'second' });
  });
});

describe('api client', () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const respond = (status: number, body?: unknown) =>
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(body === undefined ? null : JSON.stringify(body), { status });
    });

  afterEach(() => {
    calls.length = 0;
    vi.unstubAllGlobals();
    onSessionEnded(null);
    setCsrfToken(null);
    setRequestLocale('en-CA');
  });

  it('sends Accept-Language always and the CSRF token only on writes', async () => {
    vi.stubGlobal('fetch', respond(200, { ok: true }));
    setCsrfToken('csrf-1');
    setRequestLocale('fr-CA');
    await api('/api/a');
    await api('/api/b', { method: 'POST', body: { x: 1 } });
    const [get, post] = calls.map((c) => c.init.headers as Record<string, string>);
    expect(get?.['Accept-Language']).toBe('fr-CA');
    expect(get?.['x-csrf-token']).toBeUndefined();
    expect(post?.['x-csrf-token']).toBe('csrf-1');
    expect(post?.['Content-Type']).toBe('application/json');
    expect(calls[1]?.init.credentials).toBe('same-origin');
  });

  it('keeps the newest CSRF token a response carries', async () => {
    vi.stubGlobal('fetch', respond(200, { step: 'done', csrfToken: 'csrf-2' }));
    await api('/api/auth/sign-in', { method: 'POST', body: {}, authFlow: true });
    await api('/api/me', { method: 'PATCH', body: {} });
    const headers = calls[1]?.init.headers as Record<string, string> | undefined;
    expect(headers?.['x-csrf-token']).toBe('csrf-2');
  });

  it('turns the error envelope into an ApiError with code and localised message', async () => {
    vi.stubGlobal(
      'fetch',
      respond(409, { error: { code: 'EMAIL_TAKEN', message: 'Adresse déjà utilisée.' } }),
    );
    const error = await api('/api/admin/users', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', message: 'Adresse déjà utilisée.' });
  });

  it('reports an ended session on 401, but not for sign-in steps', async () => {
    const ended = vi.fn();
    onSessionEnded(ended);
    vi.stubGlobal('fetch', respond(401, { error: { code: 'MFA_CODE_INVALID', message: 'Wrong code' } }));
    await api('/api/auth/mfa/verify', { method: 'POST', body: {}, authFlow: true }).catch(() => undefined);
    expect(ended).not.toHaveBeenCalled();
    vi.stubGlobal('fetch', respond(401, { error: { code: 'UNAUTHENTICATED', message: 'Signed out' } }));
    await api('/api/admin/users').catch(() => undefined);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('distinguishes an unreachable server from an error answer', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(api('/api/session')).rejects.toBeInstanceOf(NetworkError);
  });

  it('returns nothing for 204', async () => {
    vi.stubGlobal('fetch', respond(204));
    await expect(api('/api/admin/tokens/1', { method: 'DELETE' })).resolves.toBeUndefined();
  });
});
