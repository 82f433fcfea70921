import { type FormEvent, type ReactNode, useState } from 'react';
import { Form, Link } from 'react-aria-components';
import { REGIONS } from '../../../shared/wrapup';
import type { MessageId } from '../../i18n/messages';
import { CheckboxField } from '../directory/widgets';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { codeLabel } from './labels';
import { casePaths } from './paths';
import type { CaseSearchParams, CaseSearchResult, CaseSummary } from './types';

export const CASE_STATUS_FILTERS = [
  'open',
  'active',
  'follow_up',
  'closed',
  'closed_referred',
  'any',
] as const;

/** The filters' draft: what the person typed, turned into API parameters on submit. */
export interface SearchDraft {
  q: string;
  reference: string;
  status: string;
  region: string;
  city: string;
  from: string;
  to: string;
  sameContact: boolean;
  mine: boolean;
}

export const emptyDraft = (): SearchDraft => ({
  q: '',
  reference: '',
  status: 'open',
  region: '',
  city: '',
  from: '',
  to: '',
  sameContact: false,
  mine: false,
});

export function draftToParams(draft: SearchDraft, signalId?: string): CaseSearchParams {
  const params: CaseSearchParams = {};
  if (draft.q.trim()) params.q = draft.q.trim();
  if (draft.reference.trim()) params.reference = draft.reference.trim().toUpperCase();
  if (draft.status === 'open') params.status = 'active,follow_up';
  else if (draft.status === 'closed') params.status = 'closed,closed_referred';
  else if (draft.status !== 'any' && draft.status) params.status = draft.status;
  if (draft.region) params.region = draft.region;
  if (draft.city.trim()) params.city = draft.city.trim();
  if (draft.from) params.from = draft.from;
  if (draft.to) params.to = draft.to;
  if (draft.sameContact && signalId) params.same_contact_as = signalId;
  if (draft.mine) params.mine = true;
  return params;
}

export function paramsToDraft(search: URLSearchParams): SearchDraft {
  const draft = emptyDraft();
  draft.q = search.get('q') ?? '';
  draft.reference = search.get('reference') ?? '';
  const status = search.get('status');
  if (status === 'active,follow_up') draft.status = 'open';
  else if (status === 'closed,closed_referred') draft.status = 'closed';
  else if (status) draft.status = status;
  else if (search.toString()) draft.status = 'any';
  draft.region = search.get('region') ?? '';
  draft.city = search.get('city') ?? '';
  draft.from = search.get('from') ?? '';
  draft.to = search.get('to') ?? '';
  draft.mine = search.get('mine') === 'true';
  return draft;
}

/** Reference, keywords, place, dates (and "same contact" from a conversation): the case search form. */
export function CaseSearchForm({
  initial,
  onSearch,
  isPending,
  signalId,
  idPrefix,
  submitLabel,
}: {
  initial: SearchDraft;
  onSearch: (draft: SearchDraft) => void;
  isPending: boolean;
  /** From a conversation: offers "same contact as this conversation". */
  signalId?: string;
  idPrefix: string;
  submitLabel?: string;
}) {
  const t = useT();
  const [draft, setDraft] = useState(initial);
  const set = (change: Partial<SearchDraft>) => setDraft((d) => ({ ...d, ...change }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!isPending) onSearch(draft);
  };
  return (
    <Form onSubmit={submit} className="case-search" aria-label={t('cases.search.label')}>
      <fieldset className="form-section">
        <legend className="form-section-title">{t('cases.search.legend')}</legend>
        <div className="form-grid">
          <TextInputField
            label={t('cases.search.reference')}
            description={t('cases.search.referenceHelp')}
            value={draft.reference}
            onChange={(reference) => set({ reference })}
            maxLength={20}
            name={`${idPrefix}-reference`}
          />
          <TextInputField
            label={t('cases.search.q')}
            description={t('cases.search.qHelp')}
            value={draft.q}
            onChange={(q) => set({ q })}
            maxLength={200}
            type="search"
          />
          <SelectField
            label={t('cases.search.status')}
            options={CASE_STATUS_FILTERS.map((s) => ({
              id: s,
              label: t(`cases.search.status.${s}` as MessageId),
            }))}
            value={draft.status}
            onChange={(status) => set({ status })}
          />
          <SelectField
            label={t('cases.search.region')}
            options={[
              { id: '', label: t('cases.search.anyRegion') },
              ...REGIONS.filter((r) => r !== 'unknown').map((r) => ({
                id: r,
                label: t(`region.${r}` as MessageId),
              })),
            ]}
            value={draft.region}
            onChange={(region) => set({ region })}
          />
          <TextInputField
            label={t('cases.search.city')}
            value={draft.city}
            onChange={(city) => set({ city })}
            maxLength={100}
          />
          <TextInputField
            label={t('cases.search.from')}
            description={t('cases.search.dateHelp')}
            value={draft.from}
            onChange={(from) => set({ from })}
            type="text"
            placeholder="2026-01-31"
            pattern="\d{4}-\d{2}-\d{2}"
          />
          <TextInputField
            label={t('cases.search.to')}
            description={t('cases.search.dateHelp')}
            value={draft.to}
            onChange={(to) => set({ to })}
            type="text"
            placeholder="2026-12-31"
            pattern="\d{4}-\d{2}-\d{2}"
          />
          <div className="field checks-field">
            {signalId && (
              <CheckboxField isSelected={draft.sameContact} onChange={(sameContact) => set({ sameContact })}>
                {t('cases.search.sameContact')}
              </CheckboxField>
            )}
            <CheckboxField isSelected={draft.mine} onChange={(mine) => set({ mine })}>
              {t('cases.search.mine')}
            </CheckboxField>
          </div>
        </div>
        <div className="form-actions">
          <PendingButton type="submit" className="button primary" isPending={isPending}>
            {submitLabel ?? t('cases.search.submit')}
          </PendingButton>
        </div>
      </fieldset>
    </Form>
  );
}

