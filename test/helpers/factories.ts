import { randomBytes, randomUUID } from 'node:crypto';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { apiTokens, sessions, users } from '../../src/server/db/schema.js';
import { hashPassword } from '../../src/server/modules/identity/identity.service.js';
import { encrypt, randomToken, sha256 } from '../../src/server/platform/crypto.js';
import type { Db } from '../../src/server/platform/db.js';
import type { Role } from '../../src/shared/roles.js';
import { TEST_KEY } from './app.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  /** Base32 TOTP key when the user has MFA. */
  totpSecret?: string;
}

let cachedHash: { password: string; hash: Promise<string> } | undefined;

/** A unique, obviously fictional staff member. Argon2 is slow, so users share one password hash. */
export async function createUser(
  db: Db,
  options: {
    role?: Role;
    mfa?: boolean;
    disabled?: boolean;
    isDemo?: boolean;
    locale?: 'en-CA' | 'fr-CA';
    /** For partners: the directory organization they work for. */
    organizationId?: string;
  } = {},
): Promise<TestUser> {
  cachedHash ??= { password: 'test-password-fictional', hash: hashPassword('test-password-fictional') };
  const id = randomUUID();
  const role = options.role ?? 'advocate';
  const email = `${role}.${id.slice(0, 8)}@test.harbour.example`;
  let totpSecret: string | undefined;
  let totpSecretEnc: string | null = null;
  if (options.mfa) {
    const key = randomBytes(20);
    totpSecret = encodeBase32UpperCaseNoPadding(key);
    totpSecretEnc = encrypt(TEST_KEY, key, `totp:${id}`);
  }
  await db.insert(users).values({
    id,
    email,
    displayName: `Test ${role} ${id.slice(0, 4)} (fictional)`,
    role,
    locale: options.locale ?? 'en-CA',
    passwordHash: await cachedHash.hash,
    totpEnabled: Boolean(options.mfa),
    totpSecretEnc,
    isDemo: options.isDemo ?? false,
    disabledAt: options.disabled ? new Date() : null,
    organizationId: options.organizationId ?? null,
  });
  return { id, email, password: cachedHash.password, role, ...(totpSecret ? { totpSecret } : {}) };
}

export interface TestSession {
  cookie: string;
  csrfToken: string;
  /** Headers for app.inject: cookie + CSRF token. */
  headers: Record<string, string>;
}

/** A signed-in session without going through the sign-in flow (tests of other things). */
export async function sessionFor(
  db: Db,
  user: { id: string },
  options: { stage?: 'active' | 'pending_mfa' | 'pending_enrol'; lastSeenAt?: Date; expiresAt?: Date } = {},
): Promise<TestSession> {
  const cookie = randomToken();
  const csrfToken = randomToken();
  await db.insert(sessions).values({
    id: sha256(cookie),
    userId: user.id,
    stage: options.stage ?? 'active',
    csrfToken,
    lastSeenAt: options.lastSeenAt ?? new Date(),
    expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
  });
  return { cookie, csrfToken, headers: { cookie: `harbour_session=${cookie}`, 'x-csrf-token': csrfToken } };
}

/** An API token straight in the database; returns the bearer secret. */
export async function tokenFor(
  db: Db,
  user: { id: string },
  scopes: string[],
  options: { expiresAt?: Date; revokedAt?: Date } = {},
): Promise<string> {
  const secret = `hbr_${randomToken()}`;
  await db.insert(apiTokens).values({
    userId: user.id,
    name: `test token ${secret.slice(4, 10)}`,
    tokenHash: sha256(secret),
    scopes,
    expiresAt: options.expiresAt ?? new Date(Date.now() + 86400_000),
    revokedAt: options.revokedAt ?? null,
  });
  return secret;
}

export function setCookieValue(header: string | string[] | undefined): string | undefined {
  const all = Array.isArray(header) ? header : header ? [header] : [];
  for (const h of all) {
    const m = /harbour_session=([^;]+)/.exec(h);
    if (m) return m[1];
  }
  return undefined;
}
