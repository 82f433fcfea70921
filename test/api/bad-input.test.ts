import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { users } from '../../src/server/db/schema.js';
import type { Db } from '../../src/server/platform/db.js';
import { registerErrorHandling } from '../../src/server/platform/http.js';
import { json, testApp } from '../helpers/app.js';
import { testDatabase } from '../helpers/db.js';
import { createUser, sessionFor } from '../helpers/factories.js';
import { twilioTestSetup } from '../helpers/twilio.js';

let harbour: HarbourApp;
let db: Db;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
});
afterAll(() => harbour.app.close());

type ErrorJson = { error: { code: string; message: string } };
const code = (res: { body: string }) => json<ErrorJson>(res as never).error.code;

describe('hostile and malformed input', () => {
  it('malformed JSON → 400 MALFORMED_JSON in the caller language', async () => {
    const res = await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { 'content-type': 'application/json', 'accept-language': 'fr-CA,fr;q=0.9' },
      payload: '{"email": "x@',
    });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorJson>(res)).toEqual({
      error: { code: 'MALFORMED_JSON', message: 'Le corps de la requête n’est pas du JSON valide.' },
    });
  });

  it('wrong types and missing fields → 400 VALIDATION_FAILED naming the fields, never coerced', async () => {
    const res = await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: 12345 },
    });
    expect(res.statusCode).toBe(400);
    expect(code(res)).toBe('VALIDATION_FAILED');
    expect(json<ErrorJson>(res).error.message).toMatch(/body/);
  });

  it('an oversize body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: 'a@test.harbour.example', password: 'x'.repeat(300_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(code(res)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON → 415', async () => {
    const res = await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a&password=b',
    });
    expect(res.statusCode).toBe(415);
    expect(code(res)).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('unknown routes → 404 NOT_FOUND in the common shape', async () => {
    for (const url of ['/api/nope', '/api/admin/users/../../etc/passwd', '/%00']) {
      const res = await harbour.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(code(res)).toBe('NOT_FOUND');
    }
  });

  it('a body with no required field may be left out; one with required fields may not', async () => {
    const advocate = await createUser(db, { role: 'advocate' });
    const s = await sessionFor(db, advocate);
    const { 'content-type': _json, ...noBody } = s.headers as Record<string, string>;
    // Declining an offer that does not exist: without the body it reaches the route (404), not a 400.
    const decline = await harbour.app.inject({
      method: 'POST',
      url: '/api/offers/00000000-0000-4000-8000-000000000000/decline',
      headers: noBody,
    });
    expect(decline.statusCode, decline.body).toBe(404);
    const presence = await harbour.app.inject({ method: 'PUT', url: '/api/presence', headers: noBody });
    expect(presence.statusCode).toBe(400);
    expect(code(presence)).toBe('VALIDATION_FAILED');
    // A route whose fields are all optional gets an empty body, never a null its handler trips on.
    const admin = await sessionFor(db, await createUser(db, { role: 'admin' }));
    const { 'content-type': _adminJson, ...adminNoBody } = admin.headers as Record<string, string>;
    const patch = await harbour.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${advocate.id}`,
      headers: adminNoBody,
    });
    expect(patch.statusCode, patch.body).toBeLessThan(500);
  });

  it('a malformed id → 400, not a database error', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const s = await sessionFor(db, admin);
    const res = await harbour.app.inject({
      method: 'PATCH',
      url: "/api/admin/users/1'%20or%201=1--",
      headers: s.headers,
      payload: { role: 'admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(code(res)).toBe('VALIDATION_FAILED');
  });

  it('unknown body fields are stripped: nobody promotes themselves through /api/me', async () => {
    const user = await createUser(db, { role: 'advocate' });
    const s = await sessionFor(db, user);
    const res = await harbour.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: s.headers,
      payload: { locale: 'fr-CA', role: 'admin', totpEnabled: true, isDemo: true },
    });
    expect(res.statusCode).toBe(200);
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row).toMatchObject({ role: 'advocate', locale: 'fr-CA', isDemo: false });
  });

  it('a value outside an enum → 400 and nothing changes', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user);
    const res = await harbour.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: s.headers,
      payload: { locale: 'de-DE' },
    });
    expect(res.statusCode).toBe(400);
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row?.locale).toBe('en-CA');
  });

  it('an internal failure → 500 INTERNAL_ERROR without stack, SQL or message', async () => {
    const app = Fastify({ logger: false });
    registerErrorHandling(app);
    app.get('/boom', async () => {
      throw new Error("select * from users where email = 'victim@example.org'");
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(code(res)).toBe('INTERNAL_ERROR');
    expect(res.body).not.toMatch(/select|victim|at .*\.ts/);
    await app.close();
  });

  it('rate-limits sign-in per address → 429 RATE_LIMITED', async () => {
    const limited = await testApp({ signInRateLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in',
          remoteAddress: '203.0.113.9',
          payload: { email: 'nobody@test.harbour.example', password: 'wrong-password' },
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) expect(code(res)).toBe('RATE_LIMITED');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.app.close();
    }
  });

  it('the public report form: malformed JSON or form bodies and wrong types → 400, never echoed', async () => {
    const post = (payload: string, type: string) =>
      harbour.app.inject({
        method: 'POST',
        url: '/api/public/reports',
        headers: { 'content-type': type },
        payload,
      });
    const cases: Array<[string, string, string]> = [
      ['{"situation": "CanaryBad', 'application/json', 'MALFORMED_JSON'],
      ['{"situation": 12345}', 'application/json', 'VALIDATION_FAILED'],
      ['{"situation": ["CanaryArray"]}', 'application/json', 'VALIDATION_FAILED'],
      ['{"situation": "x", "contact": "CanaryContact"}', 'application/json', 'VALIDATION_FAILED'],
      ['situation=CanaryOne&situation=CanaryTwo', 'application/x-www-form-urlencoded', 'VALIDATION_FAILED'],
      ['where=CanaryWhere', 'application/x-www-form-urlencoded', 'VALIDATION_FAILED'],
      ['situation=x&safe_how=CanaryHow', 'application/x-www-form-urlencoded', 'VALIDATION_FAILED'],
    ];
    for (const [payload, type, expected] of cases) {
      const res = await post(payload, type);
      expect([payload, res.statusCode, code(res)]).toEqual([payload, 400, expected]);
      expect(res.body).not.toContain('Canary');
    }
  });

  it('sends the security headers and a strict CSP', async () => {
    const res = await harbour.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Without the Voice SDK configured, nothing outside this origin may be reached.
    expect(res.headers['content-security-policy']).toMatch(/connect-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).not.toMatch(/twilio/);
  });

  it('opens the CSP to Twilio only as far as the Voice SDK needs, when it is configured', async () => {
    const { overrides, standin } = await twilioTestSetup();
    const voice = await testApp(overrides);
    try {
      const csp = String(
        (await voice.app.inject({ method: 'GET', url: '/healthz' })).headers['content-security-policy'],
      );
      expect(csp).toMatch(/connect-src 'self' wss:\/\/\*\.twilio\.com https:\/\/eventgw\.twilio\.com(;|$)/);
      expect(csp).toMatch(/media-src 'self' https:\/\/sdk\.twilio\.com(;|$)/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
    } finally {
      await voice.app.close();
      await standin.close();
    }
  });

  it('serves the OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await harbour.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = json<{ openapi: string; paths: Record<string, unknown> }>(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/sign-in', '/api/admin/users/{id}']),
    );
    const ui = await harbour.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});
