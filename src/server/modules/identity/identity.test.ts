import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, setCookieValue, tokenFor } from '../../../../test/helpers/factories.js';
import { auditLog, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { MAX_FAILED_ATTEMPTS, totpNow } from './identity.service.js';

let app: FastifyInstance;
let db: Db;

beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
});
afterAll(() => app.close());

async function signIn(email: string, password: string, lang = 'en') {
  return app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    headers: { 'accept-language': lang },
    payload: { email, password },
  });
}

async function auditActions(userId: string) {
  const rows = await db.select().from(auditLog).where(eq(auditLog.targetId, userId));
  return rows.map((r) => r.action);
}

describe('sign-in with password and TOTP', () => {
  it('signs in in two steps and the session works', async () => {
    const user = await createUser(db, { role: 'advocate', mfa: true });
    const first = await signIn(user.email, user.password);
    expect(first.statusCode).toBe(200);
    expect(json(first).step).toBe('mfa');
    const pending = setCookieValue(first.headers['set-cookie'])!;
    expect(first.headers['set-cookie']).toMatch(/HttpOnly/);
    expect(first.headers['set-cookie']).toMatch(/SameSite=Strict/);

    // A pending sign-in is not a session yet.
    const early = await app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: `harbour_session=${pending}` },
    });
    expect(early.statusCode).toBe(401);

    const second = await app.inject({
      method: 'POST',
      url: '/api/auth/mfa/verify',
      headers: {
        cookie: `harbour_session=${pending}`,
        'x-csrf-token': json<{ csrfToken: string }>(first).csrfToken,
      },
      payload: { code: totpNow(user.totpSecret!) },
    });
    expect(second.statusCode).toBe(200);
    const body = json<{ step: string; csrfToken: string; user: { email: string; role: string } }>(second);
    expect(body.step).toBe('done');
    expect(body.user).toMatchObject({ email: user.email, role: 'advocate' });
    expect(second.body).not.toMatch(/password|totp/i);
    const cookie = setCookieValue(second.headers['set-cookie'])!;
    expect(cookie).not.toBe(pending);

    const session = await app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: `harbour_session=${cookie}` },
    });
    expect(session.statusCode).toBe(200);
    expect(json<{ user: { id: string } }>(session).user.id).toBe(user.id);
    expect(await auditActions(user.id)).toContain('auth.signed_in');
  });

  it('refuses a wrong code and a replayed code, in the caller language', async () => {
    const user = await createUser(db, { mfa: true });
    const first = await signIn(user.email, user.password);
    const headers = {
      cookie: `harbour_session=${setCookieValue(first.headers['set-cookie'])}`,
      'x-csrf-token': json<{ csrfToken: string }>(first).csrfToken,
      'accept-language': 'fr-CA',
    };
    const code = totpNow(user.totpSecret!);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/auth/mfa/verify',
      headers,
      payload: { code: wrong },
    });
    expect(bad.statusCode).toBe(401);
    expect(json(bad)).toEqual({
      error: { code: 'MFA_CODE_INVALID', message: expect.stringContaining('code') },
    });
    expect(json<{ error: { message: string } }>(bad).error.message).toMatch(/Entrez le code/);

    const ok = await app.inject({ method: 'POST', url: '/api/auth/mfa/verify', headers, payload: { code } });
    expect(ok.statusCode).toBe(200);

    // Same code again in a new sign-in: a replay.
    const again = await signIn(user.email, user.password);
    const replay = await app.inject({
      method: 'POST',
      url: '/api/auth/mfa/verify',
      headers: {
        cookie: `harbour_session=${setCookieValue(again.headers['set-cookie'])}`,
        'x-csrf-token': json<{ csrfToken: string }>(again).csrfToken,
      },
      payload: { code },
    });
    expect(replay.statusCode).toBe(401);
    expect(json<{ error: { code: string } }>(replay).error.code).toBe('MFA_CODE_INVALID');
  });

  it('answers an unknown e-mail exactly like a wrong password', async () => {
    const user = await createUser(db);
    const unknown = await signIn(`nobody.${Date.now()}@test.harbour.example`, 'whatever-password');
    const wrong = await signIn(user.email, 'not-the-password');
    expect(unknown.statusCode).toBe(401);
    expect(json(unknown)).toEqual(json(wrong));
    expect(json<{ error: { code: string } }>(wrong).error.code).toBe('INVALID_CREDENTIALS');
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    const user = await createUser(db, { mfa: true });
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++)
      expect((await signIn(user.email, 'wrong-password')).statusCode).toBe(401);
    const locked = await signIn(user.email, 'wrong-password');
    expect(locked.statusCode).toBe(423);
    expect(json<{ error: { code: string } }>(locked).error.code).toBe('ACCOUNT_LOCKED');
    const right = await signIn(user.email, user.password, 'fr');
    expect(right.statusCode).toBe(423);
    expect(json<{ error: { message: string } }>(right).error.message).toMatch(/verrouillé/);
    expect(await auditActions(user.id)).toContain('auth.sign_in_failed');
  });

  it('refuses a disabled account', async () => {
    const user = await createUser(db, { disabled: true, mfa: true });
    const res = await signIn(user.email, user.password);
    expect(res.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(res).error.code).toBe('ACCOUNT_DISABLED');
  });

  it('makes a user without MFA enrol before anything else', async () => {
    const user = await createUser(db, { mfa: false });
    const first = await signIn(user.email, user.password);
    expect(json(first).step).toBe('mfa_enrol');
    const headers = {
      cookie: `harbour_session=${setCookieValue(first.headers['set-cookie'])}`,
      'x-csrf-token': json<{ csrfToken: string }>(first).csrfToken,
    };
    expect((await app.inject({ method: 'GET', url: '/api/session', headers })).statusCode).toBe(401);
    const enrol = await app.inject({ method: 'POST', url: '/api/auth/mfa/enrol', headers, payload: {} });
    expect(enrol.statusCode).toBe(200);
    const { secret, otpauthUri, qrSvg } = json<{ secret: string; otpauthUri: string; qrSvg: string }>(enrol);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Harbour/);
    expect(qrSvg).toMatch(/^<svg/);
    const stored = await db.select().from(users).where(eq(users.id, user.id));
    expect(stored[0]?.totpSecretEnc).toBeTruthy();
    expect(stored[0]?.totpSecretEnc).not.toContain(secret);

    const confirm = await app.inject({
      method: 'POST',
      url: '/api/auth/mfa/enrol/confirm',
      headers,
      payload: { code: totpNow(secret) },
    });
    expect(confirm.statusCode).toBe(200);
    expect(json<{ user: { mfaEnabled: boolean } }>(confirm).user.mfaEnabled).toBe(true);
    expect(await auditActions(user.id)).toContain('auth.mfa_enrolled');
  });

  it('lets demo accounts in demo mode sign in without MFA, and nobody else', async () => {
    const { app: demoApp } = await testApp({ demo: true });
    try {
      const demoUser = await createUser(db, { isDemo: true });
      const realUser = await createUser(db);
      const demoRes = await demoApp.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { email: demoUser.email, password: demoUser.password },
      });
      expect(json(demoRes).step).toBe('done');
      const realRes = await demoApp.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { email: realUser.email, password: realUser.password },
      });
      expect(json(realRes).step).toBe('mfa_enrol');
      // Outside demo mode even a demo account needs MFA.
      expect(json(await signIn(demoUser.email, demoUser.password)).step).toBe('mfa_enrol');
    } finally {
      await demoApp.close();
    }
  });
});

