import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Form } from 'react-aria-components';
import { useT } from '../locale';
import { TextAreaField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, FormError } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { addNote, getTimeline } from './api';
import { caseKeys } from './caseQuery';
import { codeLabel, timelineLabel } from './labels';
import type { CaseDetail, TimelineEntry } from './types';

/**
 * Notes (append-only, plain text: whatever was typed is shown as typed, never as markup) and the case's
 * timeline, newest first, with older entries on request.
 */
export function TimelineSection({ detail, canEdit }: { detail: CaseDetail; canEdit: boolean }) {
  const t = useT();
  const [older, setOlder] = useState<TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(detail.timeline.next_cursor);
  const more = useMutation({
    mutationFn: () => getTimeline(detail.id, cursor ?? ''),
    onSuccess: (page) => {
      setOlder((o) => [...o, ...page.items]);
      setCursor(page.next_cursor);
    },
  });
  const items = [
    ...detail.timeline.items,
    ...older.filter((o) => !detail.timeline.items.some((i) => i.id === o.id)),
  ];
  return (
    <section className="case-section" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading" className="section-title">
        {t('cases.timeline.title')}
      </h2>
      {canEdit && <NoteForm caseId={detail.id} />}
      {items.length === 0 ? (
        <EmptyState>{t('cases.timeline.none')}</EmptyState>
      ) : (
        <ol className="timeline">
          {items.map((entry) => (
            <li key={entry.id} className={entry.note ? 'timeline-item timeline-note' : 'timeline-item'}>
              <p className="timeline-head">
                <strong>{timelineLabel(t, entry.type)}</strong>
                {detailOf(t, entry) && <span> · {detailOf(t, entry)}</span>}
                {' · '}
                {entry.user ? entry.user.display_name : t('cases.timeline.system')}
                {' · '}
                <RelativeTime value={entry.at} />
              </p>
              {entry.note && <p className="note-body">{entry.note.body}</p>}
            </li>
          ))}
        </ol>
      )}
      {cursor && (
        <PendingButton className="button" isPending={more.isPending} onPress={() => more.mutate()}>
          {t('cases.timeline.more')}
        </PendingButton>
      )}
      <FormError error={more.error} />
    </section>
  );
}

type T = Parameters<typeof codeLabel>[0];

/** A short, coded detail of an entry (its data holds ids and codes only). */
export function detailOf(t: T, entry: TimelineEntry): string | null {
  const data = entry.data ?? {};
  const pick = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  if (entry.type === 'closed' && pick('reason')) return codeLabel(t, 'close_reason', pick('reason'));
  if (entry.type === 'break_glass' && pick('reason')) return codeLabel(t, 'break_glass', pick('reason'));
  if ((entry.type === 'person_added' || entry.type === 'person_updated') && pick('role'))
    return codeLabel(t, 'role', pick('role'));
  if (entry.type === 'task_added' && pick('kind')) return codeLabel(t, 'task_kind', pick('kind'));
  if (entry.type === 'referral_status' && pick('status'))
    return codeLabel(t, 'referral_status', pick('status'));
  // What a restriction (or a merge into a restricted case) handed over to the person who made it.
  const tasks = typeof data.tasks_handed_over === 'number' ? data.tasks_handed_over : 0;
  const owner = data.owner_handed_over === true;
  const handedOver =
    tasks > 0 || owner ? t('cases.timeline.handedOver', { tasks, owner: owner ? 'yes' : 'no' }) : null;
  if ((entry.type === 'merged_from' || entry.type === 'merged_into') && pick('reference'))
    return [pick('reference'), handedOver].filter(Boolean).join(' · ');
  if (entry.type === 'signal_attached' && pick('reference')) return pick('reference');
  if (entry.type === 'restricted') return handedOver;
  return null;
}

function NoteForm({ caseId }: { caseId: string }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const [saved, setSaved] = useState('');
  const mutation = useMutation({
    mutationFn: () => addNote(caseId, body),
    onSuccess: () => {
      setBody('');
      setSaved(t('cases.notes.added'));
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending || !body.trim()) return;
    setSaved('');
    mutation.mutate();
  };
  return (
    <Form onSubmit={submit} className="stack note-form">
      <TextAreaField
        label={t('cases.notes.label')}
        description={t('cases.notes.help')}
        value={body}
        onChange={setBody}
        maxLength={10_000}
        isRequired
      />
      <FormError error={mutation.error} />
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('cases.notes.submit')}
        </PendingButton>
      </div>
      <p role="status" className="status-line">
        {saved}
      </p>
    </Form>
  );
}
