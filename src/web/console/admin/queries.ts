import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { listTokens, listUsers } from '../api/endpoints';

export const adminKeys = {
  users: ['admin', 'users'] as const,
  audit: ['admin', 'audit'] as const,
  tokens: ['admin', 'tokens'] as const,
};

export function useUsers() {
  return useQuery({ queryKey: adminKeys.users, queryFn: listUsers, select: (r) => r.users });
}

export function useTokens() {
  return useQuery({ queryKey: adminKeys.tokens, queryFn: listTokens, select: (r) => r.tokens });
}

/** Every admin change is audited, so the audit list is stale after any of them. */
export function useInvalidateAdmin() {
  const queryClient = useQueryClient();
  return useCallback(
    (...keys: (keyof typeof adminKeys)[]) => {
      for (const key of [...keys, 'audit' as const])
        void queryClient.invalidateQueries({ queryKey: adminKeys[key] });
    },
    [queryClient],
  );
}
