import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { FormattedDate } from 'react-intl';
import { useT } from '../locale';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { listOverdue, OVERDUE_PAGE_SIZE, verifyService } from './api';
import { DirectoryLayout } from './DirectoryLayout';
import { directoryPaths } from './routes';
import type { OverdueService } from './types';
import { ConfidentialBadge } from './widgets';

/** Listings due for their periodic check, oldest first; "verified today" straight from the list. */
export function VerificationPage() {
  const t = useT();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState('');
  const overdue = useQuery({
    queryKey: ['directory', 'overdue', offset],
    queryFn: () => listOverdue(offset),
    select: (r) => r.services,
  });
  const list = overdue.data;
  return (
    <DirectoryLayout current="verification" title={t('directory.verification.title')}>
      <p className="muted">{t('directory.verification.intro')}</p>
      <p role="status" className="status-line">
        {status}
      </p>
      {overdue.isPending && <Loading label={t('directory.verification.loading')} />}
      {overdue.isError && <ErrorState error={overdue.error} onRetry={() => void overdue.refetch()} />}
      {list && list.length === 0 && <EmptyState>{t('directory.verification.empty')}</EmptyState>}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('directory.verification.title')}</caption>
            <thead>
              <tr>
                <th scope="col" className="column">
                  {t('directory.verification.col.service')}
                </th>
                <th scope="col" className="column">
                  {t('directory.verification.col.due')}
                </th>
                <th scope="col" className="column">
                  {t('directory.verification.col.last')}
                </th>
                <th scope="col" className="column">
                  {t('directory.verification.col.action')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <OverdueRow
                  key={s.id}
                  service={s}
                  onVerified={(name) => setStatus(t('directory.verified', { name }))}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list && (offset > 0 || list.length === OVERDUE_PAGE_SIZE) && (
        <nav className="pager" aria-label={t('directory.results.pages')}>
          <Button
            className="button small"
            isDisabled={offset === 0}
            onPress={() => setOffset(Math.max(0, offset - OVERDUE_PAGE_SIZE))}
          >
            {t('directory.results.previous')}
          </Button>
          <Button
            className="button small"
            isDisabled={list.length < OVERDUE_PAGE_SIZE}
            onPress={() => setOffset(offset + OVERDUE_PAGE_SIZE)}
          >
            {t('directory.results.next')}
          </Button>
        </nav>
      )}
    </DirectoryLayout>
  );
}

function OverdueRow({
  service,
  onVerified,
}: {
  service: OverdueService;
  onVerified: (name: string) => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: () => verifyService(service.id),
    onSuccess: () => {
      onVerified(service.name);
      void queryClient.invalidateQueries({ queryKey: ['directory'] });
    },
  });
  return (
    <tr className="row">
      <th scope="row" className="cell row-head">
        <Link href={directoryPaths.record('service', service.id)} className="text-link">
          {service.name}
        </Link>
        <span className="person-email"> {service.organizationName}</span>{' '}
        {service.confidential && <ConfidentialBadge />}
      </th>
      <td className="cell nowrap">
        {service.verificationDue ? (
          <FormattedDate value={`${service.verificationDue}T12:00:00Z`} dateStyle="medium" />
        ) : (
          <span className="badge badge-warn">{t('directory.verification.never')}</span>
        )}
      </td>
      <td className="cell nowrap">
        {service.assuredDate ? (
          <FormattedDate value={`${service.assuredDate}T12:00:00Z`} dateStyle="medium" />
        ) : (
          <span className="muted">{t('directory.verification.neverVerified')}</span>
        )}
      </td>
      <td className="cell">
        <PendingButton
          className="button small nowrap"
          isPending={verify.isPending}
          onPress={() => verify.mutate()}
        >
          {t('directory.verifyToday')}
          <span className="visually-hidden"> — {service.name}</span>
        </PendingButton>
        {verify.isError && <FormError error={verify.error} />}
      </td>
    </tr>
  );
}
