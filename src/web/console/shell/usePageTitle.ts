import { useEffect } from 'react';
import { useT } from '../locale';

/** Each screen names itself in the tab title, so screen-reader users and tab-hoarders know where they are. */
export function usePageTitle(title: string): void {
  const t = useT();
  const app = t('app.name');
  useEffect(() => {
    document.title = `${title} · ${app}`;
  }, [title, app]);
}
