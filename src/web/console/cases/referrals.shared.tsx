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

/** True for a stale-version answer: someone changed the record meanwhile. */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 409 || error.status === 412);
}

/** After a change (or a refused one), the case is read again so every section shows what is stored now. */
export function useRefreshCase(caseId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    () => queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) }),
    [queryClient, caseId],
  );
}
