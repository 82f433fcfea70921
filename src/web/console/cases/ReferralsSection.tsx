import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from 'react-aria-components';
import { useT } from '../locale';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { type CaseForSections, type Referral, sendReferral } from './referrals.api';
import { ConsentDialog, OverrideDialog, ReferDialog, StatusDialog } from './referrals.dialogs';
import {
  labelFor,
  NEED_LABELS,
  PERSON_ROLE_LABELS,
  REFERRAL_STATUS_LABELS,
  SHARE_FIELD_LABELS,
} from './referrals.labels';
import { FlowStatus, isConflict, StatusChip, useCaseFlow } from './referrals.shared';
import './referrals.css';

type Open =
  | { kind: 'refer' }
  | { kind: 'consent'; referral: Referral }
  | { kind: 'override'; referral: Referral }
  | { kind: 'withdraw'; referral: Referral }
  | { kind: 'answer'; referral: Referral }
  | { kind: 'outcome'; referral: Referral };

/**
 * Referrals of a case, closing the loop: refer (need → a service found for this case → consent), send, follow the
 * partner's answer and the outcome. A referral without consent leaves only on a supervisor's recorded override.
 */
export function ReferralsSection({ caseId }: { caseId: string }) {
  const t = useT();
  const flow = useCaseFlow<Open>(caseId);
  const { isSupervisor, data, closed, open, setOpen, headingId, done, failed } = flow;
  const referrals = data?.referrals ?? [];

  return (
    <section className="referrals-section case-flow stack" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId} className="section-title">
          {t('referrals.title')}
        </h2>
        {data && !closed && (
          <Button className="button primary" onPress={() => setOpen({ kind: 'refer' })}>
            {t('referrals.refer')}
          </Button>
        )}
      </div>
      <FlowStatus
        flow={flow}
        loadingLabel={t('referrals.loading')}
        emptyText={t('referrals.empty')}
        isEmpty={referrals.length === 0}
      />
      {data && referrals.length > 0 && (
        <ul className="referral-list">
          {referrals.map((referral) => (
            <ReferralItem
              key={referral.id}
              referral={referral}
              detail={data}
              isSupervisor={isSupervisor}
              readOnly={closed}
              onOpen={setOpen}
              onSent={done(t('referrals.done.sent', { organization: referral.organization.name }))}
              onError={failed}
            />
          ))}
        </ul>
      )}

      {data && open?.kind === 'refer' && (
        <ReferDialog
          detail={data}
          onClose={() => setOpen(null)}
          onDone={(r) => done(t('referrals.done.created', { organization: r.organization.name }))()}
        />
      )}
      {open?.kind === 'consent' && (
        <ConsentDialog
          referral={open.referral}
          onClose={() => setOpen(null)}
          onDone={done(t('referrals.done.consent'))}
          onError={failed}
        />
      )}
      {open?.kind === 'override' && (
        <OverrideDialog
          referral={open.referral}
          onClose={() => setOpen(null)}
          onDone={done(t('referrals.done.override'))}
          onError={failed}
        />
      )}
      {open?.kind === 'withdraw' && (
        <StatusDialog
          referral={open.referral}
          statuses={['withdrawn']}
          title={t('referrals.withdraw.title')}
          intro={t('referrals.withdraw.body', { organization: open.referral.organization.name })}
          onClose={() => setOpen(null)}
          onDone={done(t('referrals.done.status'))}
          onError={failed}
        />
      )}
      {open?.kind === 'answer' && (
        <StatusDialog
          referral={open.referral}
          statuses={['accepted', 'declined']}
          title={t('referrals.answer.title')}
          intro={t('referrals.answer.body', { organization: open.referral.organization.name })}
          onClose={() => setOpen(null)}
          onDone={done(t('referrals.done.status'))}
          onError={failed}
        />
      )}
      {open?.kind === 'outcome' && (
        <StatusDialog
          referral={open.referral}
          statuses={['service_received', 'could_not_reach']}
          title={t('referrals.outcome.title')}
          intro={t('referrals.outcome.body', { organization: open.referral.organization.name })}
          onClose={() => setOpen(null)}
          onDone={done(t('referrals.done.status'))}
          onError={failed}
        />
      )}
    </section>
  );
}