describe('sessions', () => {
  it('ends an idle session with SESSION_EXPIRED', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user, { lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    const res = await app.inject({ method: 'GET', url: '/api/session', headers: s.headers });
    expect(res.statusCode).toBe(401);
    expect(json<{ error: { code: string } }>(res).error.code).toBe('SESSION_EXPIRED');
    // And it is gone: the next request is simply unauthenticated.
    const again = await app.inject({ method: 'GET', url: '/api/session', headers: s.headers });
    expect(json<{ error: { code: string } }>(again).error.code).toBe('UNAUTHENTICATED');
  });

  it('ends a session past its absolute expiry', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user, { expiresAt: new Date(Date.now() - 1000) });
    const res = await app.inject({ method: 'GET', url: '/api/session', headers: s.headers });
    expect(json<{ error: { code: string } }>(res).error.code).toBe('SESSION_EXPIRED');
  });

  it('refuses a cookie write without the CSRF token, and changes nothing', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user);
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { cookie: s.headers.cookie! },
      payload: { locale: 'fr-CA' },
    });
    expect(res.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(res).error.code).toBe('CSRF_TOKEN_INVALID');
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row?.locale).toBe('en-CA');
  });

  it('switches the language and answers in it from then on', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user);
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: s.headers,
      payload: { locale: 'fr-CA' },
    });
    expect(res.statusCode).toBe(200);
    const forbidden = await app.inject({ method: 'GET', url: '/api/admin/users', headers: s.headers });
    expect(json<{ error: { message: string } }>(forbidden).error.message).toBe(
      'Vous n’avez pas l’autorisation de faire cela.',
    );
  });

  it('signs out', async () => {
    const user = await createUser(db);
    const s = await sessionFor(db, user);
    expect(
      (await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: s.headers })).statusCode,
    ).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/session', headers: s.headers })).statusCode).toBe(
      401,
    );
  });
});

