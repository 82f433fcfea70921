import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { ProposalsPage } from './ProposalsPage';
import { RecordPage } from './RecordPage';
import { canManage, canSearch, type DirectoryView } from './routes';
import { SearchPage } from './SearchPage';
import { VerificationPage } from './VerificationPage';
import './directory.css';

/** The directory module: each view checked against the role before anything is fetched. */
export function DirectoryPage({ view }: { view: DirectoryView }) {
  const { user } = useSignedInSession();
  const role = user.role;
  switch (view.page) {
    case 'search':
      return canSearch(role) ? <SearchPage /> : <DirectoryForbidden />;
    case 'verification':
      return canManage(role) ? <VerificationPage /> : <DirectoryForbidden />;
    case 'proposals':
      return canManage(role) || role === 'partner' ? <ProposalsPage /> : <DirectoryForbidden />;
    case 'record':
      return canManage(role) ? (
        <RecordPage key={view.id} type={view.type} id={view.id} />
      ) : (
        <DirectoryForbidden />
      );
  }
}

function DirectoryForbidden() {
  const t = useT();
  usePageTitle(t('forbidden.title'));
  return (
    <div className="page stack">
      <h1 className="page-title">{t('forbidden.title')}</h1>
      <p>{t('directory.forbidden')}</p>
    </div>
  );
}
