import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { useT } from '../locale';
import { navigate } from '../router';
import { TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { AnswerChoice } from './answers';
import { breakGlass } from './api';
import { caseKeys } from './caseQuery';
import { casePaths } from './paths';

/**
 * Opening a case restricted to another team: the person says why (a reason code, an optional note); the grant lasts
 * 8 hours, is put on the case's timeline and shown to supervisors. Nothing is opened without a reason.
 */
export function BreakGlassDialog({ reference, onClose }: { reference: string; onClose: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  const mutation = useMutation({
    mutationFn: () =>
      breakGlass({ reference, reason: reason ?? '', ...(note.trim() ? { note: note.trim() } : {}) }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(result.case_id) });
      onClose();
      navigate(casePaths.detail(result.case_id));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!reason) {
      setMissing(true);
      return;
    }
    setMissing(false);
    mutation.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('cases.breakGlass.title', { reference })}
      role="alertdialog"
    >
      <Form onSubmit={submit} className="stack">
        <p>{t('cases.breakGlass.body')}</p>
        <AnswerChoice
          label={t('cases.breakGlass.reason')}
          group="break_glass"
          value={reason}
          onChange={setReason}
          allowNotAsked={false}
          markers={false}
          variant="radio"
        />
        <div role="alert" className={missing ? 'form-error' : 'form-error-slot'}>
          {missing ? t('cases.breakGlass.reasonMissing') : null}
        </div>
        <TextAreaField label={t('cases.breakGlass.note')} value={note} onChange={setNote} maxLength={500} />
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button danger" isPending={mutation.isPending}>
            {t('cases.breakGlass.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
