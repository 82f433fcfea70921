import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useId, useRef, useState } from 'react';
import { Link } from 'react-aria-components';
import { useIntl } from 'react-intl';
import { conflictOf, isCode, updateTask } from '../cases/api';
import { ConflictNotice } from '../cases/Conflict';
import { codeLabel, planConflictLabel } from '../cases/labels';
import { casePaths } from '../cases/paths';
import type { Task, UserRef } from '../cases/types';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { ABSOLUTE_FORMAT, RelativeTime, useNow } from '../ui/time';
import { listMyTasks, type MyTask, taskKeys } from './tasks.api';
import { callCheck, DUE_GROUPS, type DueGroup, groupByDue } from './tasks.model';
import './tasks.css';

/** Someone changed a task between my list and my "Mark done" (409): what it is now, and who changed it. */
interface TaskConflict {
  title: string;
  current: Task;
  by: UserRef | null;
}

const REFRESH_MS = 60_000;

/**
 * The advocate's own to-do list across cases: overdue first, then today, then later (the browser's calendar), each
 * call-back with its safety-plan check. Refreshes every minute and on coming back to the window, so a supervisor's
 * reassignment shows up without a reload.
 */
export function MyTasksPage() {
  const t = useT();
  usePageTitle(t('tasks.title'));
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: taskKeys.mine,
    queryFn: listMyTasks,
    refetchInterval: REFRESH_MS,
    refetchOnWindowFocus: true,
  });
  const now = new Date(useNow());
  const [message, setMessage] = useState('');
  const [conflict, setConflict] = useState<TaskConflict | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const items = list.data?.items ?? [];
  const groups = groupByDue(items, now);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: taskKeys.mine });

  const onDone = (task: MyTask) => {
    setConflict(null);
    setMessage(t('tasks.markedDone', { title: titleOf(task, t) }));
    // The item leaves the list: focus goes to the page heading rather than being lost with its button.
    queryClient.setQueryData<{ items: MyTask[] }>(taskKeys.mine, (old) =>
      old ? { items: old.items.filter((i) => i.id !== task.id) } : old,
    );
    headingRef.current?.focus();
    refresh();
  };
  const onConflict = (task: MyTask, found: { current: Task; changedBy: UserRef | null }) => {
    setMessage('');
    setConflict({ title: titleOf(task, t), current: found.current, by: found.changedBy });
    refresh();
  };

  return (
    <div className="page stack my-tasks">
      <div className="page-head">
        <h1 className="page-title" ref={headingRef} tabIndex={-1}>
          {t('tasks.title')}
        </h1>
      </div>
      <p>{t('tasks.intro', { zone })}</p>
      <p className="small-text muted">
        {t('tasks.refreshHelp')}
        {list.dataUpdatedAt > 0 && (
          <>
            {' '}
            {t('tasks.updated')} <RelativeTime value={new Date(list.dataUpdatedAt).toISOString()} />
          </>
        )}
      </p>
      <p role="status" className="status-line">
        {message}
      </p>
      {conflict && (
        <ConflictNotice
          by={conflict.by}
          onReload={() => {
            setConflict(null);
            refresh();
          }}
        >
          <p>{t('tasks.conflict.which', { title: conflict.title })}</p>
          <p>
            <ConflictWhat current={conflict.current} />
          </p>
        </ConflictNotice>
      )}
      {list.isPending && <Loading label={t('tasks.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess && items.length === 0 && (
        <EmptyState>
          <p>{t('tasks.empty')}</p>
        </EmptyState>
      )}
      {DUE_GROUPS.map((group) =>
        groups[group].length === 0 ? null : (
          <TaskGroup key={group} group={group} tasks={groups[group]}>
            {(task) => (
              <TaskItem
                key={task.id}
                task={task}
                overdue={group === 'overdue'}
                now={now}
                onDone={onDone}
                onConflict={onConflict}
              />
            )}
          </TaskGroup>
        ),
      )}
    </div>
  );
}

type T = ReturnType<typeof useT>;

const titleOf = (task: Task, t: T) => task.title ?? codeLabel(t, 'task_kind', task.kind);

