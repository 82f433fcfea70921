import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useT } from '../locale';
import { caseKeys } from './caseQuery';
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
