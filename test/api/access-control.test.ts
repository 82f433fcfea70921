import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import type { Db } from '../../src/server/platform/db.js';
import { type RegisteredRoute, registerAccessControl } from '../../src/server/platform/http.js';
import { ROLES, type Role } from '../../src/shared/roles.js';
import { testApp } from '../helpers/app.js';
import { testDatabase } from '../helpers/db.js';
import { createUser, sessionFor, tokenFor } from '../helpers/factories.js';

let harbour: HarbourApp;
let db: Db;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
});
afterAll(() => harbour.app.close());

type Access = 'public' | 'all' | readonly Role[];
interface Case {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  access: Access;
  /** Builds the request for one attempt (fresh targets, so attempts do not interfere). */
  request?: () => Promise<{ url?: string; payload?: unknown }>;
}

const uniqueEmail = () =>
  `matrix.${Date.now()}.${Math.random().toString(16).slice(2, 8)}@test.harbour.example`;
const target = async () => (await createUser(db, { role: 'advocate' })).id;

/** Every API route, who may use it. Adding a route without adding it here fails the coverage test below. */
const MATRIX: Case[] = [
  { method: 'GET', url: '/healthz', access: 'public' },
  { method: 'GET', url: '/readyz', access: 'public' },
  { method: 'GET', url: '/api/meta', access: 'public' },
  { method: 'GET', url: '/api/session', access: 'all' },
  { method: 'PATCH', url: '/api/me', access: 'all', request: async () => ({ payload: { locale: 'en-CA' } }) },
  { method: 'POST', url: '/api/auth/mfa/enrol', access: 'all', request: async () => ({ payload: {} }) },
  { method: 'POST', url: '/api/auth/sign-out', access: 'all' },
  { method: 'GET', url: '/api/admin/users', access: ['admin'] },
  {
    method: 'POST',
    url: '/api/admin/users',
    access: ['admin'],
    request: async () => ({
      payload: { email: uniqueEmail(), displayName: 'Matrix (fictional)', role: 'advocate' },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/admin/users/:id',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}`, payload: { role: 'analyst' } }),
  },
  {
    method: 'POST',
    url: '/api/admin/users/:id/reset-mfa',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}/reset-mfa`, payload: {} }),
  },
  {
    method: 'POST',
    url: '/api/admin/users/:id/invite',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}/invite`, payload: {} }),
  },
  { method: 'GET', url: '/api/admin/audit', access: ['admin'] },
  { method: 'GET', url: '/api/admin/tokens', access: ['admin'] },
  {
    method: 'POST',
    url: '/api/admin/tokens',
    access: ['admin'],
    request: async () => ({
      payload: { userId: await target(), name: 'matrix', scopes: ['users:read'], expiresInDays: 1 },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/admin/tokens/:id',
    access: ['admin'],
    request: async () => {
      const owner = await createUser(db);
      await tokenFor(db, owner, ['users:read']);
      const [row] = await db.query.apiTokens.findMany({
        where: (t, { eq }) => eq(t.userId, owner.id),
        limit: 1,
      });
      return { url: `/api/admin/tokens/${row!.id}` };
    },
  },
];

/** Steps of the sign-in flow: they need a sign-in in progress, tested in identity.test.ts. */
const SIGN_IN_FLOW = new Set([
  'POST /api/auth/sign-in',
  'POST /api/auth/mfa/verify',
  'POST /api/auth/mfa/enrol/confirm',
  'POST /api/auth/accept-invite',
]);

describe('route policies', () => {
  it('every registered route declares a policy', () => {
    expect(harbour.routes.length).toBeGreaterThan(15);
    const missing = harbour.routes.filter((r) => !r.policy).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('a route without a policy refuses to register', async () => {
    const app = Fastify();
    const routes: RegisteredRoute[] = [];
    registerAccessControl(
      app,
      { session: async () => undefined, token: async () => undefined },
      routes,
      [],
      100,
    );
    expect(() => app.get('/api/forgotten', async () => ({ leaked: true }))).toThrow(/declares no policy/);
    await app.close();
  });

  it('the matrix covers every API route', () => {
    const api = harbour.routes
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    const covered = new Set([...MATRIX.map((c) => `${c.method} ${c.url}`), ...SIGN_IN_FLOW]);
    expect(api.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('route × role matrix', () => {
  for (const c of MATRIX) {
    it(`${c.method} ${c.url}`, async () => {
      const outcomes: Record<string, number> = {};
      const expected: Record<string, number | 'ok'> = {};
      for (const who of ['anonymous', ...ROLES] as const) {
        const req = c.request ? await c.request() : {};
        let headers: Record<string, string> = {};
        if (who !== 'anonymous') {
          const user = await createUser(db, { role: who });
          headers = (await sessionFor(db, user)).headers;
        }
        const res = await harbour.app.inject({
          method: c.method,
          url: req.url ?? c.url,
          headers,
          ...(req.payload !== undefined ? { payload: req.payload as object } : {}),
        });
        const allowed =
          c.access === 'public' || (who !== 'anonymous' && (c.access === 'all' || c.access.includes(who)));
        outcomes[who] = res.statusCode >= 200 && res.statusCode < 300 ? 200 : res.statusCode;
        expected[who] = allowed ? 200 : who === 'anonymous' ? 401 : 403;
      }
      expect(outcomes).toEqual(expected);
    });
  }
});
