import { useT } from '../locale';

/** Everything in a demo install is fictional; say so on every screen, in words and not only in colour. */
export function DemoBanner() {
  const t = useT();
  return (
    <p className="demo-banner">
      <span className="demo-badge" aria-hidden="true">
        ⚑
      </span>{' '}
      <strong>{t('demo.banner')}</strong>
    </p>
  );
}
