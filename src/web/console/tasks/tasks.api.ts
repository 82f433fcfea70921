import { request } from '../cases/api';
import type { Task } from '../cases/types';

// "My tasks" (docs/api/cases.md "People, places, notes, tasks"): marking one done uses the case's own task route
// (`updateTask` in ../cases/api.ts).

/** An open task assigned to me, with the case it belongs to. */
export interface MyTask extends Task {
  case_id: string;
  case_reference: string;
}

export const taskKeys = { mine: ['tasks', 'mine'] as const };

export const listMyTasks = () => request<{ items: MyTask[] }>('/api/tasks/mine');
