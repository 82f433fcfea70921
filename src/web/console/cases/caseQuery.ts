import { useQuery } from '@tanstack/react-query';
import { request } from './api';

// The one query of an open case (GET /api/cases/:id, audited on the server). The case page and its sections
// (people, tasks, referrals, escalations…) share it by key, and invalidate it after a change, so a case is read once
// per change, not once per section. The detail's TypeScript type lives in ./types (owned by the case pages).

export const caseKeys = {
  all: ['cases'] as const,
  detail: (id: string) => ['cases', 'detail', id] as const,
  search: (params: string) => ['cases', 'search', params] as const,
};

export function useCaseDetail<T = unknown>(caseId: string) {
  return useQuery({
    queryKey: caseKeys.detail(caseId),
    // Through the case client: a 403 CASE_RESTRICTED / 409 CASE_MERGED keeps its body (reference, merged_into).
    queryFn: () => request<T>(`/api/cases/${encodeURIComponent(caseId)}`),
    staleTime: 10_000,
  });
}
