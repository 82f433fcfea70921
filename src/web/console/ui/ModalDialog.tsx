import type { ReactNode } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

interface ModalDialogProps {
  isOpen: boolean;
  onOpenChange: (isOpen: boolean) => void;
  title: string;
  children: ReactNode;
  /** `alertdialog` for confirmations of consequential actions. */
  role?: 'dialog' | 'alertdialog';
  /** Dismissable by clicking outside: only for dialogs with nothing to lose. */
  isDismissable?: boolean;
  size?: 'normal' | 'wide';
}

/** One modal look for the whole console: focus trapped, Escape closes, focus returns to the trigger. */
export function ModalDialog({
  isOpen,
  onOpenChange,
  title,
  children,
  role = 'dialog',
  isDismissable = false,
  size = 'normal',
}: ModalDialogProps) {
  return (
    <ModalOverlay
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      isDismissable={isDismissable}
      isKeyboardDismissDisabled={false}
      className="modal-overlay"
    >
      <Modal className={`modal modal-${size}`}>
        <Dialog role={role} className="dialog">
          <Heading slot="title" className="dialog-title">
            {title}
          </Heading>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
