import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { REGIONS } from '../../../shared/wrapup';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useT } from '../locale';
import { CHANNEL_LABELS, labelOf } from '../queue/labels';
import { useSignedInSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { TextAreaField, TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { AnswerChoice } from './answers';
import {
  closeCase,
  conflictOf,
  detachSignal,
  isCode,
  listTeams,
  mergeCase,
  patchCase,
  reopenCase,
  searchCases,
} from './api';
import { BreakGlassDialog } from './BreakGlassDialog';
import { MinorBadge, RestrictedBadge, StatusBadge } from './CaseSearch';
import { ConflictNotice } from './Conflict';
import { caseKeys, useCaseDetail } from './caseQuery';
import { EscalationsSection } from './EscalationsSection';
import { codeLabel } from './labels';
import { PeopleSection } from './PeopleSection';
import { PlacesSection } from './PlacesSection';
import { casePaths } from './paths';
import { ReferralsSection } from './ReferralsSection';
import { TasksSection } from './TasksSection';
import { TimelineSection } from './TimelineSection';
import type { CaseDetail, CasePatch, UserRef } from './types';
import './cases.css';

/** One case: header, contacts, people, places, tasks and call-backs, referrals, escalations, notes and timeline. */
export function CasePage({ caseId }: { caseId: string }) {
  const t = useT();
  const query = useCaseDetail<CaseDetail>(caseId);
  usePageTitle(query.data ? t('cases.detail.title', { reference: query.data.reference }) : t('cases.title'));

  if (query.isPending) return <Loading label={t('cases.detail.loading')} />;
  if (query.isError) return <CaseUnavailable error={query.error} onRetry={() => query.refetch()} />;
  return <CaseView detail={query.data} />;
}

function CaseUnavailable({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const t = useT();
  const restricted = isCode(error, 'CASE_RESTRICTED') && error instanceof ApiError;
  const reference =
    restricted && typeof error.body.reference === 'string' ? (error.body.reference as string) : null;
  const [dialog, setDialog] = useState(restricted && reference !== null);
  if (isCode(error, 'CASE_MERGED') && error instanceof ApiError) {
    const into = error.body.merged_into as { id?: string; reference?: string } | undefined;
    return (
      <div className="page stack">
        <h1 className="page-title">{t('cases.title')}</h1>
        <div className="notice notice-warning" role="alert">
          <p>{error.message}</p>
          {into?.id && (
            <Link href={casePaths.detail(into.id)} className="text-link">
              {t('cases.detail.openMerged', { reference: into.reference ?? '' })}
            </Link>
          )}
        </div>
      </div>
    );
  }
  if (restricted && reference) {
    return (
      <div className="page stack">
        <h1 className="page-title">{t('cases.detail.title', { reference })}</h1>
        <div className="notice notice-warning">
          <p>
            <span aria-hidden="true">🔒 </span>
            {error.message}
          </p>
          <Button className="button" onPress={() => setDialog(true)}>
            {t('cases.breakGlass.open')}
          </Button>
        </div>
        {dialog && <BreakGlassDialog reference={reference} onClose={() => setDialog(false)} />}
      </div>
    );
  }
  return (
    <div className="page stack">
      <h1 className="page-title">{t('cases.title')}</h1>
      <ErrorState error={error} onRetry={onRetry} />
      <Link href={casePaths.list} className="text-link">
        {t('cases.detail.back')}
      </Link>
    </div>
  );
}

type Dialog = 'details' | 'close' | 'merge' | 'reopen' | null;

function CaseView({ detail }: { detail: CaseDetail }) {
  const t = useT();
  const { user } = useSignedInSession();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const open = detail.status === 'active' || detail.status === 'follow_up';
  const canEdit = open && !detail.merged_into;
  const take = useMutation({
    mutationFn: () => patchCase(detail.id, detail.version, { owner_id: user.id }),
    onSuccess: (fresh) => queryClient.setQueryData(caseKeys.detail(detail.id), fresh),
  });
  const status = useMutation({
    mutationFn: (next: 'active' | 'follow_up') => patchCase(detail.id, detail.version, { status: next }),
    onSuccess: (fresh) => queryClient.setQueryData(caseKeys.detail(detail.id), fresh),
  });
  const headConflict = conflictOf<CaseDetail>(take.error) ?? conflictOf<CaseDetail>(status.error);

  // Arriving at #escalations (from the emergency prompt): focus that section once the page is there.
  useEffect(() => {
    if (window.location.hash === '#escalations')
      requestAnimationFrame(() => document.getElementById('escalations')?.focus());
  }, []);

  return (
    <div className="page stack case-page">
      <p>
        <Link href={casePaths.list} className="text-link">
          {t('cases.detail.back')}
        </Link>
      </p>
      <header className="case-header stack-tight">
        <h1 className="page-title">{t('cases.detail.title', { reference: detail.reference })}</h1>
        <p className="case-badges">
          <StatusBadge status={detail.status} />
          {detail.restricted && <RestrictedBadge team={detail.restricted_team?.name} />}
          {detail.involves_minor && <MinorBadge />}
        </p>
        {detail.title && <p className="case-title">{detail.title}</p>}
        <dl className="facts">
          <div>
            <dt>{t('cases.field.owner')}</dt>
            <dd>{detail.owner?.display_name ?? t('cases.field.noOwner')}</dd>
          </div>
          <div>
            <dt>{t('cases.field.region')}</dt>
            <dd>{detail.region ? t(`region.${detail.region}` as MessageId) : t('cases.answer.notAsked')}</dd>
          </div>
          <div>
            <dt>{t('cases.field.keywords')}</dt>
            <dd>{detail.keywords.length ? detail.keywords.join(', ') : '—'}</dd>
          </div>
          <div>
            <dt>{t('cases.field.created')}</dt>
            <dd>
              <RelativeTime value={detail.created_at} />
            </dd>
          </div>
          {detail.closed_at && (
            <div>
              <dt>{t('cases.field.closed')}</dt>
              <dd>
                <RelativeTime value={detail.closed_at} />
                {detail.close_reason && ` · ${codeLabel(t, 'close_reason', detail.close_reason)}`}
              </dd>
            </div>
          )}
        </dl>
        {detail.access.via === 'break_glass' && (
          <p className="notice notice-warning">
            <span aria-hidden="true">🔓 </span>
            {t('cases.detail.breakGlassAccess')}{' '}
            {detail.access.expires_at && <RelativeTime value={detail.access.expires_at} />}
          </p>
        )}
        {detail.merged_into && (
          <p className="notice notice-warning">
            {t('cases.detail.mergedInto')}{' '}
            <Link href={casePaths.detail(detail.merged_into.id)} className="text-link">
              {detail.merged_into.reference}
            </Link>
          </p>
        )}
        {detail.pending_protocols.length > 0 && (
          <div className="notice notice-warning" role="note">
            <p>
              <span aria-hidden="true">! </span>
              <strong>{t('cases.detail.protocolPending')}</strong>{' '}
              {detail.pending_protocols.map((p) => codeLabel(t, 'escalation_kind', p.kind)).join(', ')}
            </p>
          </div>
        )}
        {detail.protocol_waiver && (
          <div className="notice">
            <p>
              <strong>{t('cases.close.waiverShown')}</strong>
            </p>
            <p className="note-body">{detail.protocol_waiver}</p>
          </div>
        )}
        {headConflict && (
          <ConflictNotice
            by={headConflict.changedBy}
            onReload={() => {
              take.reset();
              status.reset();
              queryClient.setQueryData(caseKeys.detail(detail.id), headConflict.current);
            }}
          >
            <CaseConflictDetails mine={detail} theirs={headConflict.current} />
          </ConflictNotice>
        )}
        <FormError error={headConflict ? null : (take.error ?? status.error)} />
        <div className="form-actions case-actions">
          {canEdit && (
            <Button className="button" onPress={() => setDialog('details')}>
              {t('cases.detail.edit')}
            </Button>
          )}
          {canEdit && detail.owner?.id !== user.id && detail.access.via !== 'break_glass' && (
            <PendingButton className="button" isPending={take.isPending} onPress={() => take.mutate()}>
              {t('cases.detail.take')}
            </PendingButton>
          )}
          {canEdit && (
            <PendingButton
              className="button"
              isPending={status.isPending}
              onPress={() => status.mutate(detail.status === 'active' ? 'follow_up' : 'active')}
            >
              {detail.status === 'active' ? t('cases.detail.toFollowUp') : t('cases.detail.toActive')}
            </PendingButton>
          )}
          {canEdit && (
            <Button className="button" onPress={() => setDialog('merge')}>
              {t('cases.merge.open')}
            </Button>
          )}
          {canEdit && (
            <Button className="button danger-outline" onPress={() => setDialog('close')}>
              {t('cases.close.open')}
            </Button>
          )}
          {!open && !detail.merged_into && (
            <Button className="button" onPress={() => setDialog('reopen')}>
              {t('cases.reopen.open')}
            </Button>
          )}
        </div>
      </header>

      <SignalsSection detail={detail} canEdit={canEdit} />
      <PeopleSection detail={detail} canEdit={canEdit} />
      <PlacesSection detail={detail} canEdit={canEdit} />
      <TasksSection detail={detail} canEdit={canEdit} />
      <div className="case-section">
        <ReferralsSection caseId={detail.id} />
      </div>
      <div id="escalations" className="case-section" tabIndex={-1}>
        <EscalationsSection caseId={detail.id} />
      </div>
      <TimelineSection key={detail.version} detail={detail} canEdit={canEdit} />

      {dialog === 'details' && <DetailsDialog detail={detail} onClose={() => setDialog(null)} />}
      {dialog === 'close' && <CloseDialog detail={detail} onClose={() => setDialog(null)} />}
      {dialog === 'merge' && <MergeDialog detail={detail} onClose={() => setDialog(null)} />}
      {dialog === 'reopen' && <ReopenDialog detail={detail} onClose={() => setDialog(null)} />}
    </div>
  );
}

function SignalsSection({ detail, canEdit }: { detail: CaseDetail; canEdit: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [detaching, setDetaching] = useState<{ id: string; reference: string } | null>(null);
  const detach = useMutation({
    mutationFn: (signalId: string) => detachSignal(detail.id, signalId),
    onSuccess: (fresh) => {
      queryClient.setQueryData(caseKeys.detail(detail.id), fresh);
      void queryClient.invalidateQueries({ queryKey: [...caseKeys.all, 'signal'] });
      setDetaching(null);
    },
  });
  return (
    <section className="case-section" aria-labelledby="signals-heading">
      <h2 id="signals-heading" className="section-title">
        {t('cases.signals.title')}
      </h2>
      {detail.signals.length === 0 ? (
        <EmptyState>{t('cases.signals.none')}</EmptyState>
      ) : (
        <ul className="signal-list">
          {detail.signals.map((s) => (
            <li key={s.id} className="signal-item">
              <span>
                <strong className="mono">{s.reference}</strong> · {labelOf(CHANNEL_LABELS, s.channel, t)} ·{' '}
                <RelativeTime value={s.arrived_at} />
                {' · '}
                {t('cases.signals.safety', { value: codeLabel(t, 'safety', s.safety) })}
                {' · '}
                {t('cases.signals.classification', {
                  value: codeLabel(t, 'classification', s.classification),
                })}
              </span>
              {canEdit && (
                <Button
                  className="button small"
                  onPress={() => setDetaching({ id: s.id, reference: s.reference })}
                >
                  {t('cases.signals.detach', { reference: s.reference })}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {detaching && (
        <ModalDialog
          isOpen
          onOpenChange={(o) => !o && setDetaching(null)}
          title={t('cases.signals.detachTitle', { reference: detaching.reference })}
          role="alertdialog"
        >
          <div className="stack">
            <p>{t('cases.signals.detachBody')}</p>
            <FormError error={detach.error} />
            <div className="dialog-actions">
              <Button className="button" onPress={() => setDetaching(null)} autoFocus>
                {t('action.cancel')}
              </Button>
              <PendingButton
                className="button danger"
                isPending={detach.isPending}
                onPress={() => detach.mutate(detaching.id)}
              >
                {t('cases.signals.detachSubmit')}
              </PendingButton>
            </div>
          </div>
        </ModalDialog>
      )}
    </section>
  );
}

/** What differs in the other person's version of the case (title, status, owner, region, keywords, restriction). */
function CaseConflictDetails({ mine, theirs }: { mine: CaseDetail; theirs: CaseDetail }) {
  const t = useT();
  const rows: [string, string][] = [];
  if (mine.title !== theirs.title) rows.push([t('cases.field.title'), theirs.title ?? '—']);
  if (mine.status !== theirs.status)
    rows.push([t('cases.field.status'), codeLabel(t, 'status', theirs.status)]);
  if (mine.owner?.id !== theirs.owner?.id)
    rows.push([t('cases.field.owner'), theirs.owner?.display_name ?? t('cases.field.noOwner')]);
  if (mine.region !== theirs.region)
    rows.push([t('cases.field.region'), theirs.region ? t(`region.${theirs.region}` as MessageId) : '—']);
  if (mine.keywords.join() !== theirs.keywords.join())
    rows.push([t('cases.field.keywords'), theirs.keywords.join(', ') || '—']);
  if (mine.restricted_team?.id !== theirs.restricted_team?.id)
    rows.push([t('cases.field.restriction'), theirs.restricted_team?.name ?? t('cases.field.notRestricted')]);
  if (rows.length === 0) return <p>{t('cases.conflict.sameFields')}</p>;
  return (
    <dl className="conflict-list">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{t('cases.conflict.theirs', { value })}</dd>
        </div>
      ))}
    </dl>
  );
}

function useVersionedSave<TBody>(
  detail: CaseDetail,
  run: (version: number, body: TBody) => Promise<CaseDetail>,
  onDone: () => void,
) {
  const queryClient = useQueryClient();
  const [version, setVersion] = useState(detail.version);
  const [conflict, setConflict] = useState<{ current: CaseDetail; by: UserRef | null } | null>(null);
  const mutation = useMutation({
    mutationFn: (body: TBody) => run(version, body),
    onSuccess: (fresh) => {
      queryClient.setQueryData(caseKeys.detail(detail.id), fresh);
      void queryClient.invalidateQueries({ queryKey: ['cases', 'search'] });
      onDone();
    },
    onError: (error) => {
      const found = conflictOf<CaseDetail>(error);
      if (found) {
        setConflict({ current: found.current, by: found.changedBy });
        setVersion(found.current.version);
      }
    },
  });
  const reload = () => {
    if (conflict) queryClient.setQueryData(caseKeys.detail(detail.id), conflict.current);
    setConflict(null);
    mutation.reset();
  };
  return { mutation, conflict, reload };
}

function DetailsDialog({ detail, onClose }: { detail: CaseDetail; onClose: () => void }) {
  const t = useT();
  const [title, setTitle] = useState(detail.title ?? '');
  const [keywords, setKeywords] = useState(detail.keywords.join(', '));
  const [region, setRegion] = useState(detail.region ?? '');
  const [team, setTeam] = useState(detail.restricted_team?.id ?? '');
  const teams = useQuery({ queryKey: ['cases', 'teams'], queryFn: listTeams });
  const { mutation, conflict, reload } = useVersionedSave<CasePatch>(
    detail,
    (version, body) => patchCase(detail.id, version, body),
    onClose,
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate({
      title: title.trim() || null,
      keywords: keywords
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
      region: region || null,
      restricted_team_id: team || null,
    });
  };
  const teamOptions = [
    { id: '', label: t('cases.field.notRestricted') },
    ...(teams.data?.items ?? [])
      .filter((x) => x.member || x.id === detail.restricted_team?.id)
      .map((x) => ({ id: x.id, label: x.name })),
  ];
  return (
    <ModalDialog isOpen onOpenChange={(o) => !o && onClose()} title={t('cases.detail.editTitle')}>
      <Form onSubmit={submit} className="stack">
        {conflict && (
          <ConflictNotice
            by={conflict.by}
            onReload={() => {
              setTitle(conflict.current.title ?? '');
              setKeywords(conflict.current.keywords.join(', '));
              setRegion(conflict.current.region ?? '');
              setTeam(conflict.current.restricted_team?.id ?? '');
              reload();
            }}
          >
            <CaseConflictDetails mine={detail} theirs={conflict.current} />
            <p className="small-text">{t('cases.conflict.orSave')}</p>
          </ConflictNotice>
        )}
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
        <SelectField
          label={t('cases.field.region')}
          options={[
            { id: '', label: t('cases.answer.notAsked') },
            ...REGIONS.map((r) => ({ id: r, label: t(`region.${r}` as MessageId) })),
          ]}
          value={region}
          onChange={setRegion}
        />
        <SelectField
          label={t('cases.field.restriction')}
          description={t('cases.field.restrictionHelp')}
          options={teamOptions}
          value={team}
          onChange={setTeam}
        />
        <FormError error={isCode(mutation.error, 'VERSION_CONFLICT') ? null : mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {conflict ? t('cases.conflict.saveMine') : t('cases.detail.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

function CloseDialog({ detail, onClose }: { detail: CaseDetail; onClose: () => void }) {
  const t = useT();
  const [reason, setReason] = useState<string | null>(null);
  const [waiver, setWaiver] = useState('');
  const [needsWaiver, setNeedsWaiver] = useState(detail.pending_protocols.length > 0);
  const [missing, setMissing] = useState<string | null>(null);
  const { mutation, conflict, reload } = useVersionedSave<{ reason: string; protocol_waiver?: string }>(
    detail,
    (version, body) => closeCase(detail.id, version, body),
    onClose,
  );
  useEffect(() => {
    if (isCode(mutation.error, 'CASE_PROTOCOL_PENDING')) setNeedsWaiver(true);
  }, [mutation.error]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!reason) {
      setMissing(t('cases.close.reasonMissing'));
      return;
    }
    if (isCode(mutation.error, 'CASE_PROTOCOL_PENDING') && !waiver.trim()) {
      setMissing(t('cases.close.waiverMissing'));
      return;
    }
    setMissing(null);
    mutation.mutate({ reason, ...(waiver.trim() ? { protocol_waiver: waiver.trim() } : {}) });
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(o) => !o && onClose()}
      title={t('cases.close.title', { reference: detail.reference })}
      role="alertdialog"
    >
      <Form onSubmit={submit} className="stack">
        {conflict && (
          <ConflictNotice by={conflict.by} onReload={reload}>
            <CaseConflictDetails mine={detail} theirs={conflict.current} />
          </ConflictNotice>
        )}
        <p>{t('cases.close.body')}</p>
        <AnswerChoice
          label={t('cases.close.reason')}
          group="close_reason"
          value={reason}
          onChange={setReason}
          allowNotAsked={false}
          markers={false}
          variant="radio"
        />
        {needsWaiver && (
          <div className="stack">
            <div
              className="notice notice-warning"
              role={isCode(mutation.error, 'CASE_PROTOCOL_PENDING') ? 'alert' : undefined}
            >
              <p>
                <span aria-hidden="true">! </span>
                {isCode(mutation.error, 'CASE_PROTOCOL_PENDING')
                  ? mutation.error.message
                  : t('cases.close.protocolWarning')}
              </p>
            </div>
            <TextAreaField
              label={t('cases.close.waiver')}
              description={t('cases.close.waiverHelp')}
              value={waiver}
              onChange={setWaiver}
              maxLength={2000}
            />
          </div>
        )}
        <div role="alert" className={missing ? 'form-error' : 'form-error-slot'}>
          {missing}
        </div>
        <FormError
          error={
            isCode(mutation.error, 'VERSION_CONFLICT') || isCode(mutation.error, 'CASE_PROTOCOL_PENDING')
              ? null
              : mutation.error
          }
        />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button danger" isPending={mutation.isPending}>
            {t('cases.close.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

function ReopenDialog({ detail, onClose }: { detail: CaseDetail; onClose: () => void }) {
  const t = useT();
  const { mutation, conflict, reload } = useVersionedSave<null>(
    detail,
    (version) => reopenCase(detail.id, version),
    onClose,
  );
  return (
    <ModalDialog
      isOpen
      onOpenChange={(o) => !o && onClose()}
      title={t('cases.reopen.title', { reference: detail.reference })}
      role="alertdialog"
    >
      <div className="stack">
        {conflict && <ConflictNotice by={conflict.by} onReload={reload} />}
        <p>{t('cases.reopen.body')}</p>
        <FormError error={isCode(mutation.error, 'VERSION_CONFLICT') ? null : mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose} autoFocus>
            {t('action.cancel')}
          </Button>
          <PendingButton
            className="button primary"
            isPending={mutation.isPending}
            onPress={() => mutation.mutate(null)}
          >
            {t('cases.reopen.submit')}
          </PendingButton>
        </div>
      </div>
    </ModalDialog>
  );
}

function MergeDialog({ detail, onClose }: { detail: CaseDetail; onClose: () => void }) {
  const t = useT();
  const [reference, setReference] = useState('');
  const [found, setFound] = useState<{ id: string; reference: string; title: string | null } | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const lookup = useMutation({
    mutationFn: () => searchCases({ reference: reference.trim().toUpperCase(), status: 'active,follow_up' }),
    onSuccess: (result) => {
      const match = result.items.find((c) => c.id !== detail.id);
      setFound(match ? { id: match.id, reference: match.reference, title: match.title } : null);
      setLookupError(match ? null : t('cases.merge.notFound'));
    },
  });
  const { mutation, conflict, reload } = useVersionedSave<string>(
    detail,
    (version, fromId) => mergeCase(detail.id, version, fromId),
    onClose,
  );
  const submitLookup = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!lookup.isPending && reference.trim()) lookup.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(o) => !o && onClose()}
      title={t('cases.merge.title', { reference: detail.reference })}
    >
      <div className="stack">
        {conflict && <ConflictNotice by={conflict.by} onReload={reload} />}
        <p>{t('cases.merge.body', { reference: detail.reference })}</p>
        <Form onSubmit={submitLookup} className="stack">
          <TextInputField
            label={t('cases.merge.from')}
            description={t('cases.search.referenceHelp')}
            value={reference}
            onChange={(v) => {
              setReference(v);
              setFound(null);
            }}
            maxLength={20}
            isRequired
          />
          <div className="form-actions">
            <PendingButton type="submit" className="button" isPending={lookup.isPending}>
              {t('cases.merge.find')}
            </PendingButton>
          </div>
        </Form>
        <div role="status" className="status-line">
          {lookupError}
        </div>
        <FormError error={lookup.error} />
        {found && (
          <div className="notice" role="note">
            <p>{t('cases.merge.confirm', { from: found.reference, into: detail.reference })}</p>
            {found.title && <p className="case-title">{found.title}</p>}
          </div>
        )}
        <FormError error={isCode(mutation.error, 'VERSION_CONFLICT') ? null : mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton
            className="button danger"
            isPending={mutation.isPending}
            isDisabled={!found}
            onPress={() => found && mutation.mutate(found.id)}
          >
            {t('cases.merge.submit')}
          </PendingButton>
        </div>
      </div>
    </ModalDialog>
  );
}
