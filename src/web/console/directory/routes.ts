import type { RecordType } from './types';

// The directory's own paths under /console/directory; parseRoute (router.ts) hands the rest of the path here.

export type DirectoryView =
  | { page: 'search' }
  | { page: 'verification' }
  | { page: 'proposals' }
  | { page: 'record'; type: RecordType; id: string };

const ROOT = '/console/directory';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECORD_SEGMENTS: Record<string, RecordType> = {
  organizations: 'organization',
  services: 'service',
  locations: 'location',
};

/** `[]` → search, `['services', id]` → that record; anything else is not a directory page (null). */
export function parseDirectoryPath(parts: string[]): DirectoryView | null {
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return null;
  if (first === undefined) return { page: 'search' };
  if (second === undefined) {
    if (first === 'verification') return { page: 'verification' };
    if (first === 'proposals') return { page: 'proposals' };
    return null;
  }
  const type = Object.hasOwn(RECORD_SEGMENTS, first) ? RECORD_SEGMENTS[first] : undefined;
  if (type && UUID.test(second)) return { page: 'record', type, id: second.toLowerCase() };
  return null;
}

const SEGMENT: Record<RecordType, string> = {
  organization: 'organizations',
  service: 'services',
  location: 'locations',
};

export const directoryPaths = {
  search: (query = '') => `${ROOT}${query}`,
  verification: `${ROOT}/verification`,
  proposals: `${ROOT}/proposals`,
  record: (type: RecordType, id: string) => `${ROOT}/${SEGMENT[type]}/${encodeURIComponent(id)}`,
};

/** Who sees what: advocates search; managers also edit, verify and review; partners only propose. */
export const DIRECTORY_ROLES = ['advocate', 'supervisor', 'directory_manager', 'admin', 'partner'] as const;
export const SEARCH_ROLES = ['advocate', 'supervisor', 'directory_manager', 'admin'];
export const MANAGER_ROLES = ['directory_manager', 'admin'];
export const HISTORY_ROLES = ['directory_manager', 'admin', 'supervisor'];

export function canUseDirectory(role: string): boolean {
  return (DIRECTORY_ROLES as readonly string[]).includes(role);
}
export const canSearch = (role: string) => SEARCH_ROLES.includes(role);
export const canManage = (role: string) => MANAGER_ROLES.includes(role);
export const canSeeHistory = (role: string) => HISTORY_ROLES.includes(role);

// The last search this tab ran, so "Back to search" from a record returns to the same results.
let lastSearchQuery = '';
export function rememberSearch(query: string): void {
  lastSearchQuery = query;
}
export function lastSearchPath(): string {
  return directoryPaths.search(lastSearchQuery);
}
