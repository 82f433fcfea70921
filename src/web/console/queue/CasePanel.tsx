import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { attachSignal, createCase, getSignalCase, isCode, searchCases } from '../cases/api';
import { BreakGlassDialog } from '../cases/BreakGlassDialog';
import {
  CaseResults,
  CaseSearchForm,
  draftToParams,
  emptyDraft,
  MinorBadge,
  RestrictedBadge,
  type SearchDraft,
  StatusBadge,
} from '../cases/CaseSearch';
import { caseKeys } from '../cases/caseQuery';
import { casePaths } from '../cases/paths';
import type { CaseSummary } from '../cases/types';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { ErrorState, FormError, Loading } from '../ui/states';
import { ScreeningPanel, signalCaseKey } from './ScreeningPanel';
import '../cases/cases.css';

/** Screening and case beside the conversation (mounted by ConversationPanel). */
export function ConversationCasework({ signalId }: { signalId: string }) {
  const signalCase = useQuery({ queryKey: signalCaseKey(signalId), queryFn: () => getSignalCase(signalId) });
  return (
    <div className="casework">
      <ScreeningPanel signalId={signalId} caseId={signalCase.data?.case?.id ?? null} />
      <CasePanel signalId={signalId} />
    </div>
  );
}

/**
 * The case this conversation belongs to: shown with a link, or created from it, or attached to an existing case
 * found by reference, keywords, place, dates, or "same contact as this conversation" (the server compares the
 * contact hashes; no number is ever shown or sent).
 */
export function CasePanel({ signalId }: { signalId: string }) {
  const t = useT();
  const headingId = useId();
  const query = useQuery({ queryKey: signalCaseKey(signalId), queryFn: () => getSignalCase(signalId) });
  return (
    <section className="case-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="queue-panel-title">
        {t('cases.panel.title')}
      </h3>
      {query.isPending ? (
        <Loading label={t('cases.panel.loading')} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => query.refetch()} />
      ) : query.data.case ? (
        <LinkedCase summary={query.data.case} />
      ) : (
        <NoCase signalId={signalId} />
      )}
    </section>
  );
}

function LinkedCase({ summary }: { summary: CaseSummary }) {
  const t = useT();
  return (
    <div className="stack-tight">
      <p className="case-item-head">
        <Link href={casePaths.detail(summary.id)} className="text-link case-ref">
          {t('cases.panel.open', { reference: summary.reference })}
        </Link>
        <StatusBadge status={summary.status} />
        {summary.restricted && <RestrictedBadge />}
        {summary.involves_minor && <MinorBadge />}
      </p>
      {summary.title && <p className="case-title">{summary.title}</p>}
    </div>
  );
}

function NoCase({ signalId }: { signalId: string }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'none' | 'create' | 'attach'>('none');
  const [title, setTitle] = useState('');
  const [keywords, setKeywords] = useState('');
  const [params, setParams] = useState<SearchDraft | null>(null);
  const [breakGlass, setBreakGlass] = useState<string | null>(null);

  const linked = async () => {
    await queryClient.invalidateQueries({ queryKey: signalCaseKey(signalId) });
    void queryClient.invalidateQueries({ queryKey: caseKeys.all });
  };
  const create = useMutation({
    mutationFn: () =>
      createCase({
        signal_id: signalId,
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(keywords.trim()
          ? {
              keywords: keywords
                .split(',')
                .map((k) => k.trim())
                .filter(Boolean),
            }
          : {}),
      }),
    onSuccess: linked,
  });
  const attach = useMutation({
    mutationFn: (caseId: string) => attachSignal(caseId, signalId),
    onSuccess: linked,
  });
  const search = useQuery({
    queryKey: [...caseKeys.all, 'attach-search', signalId, params],
    queryFn: () => searchCases(draftToParams(params ?? emptyDraft(), signalId)),
    enabled: params !== null,
  });

  const submitCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!create.isPending) create.mutate();
  };

  return (
    <div className="stack">
      <p className="muted">{t('cases.panel.none')}</p>
      <div className="form-actions">
        <Button className="button" onPress={() => setMode('create')} aria-expanded={mode === 'create'}>
          {t('cases.panel.create')}
        </Button>
        <Button className="button" onPress={() => setMode('attach')} aria-expanded={mode === 'attach'}>
          {t('cases.panel.attach')}
        </Button>
      </div>
      {mode === 'create' && (
        <Form onSubmit={submitCreate} className="stack" aria-label={t('cases.panel.create')}>
          <TextInputField
            label={t('cases.field.title')}
            description={t('cases.field.titleHelp')}
            value={title}
            onChange={setTitle}
            maxLength={200}
          />
          <TextInputField
            label={t('cases.field.keywords')}
            description={t('cases.field.keywordsHelp')}
            value={keywords}
            onChange={setKeywords}
            maxLength={500}
          />
          <FormError error={create.error} />
          <div className="form-actions">
            <PendingButton type="submit" className="button primary" isPending={create.isPending}>
              {t('cases.panel.createSubmit')}
            </PendingButton>
          </div>
        </Form>
      )}
      {mode === 'attach' && (
        <div className="stack">
          <CaseSearchForm
            initial={{ ...emptyDraft(), sameContact: true }}
            onSearch={setParams}
            isPending={search.isFetching}
            signalId={signalId}
            idPrefix={`attach-${signalId}`}
          />
          {search.isError && <ErrorState error={search.error} onRetry={() => search.refetch()} />}
          {search.data && (
            <CaseResults
              result={search.data}
              onBreakGlass={setBreakGlass}
              action={(c) => (
                <PendingButton
                  className="button small"
                  isPending={attach.isPending && attach.variables === c.id}
                  onPress={() => attach.mutate(c.id)}
                >
                  {t('cases.panel.attachTo', { reference: c.reference })}
                </PendingButton>
              )}
            />
          )}
          <FormError error={attach.error} />
          {isCode(attach.error, 'SIGNAL_ALREADY_IN_CASE') && (
            <Button className="button small" onPress={() => void linked()}>
              {t('cases.panel.refresh')}
            </Button>
          )}
        </div>
      )}
      {breakGlass && <BreakGlassDialog reference={breakGlass} onClose={() => setBreakGlass(null)} />}
    </div>
  );
}
