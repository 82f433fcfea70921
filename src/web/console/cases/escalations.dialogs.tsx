import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form, Label, Radio, RadioGroup } from 'react-aria-components';
import { ESCALATION_KINDS, OVERRIDE_REASONS } from '../../../shared/cases';
import { useT } from '../locale';
import { TextAreaField, TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { ErrorState, FormError, Loading } from '../ui/states';
import {
  cancelEscalation,
  completeEscalation,
  createEscalation,
  type Escalation,
  listAgencies,
  markMade,
} from './escalations.api';
import {
  ESCALATION_KIND_LABELS,
  ESCALATION_OUTCOME_LABELS,
  ESCALATION_OUTCOMES,
  OVERRIDE_REASON_LABELS,
} from './referrals.labels';

const NOTE_MAX = 1000;

/** Start an escalation: what kind, to which agency, and with the person's consent or the reason to go without. */
export function StartEscalationDialog({
  caseId,
  initialKind,
  involvesMinor,
  onClose,
  onDone,
}: {
  caseId: string;
  initialKind: string | null;
  involvesMinor: boolean;
  onClose: () => void;
  onDone: (e: Escalation) => void;
}) {
  const t = useT();
  const [kind, setKind] = useState<string | null>(initialKind);
  const [agency, setAgency] = useState<string>('');
  const [consent, setConsent] = useState<'yes' | 'no' | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [showProblems, setShowProblems] = useState(false);

  const agencies = useQuery({
    queryKey: ['cases', 'agencies', caseId, kind],
    queryFn: () => listAgencies(caseId, kind ?? ''),
    enabled: kind !== null && kind !== 'emergency',
    staleTime: 60_000,
  });

  const mutation = useMutation({
    mutationFn: () =>
      createEscalation(caseId, {
        kind: kind ?? '',
        ...(agency ? { organization_id: agency } : {}),
        consent_given: consent === 'yes',
        ...(consent === 'no' && reason ? { override_reason: reason } : {}),
        ...(consent === 'no' && note.trim() ? { override_note: note.trim() } : {}),
      }),
    onSuccess: onDone,
  });

  const problems = [
    !kind ? t('escalations.start.kindMissing') : null,
    !consent ? t('escalations.start.consentMissing') : null,
    consent === 'no' && !reason ? t('escalations.start.reasonMissing') : null,
  ].filter((p): p is string => p !== null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (problems.length > 0) {
      setShowProblems(true);
      return;
    }
    setShowProblems(false);
    mutation.mutate();
  };

  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('escalations.start.title')}
      size="wide"
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <RadioGroup
          className="field"
          value={kind}
          onChange={(v) => {
            setKind(v);
            setAgency('');
          }}
          isRequired
        >
          <Label className="field-label">{t('escalations.start.kind')}</Label>
          <div className="radio-row">
            {ESCALATION_KINDS.map((k) => (
              <Radio
                key={k}
                value={k}
                className="radio"
                autoFocus={k === (initialKind ?? ESCALATION_KINDS[0])}
              >
                <span className="radio-dot" aria-hidden="true" />
                {t(ESCALATION_KIND_LABELS[k])}
              </Radio>
            ))}
          </div>
        </RadioGroup>
        {kind === 'emergency' && (
          <p className="notice notice-warning">{t('escalations.start.emergencyHelp')}</p>
        )}
        {kind !== null && kind !== 'emergency' && (
          <div>
            {agencies.isPending && <Loading label={t('escalations.start.agenciesLoading')} />}
            {agencies.isError && (
              <ErrorState error={agencies.error} onRetry={() => void agencies.refetch()} />
            )}
            {agencies.data && (
              <SelectField
                label={t('escalations.start.agency')}
                description={
                  agencies.data.length === 0
                    ? t('escalations.start.noAgency')
                    : t('escalations.start.agencyHelp')
                }
                options={[{ id: '', label: t('escalations.start.agencyLater') }].concat(
                  agencies.data.map((a) => ({
                    id: a.id,
                    label: [a.name, [a.city, a.province].filter(Boolean).join(', ')]
                      .filter(Boolean)
                      .join(' — '),
                  })),
                )}
                value={agency}
                onChange={setAgency}
              />
            )}
          </div>
        )}
        <fieldset>
          <legend className="field-label">{t('escalations.start.consentLegend')}</legend>
          <RadioGroup
            className="field"
            value={consent}
            onChange={(v) => setConsent(v === 'yes' ? 'yes' : 'no')}
            isRequired
            aria-label={t('escalations.start.consent')}
          >
            <div className="radio-row">
              <Radio value="yes" className="radio">
                <span className="radio-dot" aria-hidden="true" />
                {t('escalations.start.consentYes')}
              </Radio>
              <Radio value="no" className="radio">
                <span className="radio-dot" aria-hidden="true" />
                {t('escalations.start.consentNo')}
              </Radio>
            </div>
          </RadioGroup>
          {consent === 'no' && (
            <>
              <RadioGroup className="field" value={reason} onChange={setReason} isRequired>
                <Label className="field-label">{t('escalations.start.reason')}</Label>
                {OVERRIDE_REASONS.map((r) => (
                  <Radio key={r} value={r} className="radio">
                    <span className="radio-dot" aria-hidden="true" />
                    {t(OVERRIDE_REASON_LABELS[r])}
                  </Radio>
                ))}
              </RadioGroup>
              {involvesMinor && kind === 'child_protection' && (
                <p className="muted">{t('escalations.start.minorHelp')}</p>
              )}
              <TextAreaField
                label={t('escalations.start.note')}
                description={t('escalations.start.noteHelp')}
                value={note}
                onChange={setNote}
                maxLength={NOTE_MAX}
              />
            </>
          )}
        </fieldset>
        <div role="alert" className={showProblems && problems.length > 0 ? 'form-error' : 'form-error-slot'}>
          {showProblems && problems.length > 0 ? problems.join(' ') : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('escalations.start.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

/** "Made": the escalation reached the agency, with their reference number when they gave one. */
export function MadeDialog({
  escalation,
  onClose,
  onDone,
  onError,
}: {
  escalation: Escalation;
  onClose: () => void;
  onDone: () => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [reference, setReference] = useState(escalation.agency_reference ?? '');
  const mutation = useMutation({
    mutationFn: () => markMade(escalation, reference.trim()),
    onSuccess: onDone,
    onError,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!mutation.isPending) mutation.mutate();
  };
  return (
    <ModalDialog isOpen onOpenChange={(open) => !open && onClose()} title={t('escalations.made.title')}>
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <p>{t('escalations.made.body')}</p>
        <TextInputField
          label={t('escalations.made.reference')}
          description={t('escalations.made.referenceHelp')}
          value={reference}
          onChange={setReference}
          maxLength={100}
          autoFocus
        />
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('escalations.made.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

/** Complete (with an outcome) or cancel (with a note) an escalation. */
export function FinishDialog({
  escalation,
  mode,
  onClose,
  onDone,
  onError,
}: {
  escalation: Escalation;
  mode: 'complete' | 'cancel';
  onClose: () => void;
  onDone: () => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [outcome, setOutcome] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [showProblem, setShowProblem] = useState(false);
  const mutation = useMutation({
    mutationFn: () =>
      mode === 'complete'
        ? completeEscalation(escalation, outcome ?? '', note.trim())
        : cancelEscalation(escalation, note.trim()),
    onSuccess: onDone,
    onError,
  });
  const missing = mode === 'complete' ? !outcome : !note.trim();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (missing) {
      setShowProblem(true);
      return;
    }
    mutation.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t(mode === 'complete' ? 'escalations.complete.title' : 'escalations.cancel.title')}
      role={mode === 'cancel' ? 'alertdialog' : 'dialog'}
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        {mode === 'complete' && (
          <SelectField
            label={t('escalations.complete.outcome')}
            options={ESCALATION_OUTCOMES.map((o) => ({ id: o, label: t(ESCALATION_OUTCOME_LABELS[o]) }))}
            value={outcome}
            onChange={setOutcome}
            isRequired
            autoFocus
            placeholder={t('referrals.refer.choose')}
          />
        )}
        <TextAreaField
          label={t(mode === 'complete' ? 'escalations.complete.note' : 'escalations.cancel.note')}
          value={note}
          onChange={setNote}
          maxLength={NOTE_MAX}
          isRequired={mode === 'cancel'}
          autoFocus={mode === 'cancel'}
        />
        <div role="alert" className={showProblem && missing ? 'form-error' : 'form-error-slot'}>
          {showProblem && missing
            ? t(mode === 'complete' ? 'escalations.complete.missing' : 'escalations.cancel.missing')
            : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton
            type="submit"
            className={`button ${mode === 'cancel' ? 'danger' : 'primary'}`}
            isPending={mutation.isPending}
          >
            {t(mode === 'complete' ? 'escalations.complete.submit' : 'escalations.cancel.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
