// "My tasks": which group a task falls in, and what its call-back check says. Pure, so it is unit-tested.

export type DueGroup = 'overdue' | 'today' | 'later';
export const DUE_GROUPS: readonly DueGroup[] = ['overdue', 'today', 'later'];

interface Due {
  id: string;
  due_at: string | null;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of an instant on the wall clock of `timeZone` (default: the browser's). */
export function localDay(at: Date, timeZone?: string): string {
  const key = timeZone ?? '';
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(timeZone ? { timeZone } : {}),
    });
    dayFormats.set(key, format);
  }
  return format.format(at);
}

const dueTime = (task: Due): number => {
  const at = task.due_at ? new Date(task.due_at).getTime() : Number.NaN;
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
};

/**
 * Overdue: its time has passed (even earlier today — it was not done when it should have been). Due today: later
 * on today's calendar day in the advocate's zone. Later: anything after, and a task without a usable time.
 */
export function dueGroup(task: Due, now: Date, timeZone?: string): DueGroup {
  const at = dueTime(task);
  if (at === Number.POSITIVE_INFINITY) return 'later';
  if (at < now.getTime()) return 'overdue';
  return localDay(new Date(at), timeZone) === localDay(now, timeZone) ? 'today' : 'later';
}

/** The three groups, each due first (ties by id, as the server orders them); never drops a task. */
export function groupByDue<T extends Due>(
  tasks: readonly T[],
  now: Date,
  timeZone?: string,
): Record<DueGroup, T[]> {
  const groups: Record<DueGroup, T[]> = { overdue: [], today: [], later: [] };
  const sorted = [...tasks].sort(
    (a, b) => dueTime(a) - dueTime(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  for (const task of sorted) groups[dueGroup(task, now, timeZone)].push(task);
  return groups;
}

export type CallCheck =
  /** Not a call-back. */
  | 'none'
  /** The safety plan as it is now refuses this call-back's time, number, or has no safe times at all. */
  | 'conflict'
  /** The plan allowed the agreed time, but that time has passed and now is outside the safe times. */
  | 'past_due'
  /** The agreed time has passed, and the plan allows a call now (when the server answered). */
  | 'past_due_safe_now'
  /** The plan allows the agreed time and number. */
  | 'ok';

/** What the call-back line says; done tasks never reach this list, so only open call-backs are checked. */
export function callCheck(
  task: Due & {
    kind: string;
    plan_conflict?: string | null | undefined;
    safe_now?: boolean | null | undefined;
  },
  now: Date,
): CallCheck {
  if (task.kind !== 'call_back') return 'none';
  if (task.plan_conflict) return 'conflict';
  if (dueTime(task) >= now.getTime()) return 'ok';
  return task.safe_now === true ? 'past_due_safe_now' : 'past_due';
}