/** Search results: reference, status, title, owner, last activity; `action` adds a button per case. */
export function CaseResults({
  result,
  action,
  onBreakGlass,
}: {
  result: CaseSearchResult;
  action?: (c: CaseSummary) => ReactNode;
  onBreakGlass?: (reference: string) => void;
}) {
  const t = useT();
  return (
    <div className="stack">
      <p role="status" className="status-line">
        {t('cases.search.count', { count: result.items.length })}
      </p>
      {result.restricted && (
        <div className="notice notice-warning">
          <p>
            <span aria-hidden="true">🔒 </span>
            {t('cases.search.restricted', { reference: result.restricted.reference })}
          </p>
          {onBreakGlass && (
            <PendingButton
              className="button"
              isPending={false}
              onPress={() => result.restricted && onBreakGlass(result.restricted.reference)}
            >
              {t('cases.breakGlass.open')}
            </PendingButton>
          )}
        </div>
      )}
      {result.items.length === 0 ? (
        !result.restricted && <EmptyState>{t('cases.search.none')}</EmptyState>
      ) : (
        <ul className="case-list">
          {result.items.map((c) => (
            <li key={c.id} className="case-item">
              <div className="case-item-head">
                <Link href={casePaths.detail(c.id)} className="text-link case-ref">
                  {c.reference}
                </Link>
                <StatusBadge status={c.status} />
                {c.restricted && <RestrictedBadge />}
                {c.involves_minor && <MinorBadge />}
              </div>
              {c.title && <p className="case-title">{c.title}</p>}
              <p className="small-text muted">
                {c.keywords.length > 0 && <span>{c.keywords.join(', ')} · </span>}
                {c.region && <span>{t(`region.${c.region}` as MessageId)} · </span>}
                {t('cases.list.signals', { count: c.signal_count })} ·{' '}
                {t('cases.list.tasks', { count: c.open_task_count })} · {t('cases.list.activity')}{' '}
                <RelativeTime value={c.last_activity_at} />
                {c.owner && <span> · {t('cases.list.owner', { name: c.owner.display_name })}</span>}
              </p>
              {action?.(c)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  const closed = status === 'closed' || status === 'closed_referred';
  return (
    <span className={closed ? 'badge' : 'badge badge-ok'}>
      <span aria-hidden="true">{closed ? '■ ' : '● '}</span>
      {codeLabel(t, 'status', status)}
    </span>
  );
}

export function RestrictedBadge({ team }: { team?: string }) {
  const t = useT();
  return (
    <span className="badge badge-warn">
      <span aria-hidden="true">🔒 </span>
      {team ? t('cases.restrictedTo', { team }) : t('cases.restricted')}
    </span>
  );
}

export function MinorBadge() {
  const t = useT();
  return (
    <span className="badge badge-danger">
      <span aria-hidden="true">! </span>
      {t('cases.minor')}
    </span>
  );
}
