import { Type } from 'typebox';
import { LOCALES, type Locale, ROLES, type Role, SCOPES, type Scope } from '../../../shared/roles.js';
import type { TokenRow, UserRow } from './identity.repository.js';

const nullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const RoleSchema = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES] });
export const LocaleSchema = Type.Unsafe<Locale>({ type: 'string', enum: [...LOCALES] });
export const ScopeSchema = Type.Unsafe<Scope>({ type: 'string', enum: [...SCOPES] });

export const UserView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  locale: LocaleSchema,
  mfaEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  demo: Type.Boolean(),
  /** For partners: the directory organization they work for. */
  organizationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastSignInAt: nullableDate,
});

/** Never the password hash, TOTP key or lockout counters. */
export function presentUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role as Role,
    locale: u.locale as Locale,
    mfaEnabled: u.totpEnabled,
    disabled: u.disabledAt !== null,
    demo: u.isDemo,
    organizationId: u.organizationId,
    createdAt: u.createdAt.toISOString(),
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  };
}

export const TokenView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  userEmail: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  revokedAt: nullableDate,
  lastUsedAt: nullableDate,
});

/** Never the token hash. */
export function presentToken(t: TokenRow, userEmail: string) {
  return {
    id: t.id,
    userId: t.userId,
    userEmail,
    name: t.name,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}
