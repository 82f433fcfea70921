import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import type { ModuleName } from '../router';
import { MODULE_LABELS } from '../shell/Shell';
import { usePageTitle } from '../shell/usePageTitle';

const LATER: Record<ModuleName, MessageId> = {
  queue: 'module.queue.later',
  cases: 'module.cases.later',
  directory: 'module.directory.later',
  reports: 'module.reports.later',
  campaigns: 'module.campaigns.later',
};

/** An honest page for a module this version does not have yet: nothing here pretends to work. */
export function ModuleUnavailable({ module }: { module: ModuleName }) {
  const t = useT();
  const title = t(MODULE_LABELS[module]);
  usePageTitle(title);
  return (
    <div className="page stack">
      <h1 className="page-title">{title}</h1>
      <p className="notice">
        <span aria-hidden="true" className="info-icon">
          i
        </span>
        {t(LATER[module])}
      </p>
      <p className="muted">{t('module.notInVersion')}</p>
    </div>
  );
}
