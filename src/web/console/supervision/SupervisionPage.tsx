import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useId, useState } from 'react';
import { Link } from 'react-aria-components';
import { BREAK_GLASS_REASONS } from '../../../shared/cases';
import type { MessageId } from '../../i18n/messages';
import { approveEscalation } from '../cases/escalations.api';
import { casePaths } from '../cases/paths';
import {
  ESCALATION_KIND_LABELS,
  labelFor,
  NEED_LABELS,
  OVERRIDE_REASON_LABELS,
} from '../cases/referrals.labels';
import { isStale } from '../cases/referrals.shared';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { ProtocolsSection } from './ProtocolsSection';
import {
  type Approval,
  type BreakGlassRead,
  listApprovals,
  listBreakGlass,
  listOverrides,
  type ProtocolWaiver,
  reviewBreakGlass,
  supervisionKeys,
} from './supervision.api';
import '../cases/referrals.css';

const BREAK_GLASS_LABELS = Object.fromEntries(
  BREAK_GLASS_REASONS.map((r) => [r, `supervision.breakGlass.reason.${r}`]),
) as Record<string, MessageId>;

/** The supervisor's desk: escalations to approve, break-glass reads to review, overrides, protocols. */
export function SupervisionPage() {
  const t = useT();
  usePageTitle(t('supervision.title'));
  const { user } = useSignedInSession();
  const [message, setMessage] = useState('');
  if (user.role !== 'supervisor') {
    return (
      <div className="page stack">
        <h1 className="page-title">{t('supervision.title')}</h1>
        <p>{t('supervision.onlySupervisors')}</p>
      </div>
    );
  }
  return (
    <div className="page stack case-flow supervision">
      <div className="page-head">
        <h1 className="page-title">{t('supervision.title')}</h1>
      </div>
      <p role="status" className="status-line">
        {message}
      </p>
      <ApprovalsSection onMessage={setMessage} />
      <BreakGlassSection onMessage={setMessage} />
      <OverridesSection />
      <ProtocolsSection onMessage={setMessage} />
    </div>
  );
}

function PageSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="page-section" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

function CaseLink({ caseId, reference }: { caseId: string; reference?: string | null | undefined }) {
  const t = useT();
  return (
    <Link href={casePaths.detail(caseId)} className="text-link mono">
      {reference || t('supervision.openCase')}
    </Link>
  );
}

