import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Radio, RadioGroup } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { TextAreaField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { decideProposal, getLocation, getOrganization, getService, listProposals } from './api';
import { DirectoryLayout } from './DirectoryLayout';
import { proposalRows } from './format';
import { useFieldLabel, useValueLabel } from './proposalLabels';
import { canManage, directoryPaths } from './routes';
import type { Proposal, ProposalStatus } from './types';

const STATUS_LABELS: Record<ProposalStatus, MessageId> = {
  pending: 'directory.proposals.status.pending',
  approved: 'directory.proposals.status.approved',
  rejected: 'directory.proposals.status.rejected',
};

export const RESOURCE_LABELS: Record<Proposal['resourceType'], MessageId> = {
  organization: 'directory.record.organization',
  service: 'directory.record.service',
  location: 'directory.record.location',
  capacity: 'directory.record.capacity',
  schedule: 'directory.record.hours',
};

/** Partners' proposed changes, reviewed by managers (before → after, approve or reject with a note). Partners see theirs on PartnerPage. */
export function ProposalsPage() {
  const t = useT();
  const { user } = useSignedInSession();
  const manager = canManage(user.role);
  const [status, setStatus] = useState<ProposalStatus>('pending');
  const [message, setMessage] = useState('');
  const proposals = useQuery({
    queryKey: ['directory', 'proposals', status],
    queryFn: () => listProposals(status),
    select: (r) => r.proposals,
  });
  const list = proposals.data;
  return (
    <DirectoryLayout current="proposals" title={t('directory.proposals.title')}>
      <p className="muted">{t('directory.proposals.intro')}</p>
      <RadioGroup
        className="field"
        orientation="horizontal"
        value={status}
        onChange={(v) => {
          setMessage('');
          setStatus(v as ProposalStatus);
        }}
      >
        <span className="field-label">{t('directory.proposals.show')}</span>
        <div className="radio-row">
          {(Object.keys(STATUS_LABELS) as ProposalStatus[]).map((s) => (
            <Radio key={s} value={s} className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t(STATUS_LABELS[s])}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      <p role="status" className="status-line">
        {message}
      </p>
      {proposals.isPending && <Loading label={t('directory.proposals.loading')} />}
      {proposals.isError && <ErrorState error={proposals.error} onRetry={() => void proposals.refetch()} />}
      {list && list.length === 0 && <EmptyState>{t('directory.proposals.empty')}</EmptyState>}
      {list && list.length > 0 && (
        <ol className="proposal-list">
          {list.map((p) => (
            <ProposalCard key={p.id} proposal={p} manager={manager} onDecided={setMessage} />
          ))}
        </ol>
      )}
    </DirectoryLayout>
  );
}

/** The record as it is now, flattened like a proposal's `changes`, to show before → after. */
async function currentValues(p: Proposal): Promise<Record<string, unknown>> {
  if (p.resourceType === 'organization') return { ...(await getOrganization(p.resourceId)).organization };
  if (p.resourceType === 'location') {
    const { location, address } = await getLocation(p.resourceId);
    const a = address
      ? {
          address1: address.address1,
          address2: address.address2,
          city: address.city,
          stateProvince: address.stateProvince,
          postalCode: address.postalCode,
          country: address.country,
        }
      : null;
    return { ...location, address: a };
  }
  const record = await getService(p.resourceId);
  if (p.resourceType === 'capacity') {
    const c = record.capacity[0];
    return { available: c?.available ?? null, maximum: c?.maximum ?? null };
  }
  if (p.resourceType === 'schedule')
    return { timezone: record.hours?.timezone ?? null, hours: record.hours?.hours ?? [] };
  return {
    ...record.service,
    populations: record.populations,
    serviceTypes: record.serviceTypes,
    languages: record.languages,
    phones: record.phones,
  };
}

function ProposalCard({
  proposal,
  manager,
  onDecided,
}: {
  proposal: Proposal;
  manager: boolean;
  onDecided: (message: string) => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const pending = proposal.status === 'pending';
  const current = useQuery({
    queryKey: ['directory', 'proposal-current', proposal.resourceType, proposal.resourceId],
    queryFn: () => currentValues(proposal),
    enabled: manager && pending,
  });
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') =>
      decideProposal(proposal.id, decision, note.trim() || undefined),
    onSuccess: (_r, decision) => {
      onDecided(
        t(decision === 'approve' ? 'directory.proposals.approved' : 'directory.proposals.rejected', {
          name: proposal.organizationName ?? '',
        }),
      );
      void queryClient.invalidateQueries({ queryKey: ['directory'] });
    },
  });
  const fieldLabel = useFieldLabel();
  const valueLabel = useValueLabel();
  const currentNow = manager && pending ? current.data : undefined;
  // A manager compares with the record as it is now: until it is loaded, no "before" column is shown (an empty
  // one would read as "closed" / "blank", which is not true).
  const showChanges = !(manager && pending) || current.data !== undefined;
  const rows = proposalRows(proposal.changes, manager && pending ? current.data : undefined);
  const headingId = `proposal-${proposal.id}`;
  const recordType =
    proposal.resourceType === 'capacity' || proposal.resourceType === 'schedule'
      ? 'service'
      : proposal.resourceType;
  return (
    <li className="proposal" aria-labelledby={headingId}>
      <div className="result-head">
        <h2 id={headingId} className="result-title">
          {t(RESOURCE_LABELS[proposal.resourceType])} — {proposal.organizationName}
        </h2>
        <span className="muted small-text">
          {t('directory.proposals.proposed')} <RelativeTime value={proposal.proposedAt} />
        </span>
      </div>
      {manager && (
        <p>
          <Link href={directoryPaths.record(recordType, proposal.resourceId)} className="text-link">
            {t('directory.proposals.openRecord')}
          </Link>
        </p>
      )}
      {manager && pending && current.isPending && <Loading label={t('directory.proposals.loadingCurrent')} />}
      {manager && pending && current.isError && <ErrorState error={current.error} />}
      {showChanges && (
        <div className="table-wrap">
          <table className="table diff-table">
            <caption className="visually-hidden">{t('directory.proposals.changes')}</caption>
            <thead>
              <tr>
                <th scope="col" className="column">
                  {t('directory.proposals.field')}
                </th>
                {manager && pending && (
                  <th scope="col" className="column">
                    {t('directory.proposals.before')}
                  </th>
                )}
                <th scope="col" className="column">
                  {manager && pending
                    ? t('directory.proposals.after')
                    : t('directory.proposals.proposedValue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const before = valueLabel(r.field, r.before, currentNow?.[r.field]);
                const after = valueLabel(r.field, r.after, proposal.changes[r.field]);
                return (
                  <tr key={r.field} className="row">
                    <th scope="row" className="cell row-head">
                      {fieldLabel(r.field)}
                    </th>
                    {manager && pending && (
                      <td className="cell diff-before">
                        {before ? (
                          <del>{before}</del>
                        ) : (
                          <span className="muted">{t('directory.proposals.blank')}</span>
                        )}
                      </td>
                    )}
                    <td className="cell diff-after">
                      {after ? (
                        <ins>{after}</ins>
                      ) : (
                        <span className="muted">{t('directory.proposals.blank')}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {!pending && (
        <p className="small-text">
          {t(STATUS_LABELS[proposal.status])}
          {proposal.reviewedAt && (
            <>
              {' '}
              <RelativeTime value={proposal.reviewedAt} />
            </>
          )}
          {proposal.reviewNote && <> — {proposal.reviewNote}</>}
        </p>
      )}
      {manager && pending && (
        <div className="decision">
          <TextAreaField
            label={t('directory.proposals.note')}
            value={note}
            onChange={setNote}
            maxLength={1000}
          />
          <div className="dialog-actions">
            <PendingButton
              className="button danger-outline"
              isPending={decide.isPending && decide.variables === 'reject'}
              onPress={() => decide.mutate('reject')}
            >
              {t('directory.proposals.reject')}
            </PendingButton>
            <PendingButton
              className="button primary"
              isPending={decide.isPending && decide.variables === 'approve'}
              onPress={() => decide.mutate('approve')}
            >
              {t('directory.proposals.approve')}
            </PendingButton>
          </div>
          <FormError error={decide.error} />
        </div>
      )}
    </li>
  );
}
