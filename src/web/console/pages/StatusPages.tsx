import { Link } from 'react-aria-components';
import { useT } from '../locale';
import { paths } from '../router';
import { usePageTitle } from '../shell/usePageTitle';

export function NotFoundPage() {
  const t = useT();
  usePageTitle(t('notFound.title'));
  return (
    <div className="page stack">
      <h1 className="page-title">{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <Link href={paths.home} className="text-link">
          {t('nav.backHome')}
        </Link>
      </p>
    </div>
  );
}

/** Shown instead of an admin screen to someone without the role; the server refuses the data anyway. */
export function ForbiddenPage() {
  const t = useT();
  usePageTitle(t('forbidden.title'));
  return (
    <div className="page stack">
      <h1 className="page-title">{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
      <p>
        <Link href={paths.home} className="text-link">
          {t('nav.backHome')}
        </Link>
      </p>
    </div>
  );
}
