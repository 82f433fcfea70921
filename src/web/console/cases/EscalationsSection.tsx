import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { approveEscalation, type Escalation, toggleStep, userName } from './escalations.api';
import { FinishDialog, MadeDialog, StartEscalationDialog } from './escalations.dialogs';
import {
  ESCALATION_KIND_LABELS,
  ESCALATION_OUTCOME_LABELS,
  ESCALATION_STATUS_LABELS,
  labelFor,
  OVERRIDE_REASON_LABELS,
} from './referrals.labels';
import { FlowStatus, isConflict, StatusChip, useCaseFlow } from './referrals.shared';
import './referrals.css';

type Open =
  | { kind: 'start'; escalationKind: string | null }
  | { kind: 'made'; escalation: Escalation }
  | { kind: 'complete'; escalation: Escalation }
  | { kind: 'cancel'; escalation: Escalation };

const FINISHED = ['completed', 'cancelled'];

/**
 * Escalations of a case by protocol: law enforcement, child protection, emergency. Consent or a recorded reason
 * to go without, the protocol's checklist (snapshot taken at the start), approval, "made" and the outcome.
 */
export function EscalationsSection({ caseId }: { caseId: string }) {
  const t = useT();
  const flow = useCaseFlow<Open>(caseId);
  const { isSupervisor, data, closed, open, setOpen, headingId, done, failed } = flow;
  const escalations = data?.escalations ?? [];
  const childProtection = data?.pending_protocols.find((p) => p.kind === 'child_protection');

  return (
    <section className="escalations-section case-flow stack" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId} className="section-title">
          {t('escalations.title')}
        </h2>
        {data && !closed && (
          <Button className="button" onPress={() => setOpen({ kind: 'start', escalationKind: null })}>
            {t('escalations.start')}
          </Button>
        )}
      </div>
      {childProtection && (
        <div className="notice notice-warning protocol-banner" role="note">
          <p>
            <span aria-hidden="true">⚠ </span>
            <strong>{t('escalations.pending.title')}</strong>{' '}
            {childProtection.escalation_id
              ? t('escalations.pending.running')
              : t('escalations.pending.notStarted')}
          </p>
          {childProtection.escalation_id && (
            <a href={`#escalation-${childProtection.escalation_id}`} className="text-link">
              {t('escalations.pending.goTo')}
            </a>
          )}
          {!childProtection.escalation_id && !closed && (
            <Button
              className="button primary"
              onPress={() => setOpen({ kind: 'start', escalationKind: 'child_protection' })}
            >
              {t('escalations.pending.start')}
            </Button>
          )}
        </div>
      )}
      <FlowStatus
        flow={flow}
        loadingLabel={t('escalations.loading')}
        emptyText={t('escalations.empty')}
        isEmpty={escalations.length === 0}
      />
      {data && escalations.length > 0 && (
        <ul className="escalation-list">
          {escalations.map((e) => (
            <EscalationItem
              key={e.id}
              escalation={e}
              isSupervisor={isSupervisor}
              readOnly={closed}
              onOpen={setOpen}
              onChanged={(text) => done(text)()}
              onError={failed}
            />
          ))}
        </ul>
      )}
      {data && open?.kind === 'start' && (
        <StartEscalationDialog
          caseId={caseId}
          initialKind={open.escalationKind}
          involvesMinor={data.involves_minor}
          onClose={() => setOpen(null)}
          onDone={(e) =>
            done(
              e.status === 'awaiting_approval'
                ? t('escalations.done.awaiting')
                : t('escalations.done.started', { kind: labelFor(ESCALATION_KIND_LABELS, e.kind, t) }),
            )()
          }
        />
      )}
      {open?.kind === 'made' && (
        <MadeDialog
          escalation={open.escalation}
          onClose={() => setOpen(null)}
          onDone={done(t('escalations.done.made'))}
          onError={failed}
        />
      )}
      {(open?.kind === 'complete' || open?.kind === 'cancel') && (
        <FinishDialog
          escalation={open.escalation}
          mode={open.kind}
          onClose={() => setOpen(null)}
          onDone={done(
            t(open.kind === 'complete' ? 'escalations.done.completed' : 'escalations.done.cancelled'),
          )}
          onError={failed}
        />
      )}
    </section>
  );
}

