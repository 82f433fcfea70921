// API shapes of docs/api/identity.md, as the console sees them.

// Roles, scopes and locales are defined once, shared with the server.
import type { Locale } from '../../../shared/roles';

export { type Locale, ROLES, type Role, SCOPES, type Scope } from '../../../shared/roles';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: string;
  locale: Locale;
  mfaEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** The organization a partner works for (their own listing); null for hotline staff. */
  organizationId: string | null;
}

export interface Session {
  user: User;
  csrfToken: string;
  demo: boolean;
}

export interface Meta {
  demo: boolean;
  roles: string[];
  locales: Locale[];
  version: string;
}

export type SignInStep = 'mfa' | 'mfa_enrol' | 'done';

export interface StepResponse {
  step: SignInStep;
  csrfToken: string;
  user?: User;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  requestId: string | null;
}

export interface ApiToken {
  id: string;
  userId: string;
  userEmail: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export { SCOPES as TOKEN_SCOPES } from '../../../shared/roles';
