import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { ImportExportPage } from './ImportExportPage';
import { PartnerPage } from './PartnerPage';
import { ProposalsPage } from './ProposalsPage';
import { NewRecordPage, RecordPage } from './RecordPage';
import { canManage, canSearch, type DirectoryView } from './routes';
import { SearchPage } from './SearchPage';
import { SurveyPage, SurveysPage } from './SurveysPage';
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
      // A partner lands here: their own organization, what they may propose, and their proposals.
      if (role === 'partner') return <PartnerPage />;
      return canManage(role) ? <ProposalsPage /> : <DirectoryForbidden />;
    case 'importExport':
      return canManage(role) ? <ImportExportPage /> : <DirectoryForbidden />;
    case 'surveys':
      return canManage(role) ? <SurveysPage /> : <DirectoryForbidden />;
    case 'survey':
      return canManage(role) ? <SurveyPage key={view.id} id={view.id} /> : <DirectoryForbidden />;
    case 'new':
      return canManage(role) ? (
        <NewRecordPage
          key={`${view.type}:${view.organizationId}`}
          type={view.type}
          organizationId={view.organizationId}
        />
      ) : (
        <DirectoryForbidden />
      );
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
