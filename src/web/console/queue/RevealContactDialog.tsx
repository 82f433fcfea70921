import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form, Label, Radio, RadioGroup } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { CopyField } from '../ui/CopyField';
import { LocalFieldError, TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { revealContact } from './api';
import { REVEAL_REASONS, type RevealReason, type SignalDetail } from './types';

const REASON_LABELS: Record<RevealReason, MessageId> = {
  imminent_danger: 'reveal.reason.imminent_danger',
  child_at_risk: 'reveal.reason.child_at_risk',
  callback_agreed: 'reveal.reason.callback_agreed',
};

/**
 * The person's number (or e-mail address), only for a stated reason, recorded in the audit log. The answer
 * lives in this dialog alone: never cached, gone when it closes.
 */
export function RevealContactDialog({ signal, onClose }: { signal: SignalDetail; onClose: () => void }) {
  const t = useT();
  const email = signal.channel === 'email';
  const [reason, setReason] = useState<RevealReason | null>(null);
  const [note, setNote] = useState('');
  const mutation = useMutation({
    mutationFn: (r: RevealReason) =>
      revealContact(signal.id, note.trim() ? { reason: r, note: note.trim() } : { reason: r }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending || !reason) return;
    mutation.mutate(reason);
  };
  const address = mutation.data?.address;
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={email ? t('reveal.titleEmail') : t('reveal.title')}
      role="alertdialog"
    >
      {address ? (
        <div className="stack">
          <CopyField
            label={email ? t('reveal.address') : t('reveal.number')}
            value={address}
            description={t('reveal.shownOnce')}
          />
          <div className="dialog-actions">
            <Button className="button primary" onPress={onClose} autoFocus>
              {t('action.close')}
            </Button>
          </div>
        </div>
      ) : (
        <Form onSubmit={submit} className="stack">
          <p className="notice notice-warning">
            <span aria-hidden="true">⚠ </span>
            {t('reveal.warning')}
          </p>
          <RadioGroup
            className="field"
            value={reason}
            onChange={(v) =>
              setReason((REVEAL_REASONS as readonly string[]).includes(v) ? (v as RevealReason) : null)
            }
            isRequired
          >
            <Label className="field-label">{t('reveal.reason')}</Label>
            <div className="stack-tight">
              {REVEAL_REASONS.map((r) => (
                <Radio key={r} value={r} className="radio">
                  <span className="radio-dot" aria-hidden="true" />
                  {t(REASON_LABELS[r])}
                </Radio>
              ))}
            </div>
            <LocalFieldError />
          </RadioGroup>
          <TextAreaField
            label={t('reveal.note')}
            description={t('reveal.noteHelp')}
            value={note}
            onChange={setNote}
            maxLength={500}
          />
          <FormError error={mutation.error} />
          <div className="dialog-actions">
            <Button className="button" onPress={onClose}>
              {t('action.cancel')}
            </Button>
            <PendingButton type="submit" className="button danger" isPending={mutation.isPending}>
              {email ? t('reveal.submitEmail') : t('reveal.submit')}
            </PendingButton>
          </div>
        </Form>
      )}
    </ModalDialog>
  );
}
