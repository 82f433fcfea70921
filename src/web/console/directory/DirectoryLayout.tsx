import type { ReactNode } from 'react';
import { Link } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { canManage, canSearch, type DirectoryView, directoryPaths } from './routes';

type Tab = 'search' | 'verification' | 'proposals' | 'importExport' | 'surveys';

const TABS: { tab: Tab; label: MessageId; href: string; show: (role: string) => boolean }[] = [
  { tab: 'search', label: 'directory.tab.search', href: directoryPaths.search(), show: canSearch },
  {
    tab: 'verification',
    label: 'directory.tab.verification',
    href: directoryPaths.verification,
    show: canManage,
  },
  {
    tab: 'proposals',
    label: 'directory.tab.proposals',
    href: directoryPaths.proposals,
    show: (role) => canManage(role) || role === 'partner',
  },
  { tab: 'surveys', label: 'directory.surveys.tab', href: directoryPaths.surveys, show: canManage },
  { tab: 'importExport', label: 'directory.import.tab', href: directoryPaths.importExport, show: canManage },
];

/** The directory's frame: its tabs (as far as the role goes), the page title, and the page. */
export function DirectoryLayout({
  current,
  title,
  actions,
  children,
}: {
  current: DirectoryView['page'];
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const t = useT();
  const { user } = useSignedInSession();
  usePageTitle(title);
  const tabs = TABS.filter((tab) => tab.show(user.role));
  return (
    <div className="page stack">
      {tabs.length > 1 && (
        <nav className="subnav" aria-label={t('nav.directory')}>
          <ul>
            {tabs.map((tab) => (
              <li key={tab.tab}>
                <Link
                  href={tab.href}
                  className="subnav-link"
                  aria-current={tab.tab === current ? 'page' : undefined}
                >
                  {t(tab.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div className="page-head">
        <h1 className="page-title">{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}