function ReferralItem({
  referral,
  detail,
  isSupervisor,
  readOnly,
  onOpen,
  onSent,
  onError,
}: {
  referral: Referral;
  detail: CaseForSections;
  isSupervisor: boolean;
  readOnly: boolean;
  onOpen: (open: Open) => void;
  onSent: () => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const headingId = useId();
  const noConsentId = useId();
  const send = useMutation({ mutationFn: () => sendReferral(referral), onSuccess: onSent, onError });
  const person = detail.people.find((p) => p.id === referral.person_id);
  const task = referral.follow_up_task_id
    ? detail.tasks?.find((tk) => tk.id === referral.follow_up_task_id)
    : undefined;
  const canSend = referral.consent !== null || referral.override !== null;
  const status = referral.status;

  return (
    <li className="referral-item" aria-labelledby={headingId}>
      <div className="item-head">
        <h3 id={headingId} className="item-title">
          {labelFor(NEED_LABELS, referral.need, t)}
          <span className="muted">
            {' — '}
            {referral.service ? `${referral.service.name}, ` : ''}
            {referral.organization.name}
          </span>
        </h3>
        <StatusChip status={status} labels={REFERRAL_STATUS_LABELS} />
      </div>
      <dl className="facts item-facts">
        {person && (
          <div>
            <dt>{t('referrals.item.person')}</dt>
            <dd>
              {person.name ||
                person.alias ||
                t('referrals.refer.unnamed', { role: labelFor(PERSON_ROLE_LABELS, person.role, t) })}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('referrals.item.consent')}</dt>
          <dd>
            {referral.consent ? (
              <>
                {t(
                  referral.consent.kind === 'written'
                    ? 'referrals.item.consentWritten'
                    : 'referrals.item.consentVerbal',
                )}
                {referral.consent.agreed && (
                  <>
                    {' — '}
                    <q className="quoted">{referral.consent.agreed}</q>
                  </>
                )}
                <span className="muted">
                  {' '}
                  (
                  {referral.consent.recorded_by
                    ? t('referrals.item.recordedBy', { name: referral.consent.recorded_by.display_name })
                    : t('referrals.item.recorded')}{' '}
                  <RelativeTime value={referral.consent.at} />)
                </span>
              </>
            ) : (
              <span>
                <span aria-hidden="true">⚠ </span>
                {t('referrals.item.noConsent')}
              </span>
            )}
          </dd>
        </div>
        {referral.consent && (
          <div>
            <dt>{t('referrals.item.shared')}</dt>
            <dd>
              {referral.shared_fields.length === 0
                ? t('referrals.item.sharedNothing')
                : referral.shared_fields.map((f) => labelFor(SHARE_FIELD_LABELS, f, t)).join(', ')}
            </dd>
          </div>
        )}
        {referral.override && (
          <div>
            <dt>{t('referrals.item.override')}</dt>
            <dd>
              {t('referrals.item.overrideBy', { name: referral.override.by?.display_name ?? '—' })}{' '}
              <RelativeTime value={referral.override.at} />
              {referral.override.reason && (
                <>
                  {' — '}
                  <q className="quoted">{referral.override.reason}</q>
                </>
              )}
            </dd>
          </div>
        )}
        {referral.sent_at && (
          <div>
            <dt>{t('referrals.item.sent')}</dt>
            <dd>
              <RelativeTime value={referral.sent_at} />
            </dd>
          </div>
        )}
        {referral.responded_at && (
          <div>
            <dt>{t('referrals.item.responded')}</dt>
            <dd>
              <RelativeTime value={referral.responded_at} />
            </dd>
          </div>
        )}
        {referral.outcome_at && (
          <div>
            <dt>{t('referrals.item.outcome')}</dt>
            <dd>
              {labelFor(REFERRAL_STATUS_LABELS, status, t)} <RelativeTime value={referral.outcome_at} />
            </dd>
          </div>
        )}
        {referral.outcome_note && (
          <div>
            <dt>{t('referrals.item.note')}</dt>
            <dd className="pre-wrap">{referral.outcome_note}</dd>
          </div>
        )}
        {task && (
          <div>
            <dt>{t('referrals.item.followUp')}</dt>
            <dd>
              {task.done_at ? (
                <>
                  {t('referrals.item.followUpDone')} <RelativeTime value={task.done_at} />
                </>
              ) : (
                <>
                  {t('referrals.item.followUpDue')} <RelativeTime value={task.due_at} />
                  {task.assignee ? ` — ${task.assignee.display_name}` : ''}
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      {!readOnly && (
        <div className="item-actions">
          {status === 'proposed' && (
            <>
              {!canSend && (
                <p id={noConsentId} className="notice notice-warning">
                  <span aria-hidden="true">⚠ </span>
                  {isSupervisor
                    ? t('referrals.send.needsConsentSupervisor')
                    : t('referrals.send.needsConsent')}
                </p>
              )}
              <PendingButton
                className="button primary"
                isPending={send.isPending}
                isDisabled={!canSend}
                aria-describedby={!canSend ? noConsentId : undefined}
                onPress={() => send.mutate()}
              >
                {t('referrals.send', { organization: referral.organization.name })}
              </PendingButton>
              <Button className="button" onPress={() => onOpen({ kind: 'consent', referral })}>
                {referral.consent ? t('referrals.consent.change') : t('referrals.consent.record')}
              </Button>
              {!canSend && isSupervisor && (
                <Button className="button danger" onPress={() => onOpen({ kind: 'override', referral })}>
                  {t('referrals.override.open')}
                </Button>
              )}
            </>
          )}
          {status === 'sent' && (
            <Button className="button" onPress={() => onOpen({ kind: 'answer', referral })}>
              {t('referrals.answer.open')}
            </Button>
          )}
          {status === 'accepted' && (
            <Button className="button" onPress={() => onOpen({ kind: 'outcome', referral })}>
              {t('referrals.outcome.open')}
            </Button>
          )}
          {(status === 'proposed' || status === 'sent') && (
            <Button className="button" onPress={() => onOpen({ kind: 'withdraw', referral })}>
              {t('referrals.withdraw.open')}
            </Button>
          )}
          {send.error && !isConflict(send.error) ? <FormError error={send.error} /> : null}
        </div>
      )}
    </li>
  );
}
