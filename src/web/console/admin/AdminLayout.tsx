import type { ReactNode } from 'react';
import { Link } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { paths, type Route } from '../router';
import { usePageTitle } from '../shell/usePageTitle';

const TABS: { route: Route['name']; href: string; label: MessageId }[] = [
  { route: 'admin-users', href: paths.adminUsers, label: 'admin.users' },
  { route: 'admin-audit', href: paths.adminAudit, label: 'admin.audit' },
  { route: 'admin-tokens', href: paths.adminTokens, label: 'admin.tokens' },
];

/** Administration pages share a title line and a small section navigation. */
export function AdminLayout({
  current,
  title,
  actions,
  children,
}: {
  current: Route['name'];
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const t = useT();
  usePageTitle(title);
  return (
    <div className="page stack">
      <nav className="subnav" aria-label={t('nav.admin')}>
        <ul>
          {TABS.map((tab) => (
            <li key={tab.route}>
              <Link
                href={tab.href}
                className="subnav-link"
                aria-current={tab.route === current ? 'page' : undefined}
              >
                {t(tab.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="page-head">
        <h1 className="page-title">{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}
