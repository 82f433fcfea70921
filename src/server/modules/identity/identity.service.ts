import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import QRCode from 'qrcode';
import type { Locale, Role, Scope } from '../../../shared/roles.js';
import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import { decrypt, encrypt, type Keyring, randomToken, safeEqual, sha256 } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { Auth, AuthUser } from '../../platform/policy.js';
import { identityRepository as repo, type UserRow } from './identity.repository.js';
import { SessionCache } from './session-cache.js';

export interface IdentityDeps {
  db: Db;
  encryptionKey: Keyring;
  /** Demo mode: demo accounts may sign in without MFA. */
  demo: boolean;
  publicUrl: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** How long a resolved session may be reused without reading the database (0 disables). */
  sessionCacheMs?: number;
  now?: () => Date;
}

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;
export const PENDING_SESSION_MINUTES = 10;
export const INVITE_DAYS = 7;
export const MIN_PASSWORD_LENGTH = 12;
const TOTP_PERIOD = 30;
const TOTP_DIGITS = 6;
export const TOKEN_PREFIX = 'hbr_';

// Argon2id, OWASP's second recommended profile (19 MiB, t=2, p=1).
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// Compared against when the e-mail is unknown, so the answer takes as long as for a real account.
let dummyHash: Promise<string> | undefined;

export type SignInStep = 'mfa' | 'mfa_enrol' | 'done';
export interface SessionIssued {
  step: SignInStep;
  /** Cookie value; only its SHA-256 is stored. */
  cookie: string;
  csrfToken: string;
  user: UserRow;
}

export function toAuthUser(u: UserRow): AuthUser {
  return {
    id: u.id,
    email: u.email,
    role: u.role as Role,
    locale: u.locale as Locale,
    isDemo: u.isDemo,
    totpEnabled: u.totpEnabled,
  };
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON);
}

/** The TOTP step a code matches (±1 step of clock drift), or undefined. */
export function matchTotp(key: Uint8Array, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = Math.floor(nowMs / 1000 / TOTP_PERIOD);
  for (const step of [current - 1, current, current + 1]) {
    if (safeEqual(generateHOTP(key, BigInt(step), TOTP_DIGITS), code)) return step;
  }
  return undefined;
}

/** For tests and the demo: the code an authenticator app would show now. */
export function totpNow(secretBase32: string, nowMs = Date.now()): string {
  const step = Math.floor(nowMs / 1000 / TOTP_PERIOD);
  return generateHOTP(decodeBase32IgnorePadding(secretBase32), BigInt(step), TOTP_DIGITS);
}

