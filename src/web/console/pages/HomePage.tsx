import { Link } from 'react-aria-components';
import { FormattedDate } from 'react-intl';
import { useRichT, useT } from '../locale';
import { paths } from '../router';
import { useSignedInSession } from '../session';
import { useRoleLabel } from '../shell/roles';
import { usePageTitle } from '../shell/usePageTitle';
import { useNow } from '../ui/time';

/** A calm landing: who you are, in which role, what day it is, and what this version can do. */
export function HomePage() {
  const t = useT();
  const rich = useRichT();
  const { user } = useSignedInSession();
  const roleLabel = useRoleLabel();
  const now = useNow();
  usePageTitle(t('home.title'));
  return (
    <div className="page stack">
      <h1 className="page-title">{t('home.welcome', { name: user.displayName })}</h1>
      <dl className="facts">
        <div>
          <dt>{t('home.role')}</dt>
          <dd>{roleLabel(user.role)}</dd>
        </div>
        <div>
          <dt>{t('home.today')}</dt>
          <dd>
            <FormattedDate value={now} weekday="long" year="numeric" month="long" day="numeric" />
          </dd>
        </div>
      </dl>
      <p>{t('home.versionScope')}</p>
      {user.role === 'admin' && (
        <p>
          <Link href={paths.adminUsers} className="text-link">
            {t('home.adminLink')}
          </Link>
        </p>
      )}
      <p className="muted">
        {rich('home.shortcutsHint', { kbd: (chunks: string[]) => <kbd>{chunks}</kbd> })}
      </p>
    </div>
  );
}
