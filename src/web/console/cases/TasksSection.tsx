import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { useIntl } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { errorCode } from '../ui/errors';
import { TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { type Option, SelectField } from '../ui/SelectField';
import { EmptyState, FormError } from '../ui/states';
import { ABSOLUTE_FORMAT } from '../ui/time';
import { AnswerChoice } from './answers';
import { addTask, conflictOf, getScreening, isCode, updateTask } from './api';
import { assigneeOptions, reassignTask, useAssignees } from './assignees';
import { ConflictNotice } from './Conflict';
import { caseKeys } from './caseQuery';
import { CheckedField } from './fields';
import { codeLabel, dayLabel, planConflictLabel } from './labels';
import type { CaseDetail, Task, UserRef } from './types';

const CALLBACK_ERRORS = [
  'CALLBACK_NO_SAFETY_PLAN',
  'CALLBACK_OUTSIDE_SAFE_WINDOW',
  'CALLBACK_NUMBER_NOT_SAFE',
];

/** A date and a time typed in the browser's zone, as an ISO instant; null when either is malformed. */
export function localInstant(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(time)) return null;
  const at = new Date(`${date}T${time}:00`);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

export function TasksSection({ detail, canEdit }: { detail: CaseDetail; canEdit: boolean }) {
  const t = useT();
  const intl = useIntl();
  const { user } = useSignedInSession();
  const open = detail.tasks.filter((task) => !task.done_at);
  const done = detail.tasks.filter((task) => task.done_at);
  // Who a task may go to: "Assign to" on a new task (me by default), and "Reassign" on an open one.
  const assignees = useAssignees(detail.id, detail.restricted_team?.id ?? null, canEdit);
  const options = assigneeOptions(assignees.data?.items, user, t);
  return (
    <section className="case-section" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading" className="section-title">
        {t('cases.tasks.title')}
      </h2>
      {detail.tasks.length === 0 ? (
        <EmptyState>{t('cases.tasks.none')}</EmptyState>
      ) : (
        <ul className="task-list">
          {[...open, ...done].map((task) => (
            <TaskItem
              key={task.id}
              caseId={detail.id}
              task={task}
              canEdit={canEdit}
              formatDate={(v) => intl.formatDate(new Date(v), ABSOLUTE_FORMAT)}
              assignees={options}
              assigneesError={assignees.error}
            />
          ))}
        </ul>
      )}
      {canEdit && (
        <NewTaskForm
          detail={detail}
          me={user.id}
          assignees={options}
          assigneesPending={assignees.isPending}
          assigneesError={assignees.error}
        />
      )}
    </section>
  );
}

function TaskItem({
  caseId,
  task,
  canEdit,
  formatDate,
  assignees,
  assigneesError,
}: {
  caseId: string;
  task: Task;
  canEdit: boolean;
  formatDate: (value: string) => string;
  /** Who this task may be given to (the server's list). */
  assignees: Option[];
  assigneesError: unknown;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [conflict, setConflict] = useState<{ current: Task; by: UserRef | null } | null>(null);
  const name = task.title ?? codeLabel(t, 'task_kind', task.kind);
  // What their save changed, as far as this item shows it.
  const assigneeChanged = conflict !== null && conflict.current.assignee?.id !== task.assignee?.id;
  const [reassigning, setReassigning] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  // Who it went to (a name, not a sentence: the message follows a language switch).
  const [reassignedTo, setReassignedTo] = useState<string | null>(null);
  const reassignButton = useRef<HTMLButtonElement>(null);
  const [focusBack, setFocusBack] = useState(false);
  useEffect(() => {
    if (focusBack && !reassigning) {
      reassignButton.current?.focus();
      setFocusBack(false);
    }
  }, [focusBack, reassigning]);
  const closeReassign = () => {
    setReassigning(false);
    setFocusBack(true);
  };
  const reassign = useMutation({
    mutationFn: (to: string) => reassignTask(caseId, task.id, conflict?.current.version ?? task.version, to),
    onSuccess: (saved) => {
      setConflict(null);
      setReassignedTo(saved.assignee?.display_name ?? '');
      closeReassign();
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
    },
    onError: (error) => {
      const found = conflictOf<Task>(error);
      if (found) setConflict({ current: found.current, by: found.changedBy });
    },
  });
  const toggle = useMutation({
    mutationFn: () =>
      updateTask(caseId, task.id, conflict?.current.version ?? task.version, { done: !task.done_at }),
    onSuccess: () => {
      setConflict(null);
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
    },
    onError: (error) => {
      const found = conflictOf<Task>(error);
      if (found) setConflict({ current: found.current, by: found.changedBy });
    },
  });
  return (
    <li className={task.done_at ? 'task-item task-done' : 'task-item'}>
      <p>
        <span className="badge">{codeLabel(t, 'task_kind', task.kind)}</span>{' '}
        <strong>{task.title ?? codeLabel(t, 'task_kind', task.kind)}</strong>
        {task.done_at && (
          <span className="badge badge-ok task-done-badge">
            <span aria-hidden="true">✓ </span>
            {t('cases.tasks.done')}
          </span>
        )}
      </p>
      <p className="small-text muted">
        {task.due_at && <span>{t('cases.tasks.due', { at: formatDate(task.due_at) })}</span>}
        {task.assignee && <span> · {t('cases.tasks.assignee', { name: task.assignee.display_name })}</span>}
        {task.kind === 'call_back' && (
          <span>
            {' · '}
            {task.voicemail_allowed ? t('cases.tasks.voicemailYes') : t('cases.tasks.voicemailNo')}
          </span>
        )}
      </p>
      {task.plan_conflict && !task.done_at && (
        <p className="notice notice-warning" role="note">
          <strong>{t('cases.tasks.planChanged')}</strong> {planConflictLabel(t, task.plan_conflict)}
        </p>
      )}
      {conflict && (
        <ConflictNotice
          by={conflict.by}
          onReload={() => {
            setConflict(null);
            void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
          }}
        >
          {(!assigneeChanged || Boolean(conflict.current.done_at) !== Boolean(task.done_at)) && (
            <p>{conflict.current.done_at ? t('cases.tasks.theirsDone') : t('cases.tasks.theirsOpen')}</p>
          )}
          {assigneeChanged && (
            <p>
              {conflict.current.assignee
                ? t('cases.tasks.theirsAssignee', { name: conflict.current.assignee.display_name })
                : t('cases.tasks.theirsUnassigned')}
            </p>
          )}
        </ConflictNotice>
      )}
      {canEdit && (
        <div className="form-actions case-actions">
          <PendingButton
            className="button small"
            isPending={toggle.isPending}
            onPress={() => toggle.mutate()}
          >
            {task.done_at
              ? t('cases.tasks.reopen', { title: task.title ?? '' })
              : t('cases.tasks.markDone', { title: task.title ?? '' })}
          </PendingButton>
          {!task.done_at && !reassigning && (
            <Button
              ref={reassignButton}
              className="button small"
              onPress={() => {
                setReassignedTo(null);
                reassign.reset();
                setChoice(
                  assignees.some((o) => o.id === task.assignee?.id) ? (task.assignee?.id ?? null) : null,
                );
                setReassigning(true);
              }}
            >
              {t('cases.tasks.reassign', { title: name })}
            </Button>
          )}
        </div>
      )}
      {canEdit && !task.done_at && reassigning && (
        <fieldset className="form-section">
          <legend className="form-section-title">{t('cases.tasks.reassign', { title: name })}</legend>
          <div className="stack">
            <SelectField
              label={t('cases.tasks.assignTo')}
              options={assignees}
              value={choice}
              onChange={setChoice}
              placeholder={t('cases.answer.choose')}
              autoFocus
            />
            {assigneesError ? <FormError error={assigneesError} /> : null}
            <div className="form-actions">
              <PendingButton
                className="button small primary"
                isPending={reassign.isPending}
                isDisabled={!choice || choice === task.assignee?.id}
                onPress={() => {
                  if (choice) reassign.mutate(choice);
                }}
              >
                {t('cases.tasks.reassignSave')}
              </PendingButton>
              <Button className="button small" onPress={closeReassign}>
                {t('action.cancel')}
              </Button>
            </div>
          </div>
        </fieldset>
      )}
      <FormError error={isCode(toggle.error, 'VERSION_CONFLICT') ? null : toggle.error} />
      <FormError error={isCode(reassign.error, 'VERSION_CONFLICT') ? null : reassign.error} />
      <p role="status" className="status-line">
        {reassignedTo !== null ? t('cases.tasks.reassigned', { name: reassignedTo }) : ''}
      </p>
    </li>
  );
}

function NewTaskForm({
  detail,
  me,
  assignees,
  assigneesPending,
  assigneesError,
}: {
  detail: CaseDetail;
  me: string;
  assignees: Option[];
  assigneesPending: boolean;
  assigneesError: unknown;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<string | null>('task');
  // Me by default; a break-glass reader (not offered) defaults to the case's owner, else the first person offered.
  const fallback = assignees.some((o) => o.id === me)
    ? me
    : (assignees.find((o) => o.id === detail.owner?.id)?.id ?? assignees[0]?.id ?? me);
  const [chosen, setAssignee] = useState<string | null>(null);
  const assignee = chosen ?? fallback;
  const [title, setTitle] = useState('');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [signalId, setSignalId] = useState<string | null>(detail.signals[0]?.id ?? null);
  const [numberRef, setNumberRef] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const callBack = kind === 'call_back';
  const plan = useQuery({
    queryKey: ['cases', 'screening', signalId ?? ''],
    queryFn: () => getScreening(signalId ?? ''),
    enabled: callBack && signalId !== null,
  });
  const safety = plan.data?.safety_plan ?? null;
  const numberOptions = [
    ...(safety?.contact_number_safe === true
      ? [{ id: 'contact', label: t('cases.tasks.numberContact') }]
      : []),
    ...(safety?.safe_numbers ?? []).map((n, i) => ({
      id: `safe:${i}`,
      label: n.label
        ? t('cases.tasks.numberSafeLabel', { label: n.label })
        : t('cases.tasks.numberSafe', { n: i + 1 }),
    })),
  ];
  const mutation = useMutation({
    mutationFn: (dueAt: string) =>
      addTask(detail.id, {
        kind: callBack ? 'call_back' : 'task',
        title: title.trim() || t(callBack ? 'cases.tasks.defaultCallBack' : 'cases.tasks.defaultTask'),
        due_at: dueAt,
        ...(callBack && signalId ? { signal_id: signalId } : {}),
        ...(callBack && numberRef ? { call_number_ref: numberRef } : {}),
        // Mine unless someone else is chosen (the server assigns the creator by default, when they may hold it).
        ...(assignee !== me ? { assignee_id: assignee } : {}),
      }),
    onSuccess: () => {
      setTitle('');
      setAssignee(null);
      setDate('');
      setTime('');
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(detail.id) });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    setSaved(false);
    const dueAt = localInstant(date, time);
    if (!dueAt) {
      setProblem(t('cases.tasks.dueInvalid'));
      return;
    }
    setProblem(null);
    mutation.mutate(dueAt);
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const callBackError = mutation.error && CALLBACK_ERRORS.some((c) => isCode(mutation.error, c));
  return (
    <Form onSubmit={submit} className="stack new-task" aria-labelledby="new-task-heading">
      <h3 id="new-task-heading" className="subsection-title">
        {t('cases.tasks.add')}
      </h3>
      <AnswerChoice
        label={t('cases.tasks.kind')}
        group="task_kind"
        codes={['task', 'call_back']}
        value={kind}
        onChange={setKind}
        allowNotAsked={false}
        markers={false}
        variant="radio"
      />
      <div className="form-grid">
        <TextInputField
          label={t('cases.tasks.taskTitle')}
          value={title}
          onChange={setTitle}
          maxLength={200}
        />
        <CheckedField
          label={t('cases.tasks.dueDate')}
          description={t('cases.tasks.dueDateHelp')}
          value={date}
          onChange={setDate}
          placeholder="2026-12-31"
          isRequired
          error={problem && !/^\d{4}-\d{2}-\d{2}$/.test(date) ? problem : undefined}
        />
        <CheckedField
          label={t('cases.tasks.dueTime')}
          description={t('cases.tasks.dueTimeHelp', { zone })}
          value={time}
          onChange={setTime}
          placeholder="14:30"
          isRequired
          error={problem && !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(time) ? problem : undefined}
        />
      </div>
      <SelectField
        label={t('cases.tasks.assignTo')}
        description={
          assigneesPending
            ? t('cases.tasks.assigneesLoading')
            : assigneesError
              ? t('cases.tasks.assigneesFailed')
              : t('cases.tasks.assignToHelp')
        }
        options={assignees}
        value={assignee}
        onChange={setAssignee}
        isRequired
      />
      {callBack && (
        <fieldset className="form-section">
          <legend className="form-section-title">{t('cases.tasks.callBack')}</legend>
          <div className="stack">
            <SelectField
              label={t('cases.tasks.signal')}
              options={detail.signals.map((s) => ({ id: s.id, label: s.reference }))}
              value={signalId}
              onChange={setSignalId}
              isRequired
            />
            {safety?.safe_times?.length ? (
              <div className="notice">
                <p>
                  <strong>{t('cases.tasks.safeTimes', { zone: safety.time_zone ?? '' })}</strong>
                </p>
                <ul>
                  {safety.safe_times.map((w) => (
                    <li key={`${w.days.join()}-${w.from}-${w.to}`}>
                      {w.days.map((d) => dayLabel(t, d)).join(', ')} · {w.from}–{w.to}
                    </li>
                  ))}
                </ul>
                <p className="small-text">
                  {safety.voicemail_allowed === true
                    ? t('cases.tasks.voicemailYes')
                    : t('cases.tasks.voicemailNo')}
                </p>
              </div>
            ) : plan.isSuccess ? (
              <p className="notice notice-warning">{t('cases.tasks.noPlan')}</p>
            ) : null}
            <SelectField
              label={t('cases.tasks.number')}
              description={t('cases.tasks.numberHelp')}
              options={numberOptions}
              value={numberRef}
              onChange={setNumberRef}
              placeholder={numberOptions.length ? t('cases.answer.choose') : t('cases.tasks.noSafeNumber')}
            />
          </div>
        </fieldset>
      )}
      {callBackError ? (
        <div className="form-error callback-error" role="alert">
          <p>
            <span aria-hidden="true">⚠ </span>
            <strong>{t('cases.tasks.callBackRefused')}</strong>{' '}
            {mutation.error instanceof Error ? mutation.error.message : ''}
          </p>
          <p className="small-text">{t(`cases.tasks.help.${errorCode(mutation.error)}` as MessageId)}</p>
        </div>
      ) : (
        <FormError error={mutation.error} />
      )}
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {callBack ? t('cases.tasks.submitCallBack') : t('cases.tasks.submit')}
        </PendingButton>
      </div>
      <p role="status" className="status-line">
        {saved ? t('cases.tasks.added') : ''}
      </p>
    </Form>
  );
}
