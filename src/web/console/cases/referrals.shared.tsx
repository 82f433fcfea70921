import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { caseKeys, useCaseDetail } from './caseQuery';
import type { CaseForSections } from './referrals.api';
import { labelFor, statusBadge } from './referrals.labels';

/** A status in words, with an icon that repeats it (never colour alone). */
export function StatusChip({ status, labels }: { status: string; labels: Record<string, MessageId> }) {
  const t = useT();
  const badge = statusBadge(status);
  return (
    <span className={`${badge.className} status-chip`}>
      <span aria-hidden="true">{badge.icon} </span>
      {labelFor(labels, status, t)}
    </span>
  );
}

/**
 * True for a stale-version answer: someone changed the record meanwhile (409 VERSION_CONFLICT). Other 409s (a move
 * the status does not allow, steps pending, approval needed, case closed) are not conflicts: their own message says
 * what to do.
 */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'VERSION_CONFLICT' || error.status === 412);
}

/** Any refusal that means the stored state moved on (worth reading the record again). */
export function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/** After a change (or a refused one), the case is read again so every section shows what is stored now. */
export function useRefreshCase(caseId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    () => queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) }),
    [queryClient, caseId],
  );
}

/**
 * What the referrals and escalations sections share: the case (shared query), which dialog is open, the message
 * after a change, and the stale-version notice (focused when it appears; the case is re-read).
 */
export function useCaseFlow<Open>(caseId: string) {
  const { user } = useSignedInSession();
  const detail = useCaseDetail<CaseForSections>(caseId);
  const refresh = useRefreshCase(caseId);
  const [open, setOpen] = useState<Open | null>(null);
  const [message, setMessage] = useState('');
  const [conflict, setConflict] = useState(false);
  const conflictRef = useRef<HTMLDivElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  const done = (text: string) => () => {
    setOpen(null);
    setConflict(false);
    setMessage(text);
    void refresh();
  };
  const failed = (error: unknown) => {
    if (isConflict(error)) {
      setOpen(null);
      setMessage('');
      setConflict(true);
    }
    if (isStale(error)) void refresh();
  };
  const data = detail.data;
  const closed = data ? data.status === 'closed' || data.status === 'closed_referred' : false;
  return {
    isSupervisor: user.role === 'supervisor',
    detail,
    data,
    closed,
    refresh,
    open,
    setOpen,
    message,
    setMessage,
    conflict,
    conflictRef,
    headingId,
    done,
    failed,
  };
}

/**
 * The common top of a case section: the polite status line after a change, the stale-version notice (focused), and
 * the loading / error / empty states of the case.
 */
export function FlowStatus({
  flow,
  loadingLabel,
  emptyText,
  isEmpty,
}: {
  flow: Pick<ReturnType<typeof useCaseFlow>, 'detail' | 'message' | 'conflict' | 'conflictRef'>;
  loadingLabel: string;
  emptyText: string;
  isEmpty: boolean;
}) {
  const t = useT();
  const { detail, message, conflict, conflictRef } = flow;
  return (
    <>
      <p role="status" className="status-line">
        {message}
      </p>
      {conflict && (
        <div className="notice notice-warning" role="alert" tabIndex={-1} ref={conflictRef}>
          <strong>{t('referrals.conflict.title')}</strong> {t('referrals.conflict.body')}
        </div>
      )}
      {detail.isPending && <Loading label={loadingLabel} />}
      {detail.isError && <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />}
      {detail.data && isEmpty && (
        <EmptyState>
          <p>{emptyText}</p>
        </EmptyState>
      )}
    </>
  );
}
