import { useQuery } from '@tanstack/react-query';
import type { MessageId } from '../../i18n/messages';
import type { Option } from '../ui/SelectField';
import { request } from './api';
import type { Task } from './types';

// Who a task or call-back may go to (GET /api/cases/:id/assignees, docs/api/cases.md "People, places, notes,
// tasks"): active advocates and supervisors who open the case without break-glass. The server refuses anyone else
// (422 ASSIGNEE_CANNOT_OPEN_CASE), so the console offers only these.

export interface Assignee {
  id: string;
  display_name: string;
  role: string;
}

const id = (value: string) => encodeURIComponent(value);

export const getAssignees = (caseId: string) =>
  request<{ items: Assignee[] }>(`/api/cases/${id(caseId)}/assignees`);

/** Gives an open task to someone else (If-Match: the task's version; a stale one is a 409 with the task as stored). */
export const reassignTask = (caseId: string, taskId: string, version: number, assigneeId: string) =>
  request<Task>(`/api/cases/${id(caseId)}/tasks/${id(taskId)}`, {
    method: 'PATCH',
    body: { assignee_id: assigneeId },
    headers: { 'If-Match': String(version) },
  });

/**
 * Not under the case detail's key (most changes to a case do not change who may open it); keyed by the case's team
 * instead, so restricting a case or lifting its restriction fetches the list again.
 */
export function useAssignees(caseId: string, teamId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['cases', 'assignees', caseId, teamId ?? ''],
    queryFn: () => getAssignees(caseId),
    enabled,
    staleTime: 60_000,
  });
}

/**
 * The "Assign to" choices: the people the server offers, me marked. A break-glass reader is not among them (their
 * access ends; a task they kept would be stranded), so they choose someone of the team.
 */
export function assigneeOptions(
  items: readonly Assignee[] | undefined,
  me: { id: string; displayName: string; role: string },
  t: (id: MessageId, values?: Record<string, string>) => string,
): Option[] {
  const role = (r: string) => (r === 'advocate' || r === 'supervisor' ? t(`role.${r}`) : r);
  const label = (a: { id: string; name: string; role: string }) =>
    a.id === me.id
      ? t('cases.tasks.assigneeMe', { name: a.name, role: role(a.role) })
      : t('cases.tasks.assigneeOption', { name: a.name, role: role(a.role) });
  return (items ?? []).map((a) => ({
    id: a.id,
    label: label({ id: a.id, name: a.display_name, role: a.role }),
  }));
}