/** Staff identity: sign-in with password + TOTP, sessions, invitations, administration, API tokens. */
export function createIdentityService(deps: IdentityDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const sessionAad = (userId: string) => `totp:${userId}`;
  const cache = new SessionCache(deps.sessionCacheMs ?? 2000);

  // Every write to a user or session goes through these, so the session cache never outlives a change here.
  async function updateUserRow(tx: Db, id: string, values: Partial<UserRow>) {
    cache.forgetUser(id);
    const row = await repo.updateUser(tx, id, values);
    cache.forgetUser(id);
    return row;
  }
  async function dropSession(tx: Db, id: string) {
    cache.forgetSession(id);
    await repo.deleteSession(tx, id);
  }
  async function dropUserSessions(tx: Db, userId: string) {
    cache.forgetUser(userId);
    await repo.deleteUserSessions(tx, userId);
  }

  function mfaRequired(user: UserRow): boolean {
    return !(deps.demo && user.isDemo) || user.totpEnabled;
  }

  async function issueSession(tx: Db, user: UserRow, stage: 'pending_mfa' | 'pending_enrol' | 'active') {
    const cookie = randomToken();
    const csrfToken = randomToken();
    const t = now();
    const lifetimeMs =
      stage === 'active' ? deps.sessionMaxHours * 3600_000 : PENDING_SESSION_MINUTES * 60_000;
    await repo.insertSession(tx, {
      id: sha256(cookie),
      userId: user.id,
      stage,
      csrfToken,
      createdAt: t,
      lastSeenAt: t,
      expiresAt: new Date(t.getTime() + lifetimeMs),
    });
    return { cookie, csrfToken };
  }

  async function registerFailure(user: UserRow, actor: Actor, action: string): Promise<AppError> {
    const failed = user.failedAttempts + 1;
    const lock = failed >= MAX_FAILED_ATTEMPTS;
    await db.transaction(async (tx) => {
      await updateUserRow(tx, user.id, {
        failedAttempts: lock ? 0 : failed,
        lockedUntil: lock ? new Date(now().getTime() + LOCK_MINUTES * 60_000) : user.lockedUntil,
      });
      await recordAudit(tx, actor, {
        action,
        targetType: 'user',
        targetId: user.id,
        details: { locked: lock },
      });
    });
    return lock
      ? new AppError('ACCOUNT_LOCKED', 423, { minutes: LOCK_MINUTES })
      : new AppError(action === 'auth.mfa_failed' ? 'MFA_CODE_INVALID' : 'INVALID_CREDENTIALS', 401);
  }

  /** A one-time link token; only its hash is stored. */
  async function issueInvite(tx: Db, userId: string, actor: Actor): Promise<string> {
    const inviteToken = randomToken();
    await repo.insertInvite(tx, {
      userId,
      tokenHash: sha256(inviteToken),
      createdBy: actor.id,
      expiresAt: new Date(now().getTime() + INVITE_DAYS * 86400_000),
    });
    return inviteToken;
  }

  function assertUsable(user: UserRow) {
    if (user.disabledAt) throw new AppError('ACCOUNT_DISABLED', 403);
    if (user.lockedUntil && user.lockedUntil > now()) {
      const minutes = Math.max(1, Math.ceil((user.lockedUntil.getTime() - now().getTime()) / 60_000));
      throw new AppError('ACCOUNT_LOCKED', 423, { minutes });
    }
  }

  async function completeSignIn(tx: Db, user: UserRow, actor: Actor, method: string) {
    const updated = await updateUserRow(tx, user.id, {
      failedAttempts: 0,
      lockedUntil: null,
      lastSignInAt: now(),
    });
    await recordAudit(
      tx,
      { ...actor, id: user.id, label: user.email },
      {
        action: 'auth.signed_in',
        targetType: 'user',
        targetId: user.id,
        details: { method },
      },
    );
    return updated ?? user;
  }

  /** Checks a TOTP code for a user and consumes its time-step (a replayed code is refused). */
  async function checkCode(tx: Db, user: UserRow, code: string): Promise<boolean> {
    if (!user.totpSecretEnc) return false;
    const key = decrypt(deps.encryptionKey, user.totpSecretEnc, sessionAad(user.id));
    const step = matchTotp(key, code, now().getTime());
    if (step === undefined || (user.totpLastCounter !== null && step <= user.totpLastCounter)) return false;
    await updateUserRow(tx, user.id, { totpLastCounter: step });
    return true;
  }

  return {
    /** Step 1: e-mail + password. Unknown e-mail and wrong password answer the same, in the same time. */
    async signIn(email: string, password: string, actor: Actor): Promise<SessionIssued> {
      const user = await repo.findUserByEmail(db, email.trim());
      if (!user?.passwordHash) {
        dummyHash ??= hashPassword(randomToken());
        await argonVerify(await dummyHash, password).catch(() => false);
        throw new AppError('INVALID_CREDENTIALS', 401);
      }
      assertUsable(user);
      const ok = await argonVerify(user.passwordHash, password).catch(() => false);
      if (!ok) throw await registerFailure(user, actor, 'auth.sign_in_failed');

      return db.transaction(async (tx) => {
        if (!mfaRequired(user)) {
          const signedIn = await completeSignIn(tx, user, actor, 'password (demo)');
          const issued = await issueSession(tx, signedIn, 'active');
          return { step: 'done' as const, ...issued, user: signedIn };
        }
        const stage = user.totpEnabled ? 'pending_mfa' : 'pending_enrol';
        const issued = await issueSession(tx, user, stage);
        await updateUserRow(tx, user.id, { failedAttempts: 0 });
        return { step: user.totpEnabled ? ('mfa' as const) : ('mfa_enrol' as const), ...issued, user };
      });
    },

    /** Step 2: the TOTP code; replaces the pending session with a full one. */
    async verifyMfa(auth: Auth, code: string, actor: Actor): Promise<SessionIssued> {
      if (auth.kind !== 'session' || auth.stage !== 'pending_mfa') throw new AppError('UNAUTHENTICATED', 401);
      const user = await repo.findUser(db, auth.user.id);
      if (!user) throw new AppError('UNAUTHENTICATED', 401);
      assertUsable(user);
      const result = await db.transaction(async (tx) => {
        if (!(await checkCode(tx, user, code))) return undefined;
        await dropSession(tx, auth.sessionId);
        const signedIn = await completeSignIn(tx, user, actor, 'password+totp');
        const issued = await issueSession(tx, signedIn, 'active');
        return { step: 'done' as const, ...issued, user: signedIn };
      });
      if (!result) throw await registerFailure(user, actor, 'auth.mfa_failed');
      return result;
    },

    /** Starts (or restarts) TOTP enrolment: a new key, stored encrypted, enabled only once confirmed. */
    async startEnrolment(auth: Auth) {
      if (auth.kind !== 'session') throw new AppError('UNAUTHENTICATED', 401);
      const pending = auth.stage === 'pending_enrol';
      const activeWithout = auth.stage === 'active' && !auth.user.totpEnabled;
      if (!pending && !activeWithout) throw new AppError('FORBIDDEN', 403);
      const key = crypto.getRandomValues(new Uint8Array(20));
      await updateUserRow(db, auth.user.id, {
        totpSecretEnc: encrypt(deps.encryptionKey, Buffer.from(key), sessionAad(auth.user.id)),
        totpEnabled: false,
        totpLastCounter: null,
      });
      const otpauthUri = createTOTPKeyURI('Harbour', auth.user.email, key, TOTP_PERIOD, TOTP_DIGITS);
      const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { secret: encodeBase32UpperCaseNoPadding(key), otpauthUri, qrSvg };
    },

    async confirmEnrolment(auth: Auth, code: string, actor: Actor): Promise<SessionIssued> {
      if (auth.kind !== 'session') throw new AppError('UNAUTHENTICATED', 401);
      const user = await repo.findUser(db, auth.user.id);
      if (!user || user.totpEnabled || !user.totpSecretEnc) throw new AppError('MFA_NOT_ENROLLED', 400);
      assertUsable(user);
      const result = await db.transaction(async (tx) => {
        if (!(await checkCode(tx, user, code))) return undefined;
        await updateUserRow(tx, user.id, { totpEnabled: true });
        await recordAudit(
          tx,
          { ...actor, id: user.id, label: user.email },
          {
            action: 'auth.mfa_enrolled',
            targetType: 'user',
            targetId: user.id,
          },
        );
        await dropSession(tx, auth.sessionId);
        const signedIn = await completeSignIn(tx, { ...user, totpEnabled: true }, actor, 'password+totp');
        const issued = await issueSession(tx, signedIn, 'active');
        return { step: 'done' as const, ...issued, user: signedIn };
      });
      if (!result) throw await registerFailure(user, actor, 'auth.mfa_failed');
      return result;
    },

    async signOut(auth: Auth, actor: Actor): Promise<void> {
      if (auth.kind !== 'session') return;
      await db.transaction(async (tx) => {
        await dropSession(tx, auth.sessionId);
        await recordAudit(tx, actor, {
          action: 'auth.signed_out',
          targetType: 'user',
          targetId: auth.user.id,
        });
      });
    },

    /** Sets the password from an invitation link (works once) and starts a sign-in that must enrol MFA. */
    async acceptInvite(token: string, password: string, displayName: string | undefined, actor: Actor) {
      if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('PASSWORD_TOO_WEAK', 400);
      const passwordHash = await hashPassword(password);
      return db.transaction(async (tx) => {
        const invite = await repo.consumeInvite(tx, sha256(token), now());
        if (!invite) throw new AppError('INVITE_INVALID', 400);
        const user = await updateUserRow(tx, invite.userId, {
          passwordHash,
          failedAttempts: 0,
          lockedUntil: null,
          ...(displayName ? { displayName } : {}),
        });
        if (!user || user.disabledAt) throw new AppError('INVITE_INVALID', 400);
        await dropUserSessions(tx, user.id);
        await recordAudit(
          tx,
          { ...actor, id: user.id, label: user.email },
          {
            action: 'auth.invite_accepted',
            targetType: 'user',
            targetId: user.id,
          },
        );
        if (!mfaRequired(user)) {
          const signedIn = await completeSignIn(tx, user, actor, 'invite (demo)');
          return { step: 'done' as const, ...(await issueSession(tx, signedIn, 'active')), user: signedIn };
        }
        const stage = user.totpEnabled ? 'pending_mfa' : 'pending_enrol';
        const issued = await issueSession(tx, user, stage);
        return { step: user.totpEnabled ? ('mfa' as const) : ('mfa_enrol' as const), ...issued, user };
      });
    },

    /**
     * Resolves a session cookie. Expired (idle or absolute) sessions are deleted and reported as such,
     * so the caller can say "your session has ended" rather than "sign in".
     */
    async authenticateSession(cookie: string): Promise<Auth | 'expired' | undefined> {
      const id = sha256(cookie);
      const t = now();
      const found = cache.get(id, t.getTime()) ?? (await repo.findSessionWithUser(db, id));
      if (!found) return undefined;
      const { session, user } = found;
      const idleLimit = new Date(t.getTime() - deps.sessionIdleMinutes * 60_000);
      if (session.expiresAt <= t || session.lastSeenAt < idleLimit || user.disabledAt) {
        await dropSession(db, id);
        return 'expired';
      }
      if (t.getTime() - session.lastSeenAt.getTime() > 60_000) {
        session.lastSeenAt = t;
        await repo.updateSession(db, id, { lastSeenAt: t });
      }
      if (!('at' in found)) cache.set(id, { session, user, at: t.getTime() });
      return {
        kind: 'session',
        user: toAuthUser(user),
        sessionId: id,
        stage: session.stage as 'pending_mfa' | 'pending_enrol' | 'active',
        csrfToken: session.csrfToken,
      };
    },

    async authenticateToken(secret: string): Promise<Auth | undefined> {
      if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
      const found = await repo.findTokenWithUser(db, sha256(secret));
      if (!found) return undefined;
      const { token, user } = found;
      const t = now();
      if (token.revokedAt || token.expiresAt <= t || user.disabledAt) return undefined;
      if (!token.lastUsedAt || t.getTime() - token.lastUsedAt.getTime() > 60_000) {
        await repo.updateToken(db, token.id, { lastUsedAt: t });
      }
      return {
        kind: 'token',
        user: toAuthUser(user),
        tokenId: token.id,
        tokenName: token.name,
        scopes: token.scopes,
      };
    },

    /** The signed-in user's row: from the session cache when fresh, else the database. */
    async currentUser(auth: Auth): Promise<UserRow | undefined> {
      if (auth.kind === 'session') {
        const hit = cache.get(auth.sessionId, now().getTime());
        if (hit) return hit.user;
      }
      return repo.findUser(db, auth.user.id);
    },

    async updateMe(auth: Auth, changes: { locale?: Locale; displayName?: string }, actor: Actor) {
      return db.transaction(async (tx) => {
        const user = await updateUserRow(tx, auth.user.id, changes);
        if (!user) throw notFound();
        await recordAudit(tx, actor, {
          action: 'user.updated_self',
          targetType: 'user',
          targetId: user.id,
          details: { fields: Object.keys(changes) },
        });
        return user;
      });
    },

    /** Reading the staff list is a read of personal data: audited. */
    async listUsers(actor: Actor): Promise<UserRow[]> {
      return db.transaction(async (tx) => {
        const rows = await repo.listUsers(tx);
        await recordAudit(tx, actor, {
          action: 'users.listed',
          targetType: 'user',
          details: { count: rows.length },
        });
        return rows;
      });
    },

    inviteUrl(token: string): string {
      return `${deps.publicUrl}/console/invite#token=${token}`;
    },

    /** Creates a staff account without a password; the invitation link sets it. */
    async inviteUser(
      input: { email: string; displayName: string; role: Role; locale?: Locale; isDemo?: boolean },
      actor: Actor,
      tx0?: Db,
    ): Promise<{ user: UserRow; inviteToken: string }> {
      const run = async (tx: Db) => {
        if (await repo.findUserByEmail(tx, input.email)) throw new AppError('EMAIL_TAKEN', 409);
        const user = await repo.insertUser(tx, {
          email: input.email.trim(),
          displayName: input.displayName.trim(),
          role: input.role,
          locale: input.locale ?? 'en-CA',
          isDemo: input.isDemo ?? false,
        });
        const inviteToken = await issueInvite(tx, user.id, actor);
        await recordAudit(tx, actor, {
          action: 'user.invited',
          targetType: 'user',
          targetId: user.id,
          details: { role: input.role },
        });
        return { user, inviteToken };
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    /** A fresh invitation (or password reset) link; earlier unused links stop working. */
    async newInvite(userId: string, actor: Actor): Promise<string> {
      return db.transaction(async (tx) => {
        const user = await repo.findUser(tx, userId);
        if (!user) throw notFound();
        await repo.expireInvites(tx, userId, now());
        const inviteToken = await issueInvite(tx, userId, actor);
        await recordAudit(tx, actor, {
          action: 'user.invite_reissued',
          targetType: 'user',
          targetId: userId,
        });
        return inviteToken;
      });
    },

    async updateUser(
      userId: string,
      changes: { role?: Role; disabled?: boolean },
      reason: string | undefined,
      actor: Actor,
    ): Promise<UserRow> {
      if (userId === actor.id && (changes.role !== undefined || changes.disabled !== undefined)) {
        throw new AppError('CANNOT_CHANGE_SELF', 409);
      }
      return db.transaction(async (tx) => {
        const before = await repo.findUser(tx, userId);
        if (!before) throw notFound();
        const values: Partial<UserRow> = {};
        if (changes.role !== undefined) values.role = changes.role;
        if (changes.disabled !== undefined)
          values.disabledAt = changes.disabled ? (before.disabledAt ?? now()) : null;
        // Nothing to change (an empty body) is not an error: the user as they are.
        const user =
          Object.keys(values).length > 0 ? ((await updateUserRow(tx, userId, values)) ?? before) : before;
        if (changes.disabled || changes.role !== undefined) await dropUserSessions(tx, userId);
        if (changes.role !== undefined && changes.role !== before.role) {
          await recordAudit(tx, actor, {
            action: 'user.role_changed',
            targetType: 'user',
            targetId: userId,
            ...(reason ? { reason } : {}),
            details: { from: before.role, to: changes.role },
          });
        }
        if (changes.disabled !== undefined && changes.disabled !== Boolean(before.disabledAt)) {
          await recordAudit(tx, actor, {
            action: changes.disabled ? 'user.disabled' : 'user.enabled',
            targetType: 'user',
            targetId: userId,
            ...(reason ? { reason } : {}),
          });
        }
        return user;
      });
    },

    /** Removes a user's TOTP key; their next sign-in must enrol again. Ends their sessions. */
    async resetMfa(userId: string, reason: string | undefined, actor: Actor): Promise<UserRow> {
      return db.transaction(async (tx) => {
        const user = await updateUserRow(tx, userId, {
          totpEnabled: false,
          totpSecretEnc: null,
          totpLastCounter: null,
        });
        if (!user) throw notFound();
        await dropUserSessions(tx, userId);
        await recordAudit(tx, actor, {
          action: 'user.mfa_reset',
          targetType: 'user',
          targetId: userId,
          ...(reason ? { reason } : {}),
        });
        return user;
      });
    },

    async createToken(
      input: { userId: string; name: string; scopes: Scope[]; expiresInDays: number },
      actor: Actor,
    ) {
      return db.transaction(async (tx) => {
        const user = await repo.findUser(tx, input.userId);
        if (!user) throw notFound();
        const secret = `${TOKEN_PREFIX}${randomToken()}`;
        const token = await repo.insertToken(tx, {
          userId: user.id,
          name: input.name.trim(),
          tokenHash: sha256(secret),
          scopes: [...new Set(input.scopes)],
          createdBy: actor.id,
          expiresAt: new Date(now().getTime() + input.expiresInDays * 86400_000),
        });
        await recordAudit(tx, actor, {
          action: 'token.created',
          targetType: 'api_token',
          targetId: token.id,
          details: { userId: user.id, scopes: token.scopes, expiresInDays: input.expiresInDays },
        });
        return { token, userEmail: user.email, secret };
      });
    },

    /** The list names each token's user (staff e-mail): an audited read. */
    async listTokens(actor: Actor) {
      return db.transaction(async (tx) => {
        const rows = await repo.listTokens(tx);
        await recordAudit(tx, actor, {
          action: 'tokens.listed',
          targetType: 'api_token',
          details: { count: rows.length },
        });
        return rows;
      });
    },

    async revokeToken(id: string, actor: Actor): Promise<void> {
      await db.transaction(async (tx) => {
        const token = await repo.updateToken(tx, id, { revokedAt: now() });
        if (!token) throw notFound();
        await recordAudit(tx, actor, { action: 'token.revoked', targetType: 'api_token', targetId: id });
      });
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
