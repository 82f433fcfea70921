import type { RecordType } from './types';

// The directory's own paths under /console/directory; parseRoute (router.ts) hands the rest of the path here.

export type DirectoryView =
  | { page: 'search' }
  | { page: 'verification' }
  | { page: 'proposals' }
  | { page: 'importExport' }
  | { page: 'surveys' }
  | { page: 'survey'; id: string }
  | { page: 'record'; type: RecordType; id: string }
  | { page: 'new'; type: RecordType; organizationId: string | null };

const ROOT = '/console/directory';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECORD_SEGMENTS: Record<string, RecordType> = {
  organizations: 'organization',
  services: 'service',
  locations: 'location',
};

/** `[]` → search, `['services', id]` → that record; anything else is not a directory page (null). */
export function parseDirectoryPath(parts: string[]): DirectoryView | null {
  const [first, second, third, ...rest] = parts;
  if (rest.length > 0) return null;
  if (third !== undefined) {
    // New services and locations hang off their organization: /organizations/<id>/new-service
    if (first !== 'organizations' || !second || !UUID.test(second)) return null;
    if (third === 'new-service')
      return { page: 'new', type: 'service', organizationId: second.toLowerCase() };
    if (third === 'new-location')
      return { page: 'new', type: 'location', organizationId: second.toLowerCase() };
    return null;
  }
  if (first === 'organizations' && second === 'new')
    return { page: 'new', type: 'organization', organizationId: null };
  if (first === undefined) return { page: 'search' };
  if (second === undefined) {
    if (first === 'verification') return { page: 'verification' };
    if (first === 'proposals') return { page: 'proposals' };
    if (first === 'import') return { page: 'importExport' };
    if (first === 'surveys') return { page: 'surveys' };
    return null;
  }
  if (first === 'surveys' && UUID.test(second)) return { page: 'survey', id: second.toLowerCase() };
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
  importExport: `${ROOT}/import`,
  surveys: `${ROOT}/surveys`,
  survey: (surveyId: string) => `${ROOT}/surveys/${encodeURIComponent(surveyId)}`,
  record: (type: RecordType, id: string) => `${ROOT}/${SEGMENT[type]}/${encodeURIComponent(id)}`,
  newOrganization: `${ROOT}/organizations/new`,
  newService: (organizationId: string) =>
    `${ROOT}/organizations/${encodeURIComponent(organizationId)}/new-service`,
  newLocation: (organizationId: string) =>
    `${ROOT}/organizations/${encodeURIComponent(organizationId)}/new-location`,
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
