import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { ESCALATION_KIND_LABELS, labelFor } from '../cases/referrals.labels';
import { isConflict } from '../cases/referrals.shared';
import { CheckboxField } from '../directory/widgets';
import { useLocale, useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { newStepKey } from './protocols.model';
import { listProtocols, type Protocol, saveProtocol, supervisionKeys } from './supervision.api';

type Step = Protocol['steps'][number];

/** The escalation protocols: steps (both languages) and whether a supervisor approves each escalation. */
export function ProtocolsSection({ onMessage }: { onMessage: (m: string) => void }) {
  const t = useT();
  const { locale } = useLocale();
  const fr = locale.startsWith('fr');
  const headingId = useId();
  const list = useQuery({ queryKey: supervisionKeys.protocols, queryFn: listProtocols });
  const [editing, setEditing] = useState<Protocol | null>(null);
  const [conflict, setConflict] = useState(false);
  const queryClient = useQueryClient();
  const items = list.data?.items ?? [];
  return (
    <section className="page-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-title">
        {t('supervision.protocols.title')}
      </h2>
      <p className="muted">{t('supervision.protocols.intro')}</p>
      {conflict && (
        <div className="notice notice-warning" role="alert">
          <strong>{t('referrals.conflict.title')}</strong> {t('supervision.protocols.conflict')}
        </div>
      )}
      {list.isPending && <Loading label={t('supervision.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && items.length === 0 && (
        <EmptyState>
          <p>{t('supervision.protocols.empty')}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="plain-list">
          {items.map((p) => (
            <li key={p.kind} className="escalation-item">
              <div className="item-head">
                <h3 className="item-title">
                  {labelFor(ESCALATION_KIND_LABELS, p.kind, t)}{' '}
                  <span className="muted">{t('supervision.protocols.version', { version: p.version })}</span>
                </h3>
                <Button className="button" onPress={() => setEditing(p)}>
                  {t('supervision.protocols.edit')}
                  <span className="visually-hidden"> — {labelFor(ESCALATION_KIND_LABELS, p.kind, t)}</span>
                </Button>
              </div>
              <p>
                {p.requires_approval
                  ? t('supervision.protocols.needsApproval')
                  : t('supervision.protocols.noApproval')}
              </p>
              <ol>
                {p.steps.map((s) => (
                  <li key={s.key}>
                    {fr ? s.fr : s.en}
                    {s.required && <span className="muted"> ({t('escalations.steps.required')})</span>}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <ProtocolDialog
          key={`${editing.kind}:${editing.version}`}
          protocol={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            setConflict(false);
            onMessage(t('supervision.protocols.saved'));
            void queryClient.invalidateQueries({ queryKey: supervisionKeys.protocols });
          }}
          onError={(error) => {
            if (isConflict(error)) {
              setEditing(null);
              setConflict(true);
              void queryClient.invalidateQueries({ queryKey: supervisionKeys.protocols });
            }
          }}
        />
      )}
    </section>
  );
}

function ProtocolDialog({
  protocol,
  onClose,
  onDone,
  onError,
}: {
  protocol: Protocol;
  onClose: () => void;
  onDone: () => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [steps, setSteps] = useState<Step[]>(protocol.steps.map((s) => ({ ...s })));
  const [approval, setApproval] = useState(protocol.requires_approval);
  const [showProblem, setShowProblem] = useState(false);
  const mutation = useMutation({
    mutationFn: () =>
      saveProtocol(protocol, {
        steps: steps.map((s) => ({ key: s.key, en: s.en.trim(), fr: s.fr.trim(), required: s.required })),
        requires_approval: approval,
      }),
    onSuccess: onDone,
    onError,
  });
  const incomplete = steps.length === 0 || steps.some((s) => !s.en.trim() || !s.fr.trim());
  const update = (index: number, patch: Partial<Step>) =>
    setSteps((all) => all.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  const move = (index: number, by: number) =>
    setSteps((all) => {
      const next = [...all];
      const [item] = next.splice(index, 1);
      if (item) next.splice(index + by, 0, item);
      return next;
    });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (incomplete) {
      setShowProblem(true);
      return;
    }
    mutation.mutate();
  };
  const kind = labelFor(ESCALATION_KIND_LABELS, protocol.kind, t);
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('supervision.protocols.editTitle', { kind })}
      size="wide"
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <p>{t('supervision.protocols.editHelp')}</p>
        <CheckboxField isSelected={approval} onChange={setApproval}>
          {t('supervision.protocols.requiresApproval')}
        </CheckboxField>
        {steps.map((s, i) => (
          <fieldset key={s.key}>
            <legend>{t('supervision.protocols.step', { n: i + 1 })}</legend>
            <TextInputField
              label={t('supervision.protocols.stepEn')}
              value={s.en}
              onChange={(en) => update(i, { en })}
              isRequired
              maxLength={200}
            />
            <TextInputField
              label={t('supervision.protocols.stepFr')}
              value={s.fr}
              onChange={(v) => update(i, { fr: v })}
              isRequired
              maxLength={200}
            />
            <CheckboxField isSelected={s.required} onChange={(required) => update(i, { required })}>
              {t('supervision.protocols.stepRequired')}
            </CheckboxField>
            <div className="item-actions">
              <Button className="button small" isDisabled={i === 0} onPress={() => move(i, -1)}>
                {t('supervision.protocols.up', { n: i + 1 })}
              </Button>
              <Button className="button small" isDisabled={i === steps.length - 1} onPress={() => move(i, 1)}>
                {t('supervision.protocols.down', { n: i + 1 })}
              </Button>
              <Button
                className="button small"
                onPress={() => setSteps((all) => all.filter((_, j) => j !== i))}
              >
                {t('supervision.protocols.remove', { n: i + 1 })}
              </Button>
            </div>
          </fieldset>
        ))}
        <div>
          <Button
            className="button"
            onPress={() =>
              setSteps((all) => [...all, { key: newStepKey(all), en: '', fr: '', required: true }])
            }
          >
            {t('supervision.protocols.add')}
          </Button>
        </div>
        <div role="alert" className={showProblem && incomplete ? 'form-error' : 'form-error-slot'}>
          {showProblem && incomplete ? t('supervision.protocols.incomplete') : null}
        </div>
        <FormError error={mutation.error && !isConflict(mutation.error) ? mutation.error : null} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('supervision.protocols.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
