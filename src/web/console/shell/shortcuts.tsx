import { useEffect, useRef } from 'react';
import { Button } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { ModalDialog } from '../ui/ModalDialog';

export interface ShortcutHandlers {
  help: () => void;
  home: () => void;
  admin?: () => void;
  directory?: () => void;
  queue?: () => void;
  wallboard?: () => void;
  toggleLanguage: () => void;
}

/** Keys typed into a field, or while a menu/list/dialog has focus, belong to that widget, not to us. */
function belongsToWidget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (
    target.closest(
      'input, textarea, select, [role="menu"], [role="listbox"], [role="dialog"], [role="alertdialog"]',
    )
  )
    return true;
  return false;
}

const SEQUENCE_TIMEOUT_MS = 1500;

/** Single keys and `g`-sequences (Gmail/Linear style), ignored while typing. */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    let pendingG = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing)
        return;
      if (belongsToWidget(event.target)) return;
      const h = latest.current;
      const now = Date.now();
      if (pendingG && now - pendingG < SEQUENCE_TIMEOUT_MS) {
        pendingG = 0;
        if (event.key === 'h') {
          event.preventDefault();
          h.home();
          return;
        }
        if (event.key === 'd' && h.directory) {
          event.preventDefault();
          h.directory();
          return;
        }
        if (event.key === 'q' && h.queue) {
          event.preventDefault();
          h.queue();
          return;
        }
        if (event.key === 'w' && h.wallboard) {
          event.preventDefault();
          h.wallboard();
          return;
        }
        if (event.key === 'a' && h.admin) {
          event.preventDefault();
          h.admin();
          return;
        }
      }
      pendingG = 0;
      switch (event.key) {
        case '?':
          event.preventDefault();
          h.help();
          return;
        case 'g':
          pendingG = now;
          return;
        case 'l':
          event.preventDefault();
          h.toggleLanguage();
          return;
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

const SHORTCUTS: {
  keys: string[];
  label: MessageId;
  adminOnly?: boolean;
  directoryOnly?: boolean;
  queueOnly?: boolean;
  wallboardOnly?: boolean;
}[] = [
  { keys: ['?'], label: 'shortcuts.help' },
  { keys: ['g', 'h'], label: 'shortcuts.home' },
  { keys: ['g', 'q'], label: 'shortcuts.queue', queueOnly: true },
  { keys: ['g', 'w'], label: 'shortcuts.wallboard', wallboardOnly: true },
  { keys: ['g', 'd'], label: 'shortcuts.directory', directoryOnly: true },
  { keys: ['/'], label: 'shortcuts.directorySearch', directoryOnly: true },
  { keys: ['g', 'a'], label: 'shortcuts.admin', adminOnly: true },
  { keys: ['l'], label: 'shortcuts.language' },
  { keys: ['Esc'], label: 'shortcuts.escape' },
];

/** The overlay listing every shortcut, opened with `?` or from the user menu. */
export function ShortcutsDialog({
  isOpen,
  onOpenChange,
  isAdmin,
  hasDirectory = false,
  hasQueue = false,
  hasWallboard = false,
}: {
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  isAdmin: boolean;
  hasDirectory?: boolean;
  hasQueue?: boolean;
  hasWallboard?: boolean;
}) {
  const t = useT();
  return (
    <ModalDialog isOpen={isOpen} onOpenChange={onOpenChange} title={t('shortcuts.title')} isDismissable>
      <p>{t('shortcuts.intro')}</p>
      <dl className="shortcut-list">
        {SHORTCUTS.filter(
          (s) =>
            (isAdmin || !s.adminOnly) &&
            (hasDirectory || !s.directoryOnly) &&
            (hasQueue || !s.queueOnly) &&
            (hasWallboard || !s.wallboardOnly),
        ).map((s) => (
          <div key={s.label} className="shortcut-row">
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && <span className="shortcut-then"> {t('shortcuts.then')} </span>}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{t(s.label)}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <CloseButton onClose={() => onOpenChange(false)} />
      </div>
    </ModalDialog>
  );
}

function CloseButton({ onClose }: { onClose: () => void }) {
  const t = useT();
  return (
    <Button className="button" onPress={onClose} autoFocus>
      {t('action.close')}
    </Button>
  );
}
