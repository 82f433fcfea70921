import type { Role, Scope } from '../../shared/roles.js';

/**
 * Every route declares exactly one policy in `config.policy`; a route without one refuses to register.
 * - `public`: anyone (rate-limited).
 * - `signIn`: a sign-in in progress (password checked, MFA pending) or a full session.
 * - `staff`: a signed-in user or API token whose role is listed; a token also needs `scope`
 *   (a route without `scope` cannot be used with a token at all).
 */
export type RoutePolicy =
  | { kind: 'public' }
  | { kind: 'signIn' }
  | { kind: 'staff'; roles: readonly Role[] | 'all'; scope?: Scope };

export const publicPolicy: RoutePolicy = { kind: 'public' };
export const signInPolicy: RoutePolicy = { kind: 'signIn' };
export function staff(roles: readonly Role[] | 'all', scope?: Scope): RoutePolicy {
  return scope ? { kind: 'staff', roles, scope } : { kind: 'staff', roles };
}

export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  locale: 'en-CA' | 'fr-CA';
  isDemo: boolean;
  totpEnabled: boolean;
}

export type Auth =
  | {
      kind: 'session';
      user: AuthUser;
      sessionId: string;
      stage: 'pending_mfa' | 'pending_enrol' | 'active';
      csrfToken: string;
    }
  | { kind: 'token'; user: AuthUser; tokenId: string; tokenName: string; scopes: readonly string[] };

export type PolicyDecision = 'allow' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'TOKEN_SCOPE';

/** Pure decision, so that the route × role matrix can be reasoned about and tested without HTTP. */
export function decide(policy: RoutePolicy, auth: Auth | null): PolicyDecision {
  if (policy.kind === 'public') return 'allow';
  if (!auth) return 'UNAUTHENTICATED';
  if (policy.kind === 'signIn') return auth.kind === 'session' ? 'allow' : 'FORBIDDEN';
  if (auth.kind === 'session' && auth.stage !== 'active') return 'UNAUTHENTICATED';
  if (auth.kind === 'token' && (!policy.scope || !auth.scopes.includes(policy.scope))) return 'TOKEN_SCOPE';
  if (policy.roles !== 'all' && !policy.roles.includes(auth.user.role)) return 'FORBIDDEN';
  return 'allow';
}
