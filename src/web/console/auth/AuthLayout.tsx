import type { ReactNode } from 'react';
import { useT } from '../locale';
import { useMeta } from '../session';
import { DemoBanner } from '../shell/DemoBanner';
import { LanguageSwitch } from '../shell/language';

/** The frame of the signed-out pages: name, language switch and demo warning always visible. */
export function AuthLayout({ children }: { children: ReactNode }) {
  const t = useT();
  const meta = useMeta();
  return (
    <div className="auth-layout">
      <header className="auth-header">
        <div className="header-row">
          <span className="brand">{t('app.name')}</span>
          <LanguageSwitch />
        </div>
        {meta.data?.demo && <DemoBanner />}
      </header>
      <main id="main" className="auth-main" tabIndex={-1}>
        <div className="auth-card">{children}</div>
      </main>
      <footer className="auth-footer">
        <p>
          {t('app.tagline')}
          {meta.data?.version ? ` · ${t('app.version', { version: meta.data.version })}` : ''}
        </p>
      </footer>
    </div>
  );
}
