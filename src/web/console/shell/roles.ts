import { useCallback } from 'react';
import type { MessageId } from '../../i18n/messages';
import { ROLES, type Role } from '../api/types';
import { useT } from '../locale';

const ROLE_LABELS: Record<Role, MessageId> = {
  advocate: 'role.advocate',
  supervisor: 'role.supervisor',
  directory_manager: 'role.directory_manager',
  analyst: 'role.analyst',
  communications: 'role.communications',
  admin: 'role.admin',
  partner: 'role.partner',
  funder_viewer: 'role.funder_viewer',
};

export function isKnownRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}

/** Localised role names; a role added on the server before the console knows it shows as its code. */
export function useRoleLabel(): (role: string) => string {
  const t = useT();
  return useCallback((role: string) => (isKnownRole(role) ? t(ROLE_LABELS[role]) : role), [t]);
}
