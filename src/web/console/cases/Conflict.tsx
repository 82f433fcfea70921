import { type ReactNode, useEffect, useRef } from 'react';
import { Button } from 'react-aria-components';
import { useT } from '../locale';
import type { UserRef } from './types';

/**
 * A 409 VERSION_CONFLICT: someone else saved this record meanwhile. Says who, shows their values (`children`), and
 * offers to load them (my unsaved changes are dropped only when I choose so). Focus moves to the notice.
 */
export function ConflictNotice({
  by,
  onReload,
  children,
}: {
  by: UserRef | null;
  onReload: () => void;
  children?: ReactNode;
}) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="notice notice-warning conflict-notice" role="alert" tabIndex={-1} ref={ref}>
      <p>
        <strong>{t('cases.conflict.title')}</strong>{' '}
        {by ? t('cases.conflict.by', { name: by.display_name }) : t('cases.conflict.bySomeone')}
      </p>
      {children}
      <div className="form-actions">
        <Button className="button" onPress={onReload}>
          {t('cases.conflict.reload')}
        </Button>
      </div>
    </div>
  );
}