function EscalationItem({
  escalation,
  isSupervisor,
  readOnly,
  onOpen,
  onChanged,
  onError,
}: {
  escalation: Escalation;
  isSupervisor: boolean;
  readOnly: boolean;
  onOpen: (open: Open) => void;
  onChanged: (message: string) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const fr = locale.startsWith('fr');
  const headingId = useId();
  const status = escalation.status;
  const finished = FINISHED.includes(status) || readOnly;
  const approve = useMutation({
    mutationFn: () => approveEscalation(escalation),
    onSuccess: () => onChanged(t('escalations.done.approved')),
    onError,
  });
  const step = useMutation({
    mutationFn: (input: { key: string; done: boolean }) => toggleStep(escalation, input.key, input.done),
    onSuccess: (_r, input) =>
      onChanged(t(input.done ? 'escalations.done.stepDone' : 'escalations.done.stepUndone')),
    onError,
  });
  const steps = escalation.protocol?.steps ?? [];
  const requiredLeft = steps.filter((s) => s.required && !s.done_at).length;
  const approver = userName(escalation.approved_by);

  return (
    <li className="escalation-item" id={`escalation-${escalation.id}`} aria-labelledby={headingId}>
      <div className="item-head">
        <h3 id={headingId} className="item-title">
          {labelFor(ESCALATION_KIND_LABELS, escalation.kind, t)}
          {escalation.organization && <span className="muted"> — {escalation.organization.name}</span>}
        </h3>
        <StatusChip status={status} labels={ESCALATION_STATUS_LABELS} />
      </div>
      <dl className="facts item-facts">
        <div>
          <dt>{t('escalations.item.consent')}</dt>
          <dd>
            {escalation.consent_given ? (
              t('escalations.item.consentGiven')
            ) : (
              <>
                <span aria-hidden="true">⚠ </span>
                {t('escalations.item.withoutConsent', {
                  reason: labelFor(OVERRIDE_REASON_LABELS, escalation.override_reason, t) || '—',
                })}
                {escalation.override_note && (
                  <>
                    {' — '}
                    <q className="quoted">{escalation.override_note}</q>
                  </>
                )}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('escalations.item.approval')}</dt>
          <dd>
            {!escalation.approval_required ? (
              t('escalations.item.approvalNotNeeded')
            ) : escalation.approved_at ? (
              <>
                {approver
                  ? t('escalations.item.approvedBy', { name: approver })
                  : t('escalations.item.approved')}{' '}
                <RelativeTime value={escalation.approved_at} />
              </>
            ) : (
              t('escalations.item.approvalWaiting')
            )}
          </dd>
        </div>
        {escalation.made_at && (
          <div>
            <dt>{t('escalations.item.made')}</dt>
            <dd>
              <RelativeTime value={escalation.made_at} />
              {escalation.agency_reference && (
                <>
                  {' — '}
                  {t('escalations.item.agencyReference', { reference: escalation.agency_reference })}
                </>
              )}
            </dd>
          </div>
        )}
        {escalation.completed_at && (
          <div>
            <dt>{t('escalations.item.outcome')}</dt>
            <dd>
              {labelFor(ESCALATION_OUTCOME_LABELS, escalation.outcome, t)}{' '}
              <RelativeTime value={escalation.completed_at} />
              {escalation.outcome_note && (
                <>
                  {' — '}
                  <span className="pre-wrap">{escalation.outcome_note}</span>
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      {steps.length > 0 && (
        <fieldset className="escalation-steps">
          <legend className="section-subtitle">
            {t('escalations.steps.title', { version: escalation.protocol.version })}
          </legend>
          <p className="muted">
            {requiredLeft === 0
              ? t('escalations.steps.allDone')
              : t('escalations.steps.left', { count: requiredLeft })}
          </p>
          <ul className="plain-list step-list">
            {steps.map((s) => {
              const label = fr ? s.fr : s.en;
              const doneBy = userName(s.done_by ?? null);
              return (
                <li key={s.key}>
                  <Checkbox
                    className="checkbox"
                    isSelected={Boolean(s.done_at)}
                    isDisabled={finished || step.isPending}
                    onChange={(selected) => step.mutate({ key: s.key, done: selected })}
                  >
                    {({ isSelected }) => (
                      <>
                        <span className="checkbox-box" aria-hidden="true">
                          {isSelected ? '✓' : ''}
                        </span>
                        <span>
                          {label}
                          {s.required && <span className="muted"> ({t('escalations.steps.required')})</span>}
                        </span>
                      </>
                    )}
                  </Checkbox>
                  {s.done_at && (
                    <span className="step-done">
                      {' '}
                      {doneBy ? t('escalations.steps.doneBy', { name: doneBy }) : t('escalations.steps.done')}{' '}
                      <RelativeTime value={s.done_at} />
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </fieldset>
      )}
      {!finished && (
        <div className="item-actions">
          {status === 'awaiting_approval' &&
            (isSupervisor ? (
              <PendingButton
                className="button primary"
                isPending={approve.isPending}
                onPress={() => approve.mutate()}
              >
                {t('escalations.approve')}
              </PendingButton>
            ) : (
              <p className="notice">{t('escalations.item.approvalWaitingHelp')}</p>
            ))}
          {status === 'open' && (
            <Button className="button primary" onPress={() => onOpen({ kind: 'made', escalation })}>
              {t('escalations.made.open')}
            </Button>
          )}
          {status === 'made' && (
            <Button className="button" onPress={() => onOpen({ kind: 'complete', escalation })}>
              {t('escalations.complete.open')}
            </Button>
          )}
          <Button className="button" onPress={() => onOpen({ kind: 'cancel', escalation })}>
            {t('escalations.cancel.open')}
          </Button>
          {approve.error && !isConflict(approve.error) ? <FormError error={approve.error} /> : null}
          {step.error && !isConflict(step.error) ? <FormError error={step.error} /> : null}
        </div>
      )}
    </li>
  );
}
