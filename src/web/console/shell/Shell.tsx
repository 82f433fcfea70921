import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { signOut } from '../api/endpoints';
import { canWorkCases, casePaths } from '../cases/paths';
import { canSearch, canUseDirectory, directoryPaths } from '../directory/routes';
import { useT } from '../locale';
import { LiveConnection } from '../queue/live';
import { OfferCount } from '../queue/OfferCount';
import { canAnswer, canWatch, queuePaths } from '../queue/routes';
import { canReadReports } from '../reports/routes';
import { type ModuleName, navigate, paths, type Route, UPCOMING_MODULES, usePathname } from '../router';
import { useSession, useSignedInSession } from '../session';
import { DemoBanner } from './DemoBanner';
import { LanguageSwitch, useSwitchLocale } from './language';
import { ShortcutsDialog, useShortcuts } from './shortcuts';
import { UserMenu } from './UserMenu';

export const MODULE_LABELS: Record<ModuleName, MessageId> = {
  queue: 'nav.queue',
  cases: 'nav.cases',
  directory: 'nav.directory',
  reports: 'nav.reports',
  campaigns: 'nav.campaigns',
};

type NavItem = 'home' | 'admin' | 'wallboard' | 'supervision' | 'partner-referrals' | 'tasks' | ModuleName;

function isCurrent(route: Route, item: NavItem): boolean {
  if (item === 'home') return route.name === 'home';
  if (item === 'queue') return route.name === 'queue';
  if (item === 'wallboard') return route.name === 'wallboard';
  if (item === 'directory') return route.name === 'directory';
  if (item === 'cases') return route.name === 'cases' || route.name === 'case';
  if (item === 'supervision') return route.name === 'supervision';
  if (item === 'tasks') return route.name === 'tasks';
  if (item === 'reports') return route.name === 'reports';
  if (item === 'partner-referrals') return route.name === 'partner-referrals';
  if (item === 'admin') return route.name.startsWith('admin-');
  return route.name === 'module' && route.module === item;
}

/** The signed-in frame: skip link, header, navigation, and focus moved to each new page's heading. */
export function Shell({ route, children }: { route: Route; children: ReactNode }) {
  const t = useT();
  const { user, demo } = useSignedInSession();
  const { end } = useSession();
  const switchLocale = useSwitchLocale();
  const [helpOpen, setHelpOpen] = useState(false);
  const isAdmin = user.role === 'admin';
  const hasDirectory = canUseDirectory(user.role);
  const directoryHome = canSearch(user.role) ? directoryPaths.search() : directoryPaths.proposals;
  const mainRef = useRef<HTMLElement>(null);
  const pathname = usePathname();

  useShortcuts({
    help: () => setHelpOpen(true),
    home: () => navigate(paths.home),
    admin: isAdmin ? () => navigate(paths.adminUsers) : undefined,
    directory: hasDirectory ? () => navigate(directoryHome) : undefined,
    queue: canAnswer(user.role) ? () => navigate(queuePaths.queue) : undefined,
    wallboard: canWatch(user.role) ? () => navigate(queuePaths.wallboard) : undefined,
    toggleLanguage: () => switchLocale(),
  });

  // After a client-side navigation, put focus on the new page's heading (announced by screen readers).
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path change only
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    const target = heading ?? mainRef.current;
    if (target) {
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }, [pathname]);

  const onSignOut = () => {
    signOut()
      .catch(() => undefined)
      .finally(() => end('signed-out'));
  };

  const navItem = (item: NavItem, href: string, label: string, later = false, extra?: ReactNode) => {
    const current = isCurrent(route, item);
    return (
      <li key={item}>
        <Link href={href} className="nav-link" aria-current={current ? 'page' : undefined}>
          <span>{label}</span>
          {later && <span className="nav-tag">{t('nav.later')}</span>}
          {extra}
        </Link>
      </li>
    );
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header className="app-header">
        <div className="header-row">
          <Link href={paths.home} className="brand">
            {t('app.name')}
          </Link>
          <div className="header-actions">
            <LiveConnection enabled={canAnswer(user.role) || canWatch(user.role)} />
            <LanguageSwitch />
            <UserMenu user={user} onSignOut={onSignOut} onShortcuts={() => setHelpOpen(true)} />
          </div>
        </div>
        {demo && <DemoBanner />}
      </header>
      <div className="app-body">
        <nav className="app-nav" aria-label={t('nav.label')}>
          <ul>
            {navItem('home', paths.home, t('nav.home'))}
            {canAnswer(user.role) &&
              navItem('queue', queuePaths.queue, t('nav.queue'), false, <OfferCount />)}
            {canWatch(user.role) && navItem('wallboard', queuePaths.wallboard, t('nav.wallboard'))}
            {canWorkCases(user.role) && navItem('cases', casePaths.list, t('nav.cases'))}
            {canWorkCases(user.role) && navItem('tasks', paths.tasks, t('nav.tasks'))}
            {user.role === 'supervisor' &&
              navItem('supervision', casePaths.supervision, t('cases.nav.supervision'))}
            {user.role === 'partner' &&
              navItem('partner-referrals', casePaths.partnerReferrals, t('cases.nav.partnerReferrals'))}
            {hasDirectory && navItem('directory', directoryHome, t('nav.directory'))}
            {canReadReports(user.role) && navItem('reports', paths.reports, t('nav.reports'))}
            {UPCOMING_MODULES.map((m) => navItem(m, paths.module(m), t(MODULE_LABELS[m]), true))}
            {isAdmin && navItem('admin', paths.adminUsers, t('nav.admin'))}
          </ul>
        </nav>
        <main id="main" className="app-main" ref={mainRef} tabIndex={-1}>
          {children}
        </main>
      </div>
      <ShortcutsDialog
        isOpen={helpOpen}
        onOpenChange={setHelpOpen}
        isAdmin={isAdmin}
        hasDirectory={hasDirectory}
        hasQueue={canAnswer(user.role)}
        hasWallboard={canWatch(user.role)}
      />
    </div>
  );
}