function ApprovalsSection({ onMessage }: { onMessage: (m: string) => void }) {
  const t = useT();
  const list = useQuery({ queryKey: supervisionKeys.approvals, queryFn: listApprovals });
  const items = list.data?.items ?? [];
  return (
    <PageSection title={t('supervision.approvals.title')}>
      {list.isPending && <Loading label={t('supervision.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && items.length === 0 && (
        <EmptyState>
          <p>{t('supervision.approvals.empty')}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="plain-list">
          {items.map((e) => (
            <ApprovalItem key={e.id} escalation={e} onMessage={onMessage} />
          ))}
        </ul>
      )}
    </PageSection>
  );
}

function ApprovalItem({ escalation, onMessage }: { escalation: Approval; onMessage: (m: string) => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const headingId = useId();
  const approve = useMutation({
    mutationFn: () => approveEscalation(escalation),
    onSuccess: () => {
      onMessage(t('escalations.done.approved'));
      void queryClient.invalidateQueries({ queryKey: supervisionKeys.approvals });
      void queryClient.invalidateQueries({ queryKey: ['cases', 'detail', escalation.case_id] });
    },
    onError: (error) => {
      if (isStale(error)) void queryClient.invalidateQueries({ queryKey: supervisionKeys.approvals });
    },
  });
  const author = escalation.created_by?.display_name ?? null;
  return (
    <li className="escalation-item" aria-labelledby={headingId}>
      <div className="item-head">
        <h3 id={headingId} className="item-title">
          {labelFor(ESCALATION_KIND_LABELS, escalation.kind, t)}
        </h3>
        <CaseLink caseId={escalation.case_id} reference={escalation.case_reference} />
      </div>
      <dl className="facts item-facts">
        <div>
          <dt>{t('supervision.started')}</dt>
          <dd>
            <RelativeTime value={escalation.created_at} />
            {author ? ` — ${author}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('escalations.item.consent')}</dt>
          <dd>
            {escalation.consent_given
              ? t('escalations.item.consentGiven')
              : t('escalations.item.withoutConsent', {
                  reason: labelFor(OVERRIDE_REASON_LABELS, escalation.override_reason, t) || '—',
                })}
          </dd>
        </div>
      </dl>
      <div className="item-actions">
        <PendingButton
          className="button primary"
          isPending={approve.isPending}
          onPress={() => approve.mutate()}
        >
          {t('escalations.approve')}
          <span className="visually-hidden">
            {' — '}
            {labelFor(ESCALATION_KIND_LABELS, escalation.kind, t)} {escalation.case_reference ?? ''}
          </span>
        </PendingButton>
        {approve.error ? <FormError error={approve.error} /> : null}
      </div>
    </li>
  );
}

function BreakGlassSection({ onMessage }: { onMessage: (m: string) => void }) {
  const t = useT();
  const list = useQuery({ queryKey: supervisionKeys.breakGlass, queryFn: listBreakGlass });
  const items = list.data?.items ?? [];
  return (
    <PageSection title={t('supervision.breakGlass.title')}>
      <p className="muted">{t('supervision.breakGlass.intro')}</p>
      {list.isPending && <Loading label={t('supervision.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && items.length === 0 && (
        <EmptyState>
          <p>{t('supervision.breakGlass.empty')}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="plain-list">
          {items.map((g) => (
            <BreakGlassItem key={g.id} grant={g} onMessage={onMessage} />
          ))}
        </ul>
      )}
    </PageSection>
  );
}

function BreakGlassItem({ grant, onMessage }: { grant: BreakGlassRead; onMessage: (m: string) => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const headingId = useId();
  const review = useMutation({
    mutationFn: () => reviewBreakGlass(grant.id),
    onSuccess: () => {
      onMessage(t('supervision.breakGlass.reviewed'));
      void queryClient.invalidateQueries({ queryKey: supervisionKeys.breakGlass });
    },
  });
  return (
    <li className="referral-item" aria-labelledby={headingId}>
      <div className="item-head">
        <h3 id={headingId} className="item-title">
          {t('supervision.breakGlass.who', { name: grant.user.display_name })}
        </h3>
        <CaseLink caseId={grant.case_id} reference={grant.case_reference} />
      </div>
      <dl className="facts item-facts">
        <div>
          <dt>{t('supervision.breakGlass.reason')}</dt>
          <dd>
            {labelFor(BREAK_GLASS_LABELS, grant.reason, t)}
            {grant.note && (
              <>
                {' — '}
                <q className="quoted">{grant.note}</q>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('supervision.breakGlass.granted')}</dt>
          <dd>
            <RelativeTime value={grant.granted_at} />
          </dd>
        </div>
        <div>
          <dt>{t('supervision.breakGlass.expires')}</dt>
          <dd>
            <RelativeTime value={grant.expires_at} />
          </dd>
        </div>
      </dl>
      <div className="item-actions">
        <PendingButton className="button" isPending={review.isPending} onPress={() => review.mutate()}>
          {t('supervision.breakGlass.markReviewed')}
          <span className="visually-hidden">
            {' — '}
            {grant.user.display_name} {grant.case_reference}
          </span>
        </PendingButton>
        {review.error ? <FormError error={review.error} /> : null}
      </div>
    </li>
  );
}

function OverridesSection() {
  const t = useT();
  const list = useQuery({ queryKey: supervisionKeys.overrides, queryFn: listOverrides });
  const data = list.data;
  const referrals = data?.referrals ?? [];
  const escalations = data?.escalations ?? [];
  const waivers: ProtocolWaiver[] = data?.waivers ?? [];
  return (
    <PageSection title={t('supervision.overrides.title')}>
      <p className="muted">{t('supervision.overrides.intro')}</p>
      {list.isPending && <Loading label={t('supervision.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {data && (
        <>
          <h3 className="section-subtitle">{t('supervision.overrides.referrals')}</h3>
          {referrals.length === 0 ? (
            <p className="muted">{t('supervision.overrides.none')}</p>
          ) : (
            <ul className="plain-list">
              {referrals.map((r) => {
                const by = r.override_by;
                const at = r.override_at;
                const reason = r.reason;
                return (
                  <li key={r.id} className="override-row">
                    <CaseLink caseId={r.case_id} reference={r.case_reference} />{' '}
                    {labelFor(NEED_LABELS, r.need, t)} — {r.organization.name}
                    {by ? ` · ${t('referrals.item.overrideBy', { name: by.display_name })}` : ''}{' '}
                    {at && <RelativeTime value={at} />}
                    {reason && (
                      <>
                        {' — '}
                        <q className="quoted">{reason}</q>
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          <h3 className="section-subtitle">{t('supervision.overrides.escalations')}</h3>
          {escalations.length === 0 ? (
            <p className="muted">{t('supervision.overrides.none')}</p>
          ) : (
            <ul className="plain-list">
              {escalations.map((e) => (
                <li key={e.id} className="override-row">
                  <CaseLink caseId={e.case_id} reference={e.case_reference} />{' '}
                  {labelFor(ESCALATION_KIND_LABELS, e.kind, t)} ·{' '}
                  {labelFor(OVERRIDE_REASON_LABELS, e.override_reason, t)}
                  {e.created_by ? ` · ${e.created_by.display_name}` : ''}{' '}
                  <RelativeTime value={e.created_at} />
                  {e.note && (
                    <>
                      {' — '}
                      <q className="quoted">{e.note}</q>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          <h3 className="section-subtitle">{t('supervision.overrides.waivers')}</h3>
          {waivers.length === 0 ? (
            <p className="muted">{t('supervision.overrides.none')}</p>
          ) : (
            <ul className="plain-list">
              {waivers.map((w) => {
                const text = w.waiver;
                return (
                  <li key={w.case_id} className="override-row">
                    <CaseLink caseId={w.case_id} reference={w.case_reference} />
                    {w.closed_at && (
                      <>
                        {' '}
                        {t('supervision.overrides.closed')} <RelativeTime value={w.closed_at} />
                      </>
                    )}
                    {text && (
                      <>
                        {' — '}
                        <q className="quoted">{text}</q>
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </PageSection>
  );
}
