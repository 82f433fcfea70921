import { ApiError, api } from './client';
import type { ApiToken, AuditEvent, Locale, Meta, MfaEnrolment, Session, StepResponse, User } from './types';

// One function per endpoint of docs/api/identity.md, so components never build URLs or bodies by hand.

/** Public: demo flag, roles and version, needed before anyone signs in. */
export const getMeta = () => api<Meta>('/api/meta', { authFlow: true });

/** The current session, or null when nobody is signed in (401 is the normal signed-out answer here). */
export async function getSession(): Promise<Session | null> {
  try {
    return await api<Session>('/api/session', { authFlow: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export const signIn = (email: string, password: string) =>
  api<StepResponse>('/api/auth/sign-in', { method: 'POST', body: { email, password }, authFlow: true });

export const verifyMfa = (code: string) =>
  api<StepResponse>('/api/auth/mfa/verify', { method: 'POST', body: { code }, authFlow: true });

export const startMfaEnrolment = () =>
  api<MfaEnrolment>('/api/auth/mfa/enrol', { method: 'POST', body: {}, authFlow: true });

export const confirmMfaEnrolment = (code: string) =>
  api<StepResponse>('/api/auth/mfa/enrol/confirm', { method: 'POST', body: { code }, authFlow: true });

export const signOut = () => api<void>('/api/auth/sign-out', { method: 'POST', body: {}, authFlow: true });

export const acceptInvite = (token: string, password: string) =>
  api<StepResponse>('/api/auth/accept-invite', { method: 'POST', body: { token, password }, authFlow: true });

export const updateMe = (patch: { locale?: Locale; displayName?: string }) =>
  api<{ user: User }>('/api/me', { method: 'PATCH', body: patch });

// Administration

export const listUsers = () => api<{ users: User[] }>('/api/admin/users');

export const inviteUser = (input: { email: string; displayName: string; role: string }) =>
  api<{ user: User; inviteUrl: string }>('/api/admin/users', { method: 'POST', body: input });

export const updateUser = (id: string, patch: { role?: string; disabled?: boolean; reason?: string }) =>
  api<{ user: User }>(`/api/admin/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });

export const resetUserMfa = (id: string, reason?: string) =>
  api<{ user: User }>(`/api/admin/users/${encodeURIComponent(id)}/reset-mfa`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });

export const newInviteLink = (id: string) =>
  api<{ inviteUrl: string }>(`/api/admin/users/${encodeURIComponent(id)}/invite`, {
    method: 'POST',
    body: {},
  });

export const AUDIT_PAGE_SIZE = 50;

export const listAuditEvents = (before?: string) => {
  const query = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (before) query.set('before', before);
  return api<{ events: AuditEvent[] }>(`/api/admin/audit?${query.toString()}`);
};

export const listTokens = () => api<{ tokens: ApiToken[] }>('/api/admin/tokens');

export const createToken = (input: {
  userId: string;
  name: string;
  scopes: string[];
  expiresInDays: number;
}) => api<{ token: ApiToken; secret: string }>('/api/admin/tokens', { method: 'POST', body: input });

export const revokeToken = (id: string) =>
  api<void>(`/api/admin/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });

/** The server may answer a path or a full URL; staff copy a full, absolute link. */
export function absoluteUrl(urlOrPath: string): string {
  return new URL(urlOrPath, window.location.origin).href;
}
