import { Button, RouterProvider } from 'react-aria-components';
import { AuditPage } from './admin/AuditPage';
import { TokensPage } from './admin/TokensPage';
import { UsersPage } from './admin/UsersPage';
import { InvitePage } from './auth/InvitePage';
import { SignInPage } from './auth/SignInPage';
import { CasePage } from './cases/CasePage';
import { CasesPage } from './cases/CasesPage';
import { canWorkCases } from './cases/paths';
import { DirectoryPage } from './directory/DirectoryPage';
import { useT } from './locale';
import { HomePage } from './pages/HomePage';
import { ModuleUnavailable } from './pages/ModuleUnavailable';
import { ForbiddenPage, NotFoundPage } from './pages/StatusPages';
import { PartnerReferralsPage } from './partner/PartnerReferralsPage';
import { QueuePage } from './queue/QueuePage';
import { canAnswer, canWatch } from './queue/routes';
import { WallboardPage } from './queue/WallboardPage';
import { ReportsPage } from './reports/ReportsPage';
import { canReadReports } from './reports/routes';
import { navigate, parseRoute, type Route, usePathname } from './router';
import { SessionProvider, useSession } from './session';
import { Shell } from './shell/Shell';
import { SupervisionPage } from './supervision/SupervisionPage';
import { MyTasksPage } from './tasks/MyTasksPage';
import { Loading } from './ui/states';

/** Top of the console: session gate, then the route. */
export function App() {
  return (
    <RouterProvider navigate={(path) => navigate(path)}>
      <SessionProvider loading={<Splash />} failed={(retry) => <StartupFailed retry={retry} />}>
        <Routes />
      </SessionProvider>
    </RouterProvider>
  );
}

function Routes() {
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const { session } = useSession();

  // The invitation page works signed in or not: it is how a new person gets an account.
  if (route.name === 'invite') return <InvitePage />;
  // Signed out on any path: sign in there, and land on that same path afterwards.
  if (!session) return <SignInPage />;
  return (
    <Shell route={route}>
      <Page route={route} isAdmin={session.user.role === 'admin'} role={session.user.role} />
    </Shell>
  );
}

function Page({ route, isAdmin, role }: { route: Route; isAdmin: boolean; role: string }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'module':
      return <ModuleUnavailable module={route.module} />;
    case 'directory':
      return <DirectoryPage view={route.view} />;
    case 'queue':
      return canAnswer(role) ? <QueuePage /> : <ForbiddenPage />;
    case 'wallboard':
      return canWatch(role) ? <WallboardPage /> : <ForbiddenPage />;
    case 'cases':
      return canWorkCases(role) ? <CasesPage /> : <ForbiddenPage />;
    case 'case':
      return canWorkCases(role) ? <CasePage key={route.id} caseId={route.id} /> : <ForbiddenPage />;
    case 'partner-referrals':
      return role === 'partner' ? <PartnerReferralsPage /> : <ForbiddenPage />;
    case 'supervision':
      return role === 'supervisor' ? <SupervisionPage /> : <ForbiddenPage />;
    case 'tasks':
      return canWorkCases(role) ? <MyTasksPage /> : <ForbiddenPage />;
    case 'reports':
      return canReadReports(role) ? <ReportsPage /> : <ForbiddenPage />;
    case 'admin-users':
      return isAdmin ? <UsersPage /> : <ForbiddenPage />;
    case 'admin-audit':
      return isAdmin ? <AuditPage /> : <ForbiddenPage />;
    case 'admin-tokens':
      return isAdmin ? <TokensPage /> : <ForbiddenPage />;
    case 'invite':
    case 'not-found':
      return <NotFoundPage />;
  }
}

function Splash() {
  const t = useT();
  return (
    <main id="main" className="splash">
      <Loading label={t('app.loading')} />
    </main>
  );
}

function StartupFailed({ retry }: { retry: () => void }) {
  const t = useT();
  return (
    <main id="main" className="splash stack">
      <h1 className="page-title">{t('app.name')}</h1>
      <p role="alert">{t('app.unreachable')}</p>
      <Button className="button primary" onPress={retry}>
        {t('action.retry')}
      </Button>
    </main>
  );
}
