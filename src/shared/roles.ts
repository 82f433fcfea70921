/** Staff roles. Kept in shared/ because the console shows role labels and the server enforces them. */
export const ROLES = [
  'advocate',
  'supervisor',
  'directory_manager',
  'analyst',
  'communications',
  'admin',
  'partner',
  'funder_viewer',
] as const;
export type Role = (typeof ROLES)[number];

/** API-token scopes. A token can never do more than its user's role allows; scopes narrow it further. */
export const SCOPES = [
  'users:read',
  'users:write',
  'audit:read',
  'directory:read',
  'directory:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export const LOCALES = ['en-CA', 'fr-CA'] as const;
export type Locale = (typeof LOCALES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