describe('administration', () => {
  it('invites a user who sets a password (once) and must enrol MFA', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const s = await sessionFor(db, admin);
    const email = `invited.${Date.now()}@test.harbour.example`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: s.headers,
      payload: { email, displayName: 'Invited Person (fictional)', role: 'analyst' },
    });
    expect(res.statusCode).toBe(201);
    const { inviteUrl, user } = json<{ inviteUrl: string; user: { id: string; mfaEnabled: boolean } }>(res);
    expect(inviteUrl).toMatch(/\/console\/invite#token=/);
    const token = inviteUrl.split('#token=')[1]!;

    const dup = await app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: s.headers,
      payload: { email: email.toUpperCase(), displayName: 'Again', role: 'analyst' },
    });
    expect(dup.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(dup).error.code).toBe('EMAIL_TAKEN');

    const weak = await app.inject({
      method: 'POST',
      url: '/api/auth/accept-invite',
      payload: { token, password: 'short' },
    });
    expect(json<{ error: { code: string } }>(weak).error.code).toBe('PASSWORD_TOO_WEAK');
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/auth/accept-invite',
      payload: { token, password: 'a-long-enough-passphrase' },
    });
    expect(accepted.statusCode).toBe(200);
    expect(json(accepted).step).toBe('mfa_enrol');
    const reuse = await app.inject({
      method: 'POST',
      url: '/api/auth/accept-invite',
      payload: { token, password: 'another-long-passphrase' },
    });
    expect(reuse.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(reuse).error.code).toBe('INVITE_INVALID');
    expect(await auditActions(user.id)).toEqual(
      expect.arrayContaining(['user.invited', 'auth.invite_accepted']),
    );
  });

  it('changes a role, disables (ending sessions) and resets MFA, all audited with the reason', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const s = await sessionFor(db, admin);
    const target = await createUser(db, { role: 'advocate', mfa: true });
    const targetSession = await sessionFor(db, target);
    // Used once, so the session is in the cache: revocation must still take effect at once.
    expect(
      (await app.inject({ method: 'GET', url: '/api/session', headers: targetSession.headers })).statusCode,
    ).toBe(200);

    const role = await app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${target.id}`,
      headers: s.headers,
      payload: { role: 'supervisor', reason: 'promotion' },
    });
    expect(json<{ user: { role: string } }>(role).user.role).toBe('supervisor');
    const disable = await app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${target.id}`,
      headers: s.headers,
      payload: { disabled: true },
    });
    expect(json<{ user: { disabled: boolean } }>(disable).user.disabled).toBe(true);
    expect(
      (await app.inject({ method: 'GET', url: '/api/session', headers: targetSession.headers })).statusCode,
    ).toBe(401);

    const reset = await app.inject({
      method: 'POST',
      url: `/api/admin/users/${target.id}/reset-mfa`,
      headers: s.headers,
      payload: { reason: 'lost phone' },
    });
    expect(json<{ user: { mfaEnabled: boolean } }>(reset).user.mfaEnabled).toBe(false);

    const rows = await db.select().from(auditLog).where(eq(auditLog.targetId, target.id));
    expect(rows.find((r) => r.action === 'user.role_changed')).toMatchObject({
      reason: 'promotion',
      actorId: admin.id,
    });
    expect(rows.find((r) => r.action === 'user.mfa_reset')).toMatchObject({ reason: 'lost phone' });
    expect(rows.map((r) => r.action)).toContain('user.disabled');

    const self = await app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${admin.id}`,
      headers: s.headers,
      payload: { disabled: true },
    });
    expect(self.statusCode).toBe(409);
  });

  it('records every read of the staff list', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const s = await sessionFor(db, admin);
    const res = await app.inject({ method: 'GET', url: '/api/admin/users', headers: s.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/password_?hash|totp_?secret|argon2/i);
    const rows = await db.select().from(auditLog).where(eq(auditLog.actorId, admin.id));
    expect(rows.map((r) => r.action)).toContain('users.listed');
  });
});

describe('API tokens', () => {
  it('creates a token shown once, which works within its scope until revoked', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const s = await sessionFor(db, admin);
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/tokens',
      headers: s.headers,
      payload: { userId: admin.id, name: 'nightly export', scopes: ['users:read'], expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = json<{ secret: string; token: { id: string } }>(created);
    expect(secret).toMatch(/^hbr_/);
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await app.inject({ method: 'GET', url: '/api/admin/users', headers: bearer })).statusCode).toBe(
      200,
    );
    // Out of scope:
    const audit = await app.inject({ method: 'GET', url: '/api/admin/audit', headers: bearer });
    expect(audit.statusCode).toBe(403);
    expect(json<{ error: { code: string } }>(audit).error.code).toBe('TOKEN_SCOPE');
    // The list never shows secrets.
    const list = await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: s.headers });
    expect(list.body).not.toContain(secret);

    expect(
      (await app.inject({ method: 'DELETE', url: `/api/admin/tokens/${token.id}`, headers: s.headers }))
        .statusCode,
    ).toBe(204);
    const revoked = await app.inject({ method: 'GET', url: '/api/admin/users', headers: bearer });
    expect(revoked.statusCode).toBe(401);
    expect(json<{ error: { code: string } }>(revoked).error.code).toBe('TOKEN_INVALID');
  });

  it('refuses expired, unknown and malformed tokens', async () => {
    const admin = await createUser(db, { role: 'admin' });
    const expired = await tokenFor(db, admin, ['users:read'], { expiresAt: new Date(Date.now() - 1000) });
    for (const secret of [expired, 'hbr_doesnotexist', 'garbage', '']) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/admin/users',
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(res.statusCode).toBe(401);
    }
  });

  it("cannot exceed its user's role", async () => {
    const advocate = await createUser(db, { role: 'advocate' });
    const secret = await tokenFor(db, advocate, ['users:read']);
    const res = await app.inject({
      method: 'GET',
      url: '/api/admin/users',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.statusCode).toBe(403);
  });
});