function ConflictWhat({ current }: { current: Task }) {
  const t = useT();
  const { user } = useSignedInSession();
  if (current.done_at) return <>{t('cases.tasks.theirsDone')}</>;
  if (!current.assignee) return <>{t('tasks.conflict.unassigned')}</>;
  if (current.assignee.id !== user.id)
    return <>{t('tasks.conflict.reassigned', { name: current.assignee.display_name })}</>;
  return <>{t('tasks.conflict.changed')}</>;
}

const GROUP_LABELS = {
  overdue: 'tasks.group.overdue',
  today: 'tasks.group.today',
  later: 'tasks.group.later',
} as const;

function TaskGroup({
  group,
  tasks,
  children,
}: {
  group: DueGroup;
  tasks: MyTask[];
  children: (task: MyTask) => ReactNode;
}) {
  const t = useT();
  const id = useId();
  return (
    <section className={`page-section task-group task-group-${group}`} aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {group === 'overdue' && (
          <span className="icon" aria-hidden="true">
            ⚠{' '}
          </span>
        )}
        {t('tasks.groupHeading', { group: t(GROUP_LABELS[group]), count: tasks.length })}
      </h2>
      <ul className="my-task-list">{tasks.map(children)}</ul>
    </section>
  );
}

function TaskItem({
  task,
  overdue,
  now,
  onDone,
  onConflict,
}: {
  task: MyTask;
  overdue: boolean;
  now: Date;
  onDone: (task: MyTask) => void;
  onConflict: (task: MyTask, found: { current: Task; changedBy: UserRef | null }) => void;
}) {
  const t = useT();
  const intl = useIntl();
  const headingId = useId();
  const title = titleOf(task, t);
  const done = useMutation({
    mutationFn: () => updateTask(task.case_id, task.id, task.version, { done: true }),
    onSuccess: () => onDone(task),
    onError: (error) => {
      const found = conflictOf<Task>(error);
      if (found) onConflict(task, found);
    },
  });
  const check = callCheck(task, now);
  return (
    <li className={overdue ? 'my-task my-task-overdue' : 'my-task'} aria-labelledby={headingId}>
      <div className="my-task-head">
        <span className="badge">{codeLabel(t, 'task_kind', task.kind)}</span>
        <h3 id={headingId} className="my-task-title">
          {title}
        </h3>
        <Link href={casePaths.detail(task.case_id)} className="text-link mono">
          {t('tasks.case', { reference: task.case_reference })}
        </Link>
      </div>
      <p className="small-text">
        {overdue && (
          <span className="badge badge-danger my-task-late">
            <span aria-hidden="true">⚠ </span>
            {t('tasks.group.overdue')}
          </span>
        )}
        {task.due_at && (
          <>
            {t('tasks.due', { at: intl.formatDate(new Date(task.due_at), ABSOLUTE_FORMAT) })} (
            <RelativeTime value={task.due_at} />)
          </>
        )}
      </p>
      {check === 'conflict' && (
        <div className="notice notice-warning" role="note">
          <p>
            <span aria-hidden="true">⚠ </span>
            <strong>{t('tasks.call.conflict')}</strong> {planConflictLabel(t, task.plan_conflict ?? '')}
          </p>
          <p className="small-text">{t('cases.tasks.voicemailNo')}</p>
        </div>
      )}
      {(check === 'ok' || check === 'past_due' || check === 'past_due_safe_now') && (
        <p className={check === 'past_due' ? 'notice notice-warning small-text' : 'small-text'}>
          {check === 'past_due' ? (
            <>
              <span aria-hidden="true">⚠ </span>
              {t('tasks.call.pastDue')}
            </>
          ) : (
            <>
              <span aria-hidden="true">✓ </span>
              {check === 'ok' ? t('tasks.call.ok') : t('tasks.call.pastDueSafeNow')}
            </>
          )}{' '}
          {task.voicemail_allowed ? t('cases.tasks.voicemailYes') : t('cases.tasks.voicemailNo')}.
        </p>
      )}
      <div className="item-actions">
        <PendingButton className="button small" isPending={done.isPending} onPress={() => done.mutate()}>
          {t('cases.tasks.markDone', { title })}
        </PendingButton>
      </div>
      <FormError error={isCode(done.error, 'VERSION_CONFLICT') ? null : done.error} />
    </li>
  );
}
