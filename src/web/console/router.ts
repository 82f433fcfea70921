import { useSyncExternalStore } from 'react';
import { isCaseId } from './cases/paths';
import { type DirectoryView, parseDirectoryPath } from './directory/routes';

// A deliberately tiny router over the History API: the console has a handful of flat paths under /console/.

export const BASE = '/console';

export type ModuleName = 'queue' | 'cases' | 'directory' | 'reports' | 'campaigns';
export const UPCOMING_MODULES: readonly ModuleName[] = ['campaigns'];

export type Route =
  | { name: 'home' }
  | { name: 'module'; module: ModuleName }
  | { name: 'directory'; view: DirectoryView }
  | { name: 'queue' }
  | { name: 'wallboard' }
  | { name: 'cases' }
  | { name: 'case'; id: string }
  | { name: 'partner-referrals' }
  | { name: 'supervision' }
  | { name: 'tasks' }
  | { name: 'reports' }
  | { name: 'admin-users' }
  | { name: 'admin-audit' }
  | { name: 'admin-tokens' }
  | { name: 'invite' }
  | { name: 'not-found' };

/** Maps a location pathname to a route; anything unknown is an honest "not found", never a guess. */
export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean);
  const [first, second, ...rest] = parts;
  if (first === undefined) return { name: 'home' };
  if (first === 'directory') {
    const view = parseDirectoryPath(parts.slice(1));
    return view ? { name: 'directory', view } : { name: 'not-found' };
  }
  if (first === 'cases' && rest.length === 0) {
    if (second === undefined) return { name: 'cases' };
    return isCaseId(second) ? { name: 'case', id: second } : { name: 'not-found' };
  }
  if (first === 'partner' && second === 'referrals' && rest.length === 0)
    return { name: 'partner-referrals' };
  if (rest.length > 0) return { name: 'not-found' };
  if (first === 'supervision' && second === undefined) return { name: 'supervision' };
  if (first === 'tasks' && second === undefined) return { name: 'tasks' };
  if (first === 'reports' && second === undefined) return { name: 'reports' };
  if (first === 'queue' && second === undefined) return { name: 'queue' };
  if (first === 'wallboard' && second === undefined) return { name: 'wallboard' };
  if (first === 'invite' && second === undefined) return { name: 'invite' };
  if (first === 'admin') {
    if (second === undefined || second === 'users') return { name: 'admin-users' };
    if (second === 'audit') return { name: 'admin-audit' };
    if (second === 'tokens') return { name: 'admin-tokens' };
    return { name: 'not-found' };
  }
  const module = UPCOMING_MODULES.find((m) => m === first);
  if (module && second === undefined) return { name: 'module', module };
  return { name: 'not-found' };
}

export const paths = {
  home: `${BASE}/`,
  module: (m: ModuleName) => `${BASE}/${m}`,
  tasks: `${BASE}/tasks`,
  reports: `${BASE}/reports`,
  adminUsers: `${BASE}/admin/users`,
  adminAudit: `${BASE}/admin/audit`,
  adminTokens: `${BASE}/admin/tokens`,
} as const;

const NAVIGATE_EVENT = 'harbour:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const getPathname = () => window.location.pathname;
const getSearch = () => window.location.search;

/** The current pathname, re-rendering on back/forward and on our own navigations. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname, getPathname);
}

/** The current query string (`?q=…`), for pages that keep their state in the URL. */
export function useLocationSearch(): string {
  return useSyncExternalStore(subscribe, getSearch, getSearch);
}

/** Client-side navigation; same-path navigations are ignored so history stays clean. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  const current = window.location.pathname + window.location.search + window.location.hash;
  if (target === current) return;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}
