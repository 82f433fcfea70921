import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Button, Form, Label, Radio, RadioGroup } from 'react-aria-components';
import { AGE_BANDS, GENDERS } from '../../../shared/cases';
import type { MessageId } from '../../i18n/messages';
import { labelFor, NEED_LABELS, REFERRAL_STATUS_LABELS } from '../cases/referrals.labels';
import { isConflict, isStale, StatusChip } from '../cases/referrals.shared';
import { languageName } from '../directory/format';
import { useLocale, useT } from '../locale';
import { usePageTitle } from '../shell/usePageTitle';
import { TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import {
  listPartnerReferrals,
  type PartnerReferral,
  partnerReferralKeys,
  recordPartnerOutcome,
  respondToReferral,
} from './partnerReferrals.api';
import { safeTimesText } from './partnerReferrals.model';
import '../cases/referrals.css';

const FILTERS = ['', 'sent', 'accepted', 'service_received', 'could_not_reach', 'declined'] as const;
const NOTE_MAX = 2000;

const GENDER_LABELS = Object.fromEntries(
  [...GENDERS, 'declined', 'unknown'].map((g) => [g, `partnerReferrals.gender.${g}`]),
) as Record<string, MessageId>;
const AGE_BAND_LABELS = Object.fromEntries(
  [...AGE_BANDS, 'declined', 'unknown'].map((a) => [a, `partnerReferrals.ageBand.${a}`]),
) as Record<string, MessageId>;

type Action = { kind: 'respond' | 'outcome'; referral: PartnerReferral; initial: string };

/** The partner's page: referrals addressed to their organization, with only what the person agreed to share. */
export function PartnerReferralsPage() {
  const t = useT();
  usePageTitle(t('partnerReferrals.title'));
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string>('');
  const [action, setAction] = useState<Action | null>(null);
  const [message, setMessage] = useState('');
  const [conflict, setConflict] = useState(false);
  const conflictRef = useRef<HTMLDivElement>(null);
  const list = useQuery({
    queryKey: partnerReferralKeys.list(status),
    queryFn: () => listPartnerReferrals(status),
  });

  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: partnerReferralKeys.all });
  const done = (text: string) => {
    setAction(null);
    setConflict(false);
    setMessage(text);
    void refresh();
  };
  const failed = (error: unknown) => {
    if (isConflict(error)) {
      setAction(null);
      setMessage('');
      setConflict(true);
    }
    if (isStale(error)) void refresh();
  };
  const items = list.data?.items ?? [];

  return (
    <div className="page stack case-flow partner-referrals">
      <div className="page-head">
        <h1 className="page-title">{t('partnerReferrals.title')}</h1>
      </div>
      <p className="muted">{t('partnerReferrals.intro')}</p>
      <div className="filter-row">
        <SelectField
          label={t('partnerReferrals.filter')}
          options={FILTERS.map((f) => ({
            id: f,
            label: f ? labelFor(REFERRAL_STATUS_LABELS, f, t) : t('partnerReferrals.filter.all'),
          }))}
          value={status}
          onChange={setStatus}
        />
      </div>
      <p role="status" className="status-line">
        {message}
      </p>
      {conflict && (
        <div className="notice notice-warning" role="alert" tabIndex={-1} ref={conflictRef}>
          <strong>{t('partnerReferrals.conflict.title')}</strong> {t('partnerReferrals.conflict.body')}
        </div>
      )}
      {list.isPending && <Loading label={t('partnerReferrals.loading')} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && items.length === 0 && (
        <EmptyState>
          <p>{t('partnerReferrals.empty')}</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="referral-list">
          {items.map((r) => (
            <PartnerReferralItem key={r.id} referral={r} onAction={setAction} />
          ))}
        </ul>
      )}
      {action && (
        <PartnerActionDialog
          key={`${action.kind}:${action.referral.id}`}
          action={action}
          onClose={() => setAction(null)}
          onDone={(r) =>
            done(t('partnerReferrals.done', { status: labelFor(REFERRAL_STATUS_LABELS, r.status, t) }))
          }
          onError={failed}
        />
      )}
    </div>
  );
}

function PartnerReferralItem({
  referral,
  onAction,
}: {
  referral: PartnerReferral;
  onAction: (action: Action) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const headingId = useId();
  const s = referral.shared ?? {};
  const rows: { label: string; value: string }[] = [];
  if (s.first_name) rows.push({ label: t('referrals.share.first_name'), value: s.first_name });
  if (s.contact) rows.push({ label: t('referrals.share.contact'), value: s.contact });
  if (s.language)
    rows.push({ label: t('referrals.share.language'), value: languageName(s.language, locale) });
  if (s.age_band)
    rows.push({ label: t('referrals.share.age_band'), value: labelFor(AGE_BAND_LABELS, s.age_band, t) });
  if (s.gender)
    rows.push({ label: t('referrals.share.gender'), value: labelFor(GENDER_LABELS, s.gender, t) });
  // The server shares the need's code here; a free text (older or future servers) is shown as written.
  if (s.need_details)
    rows.push({ label: t('referrals.share.need_details'), value: labelFor(NEED_LABELS, s.need_details, t) });
  const times = safeTimesText(s.safe_times, locale, t('partnerReferrals.everyDay'));
  if (times) rows.push({ label: t('referrals.share.safe_times'), value: times });

  return (
    <li className="referral-item" aria-labelledby={headingId}>
      <div className="item-head">
        <h2 id={headingId} className="item-title">
          {labelFor(NEED_LABELS, referral.need, t)}
        </h2>
        <StatusChip status={referral.status} labels={REFERRAL_STATUS_LABELS} />
      </div>
      <dl className="facts item-facts">
        {referral.sent_at && (
          <div>
            <dt>{t('partnerReferrals.sent')}</dt>
            <dd>
              <RelativeTime value={referral.sent_at} />
            </dd>
          </div>
        )}
        {rows.map((row) => (
          <div key={row.label}>
            <dt>{row.label}</dt>
            <dd className="pre-wrap">{row.value}</dd>
          </div>
        ))}
        {rows.length === 0 && (
          <div>
            <dt>{t('partnerReferrals.shared')}</dt>
            <dd>{t('partnerReferrals.nothingShared')}</dd>
          </div>
        )}
      </dl>
      <div className="item-actions">
        {referral.status === 'sent' && (
          <>
            <Button
              className="button primary"
              onPress={() => onAction({ kind: 'respond', referral, initial: 'accepted' })}
            >
              {t('partnerReferrals.accept')}
            </Button>
            <Button
              className="button"
              onPress={() => onAction({ kind: 'respond', referral, initial: 'declined' })}
            >
              {t('partnerReferrals.decline')}
            </Button>
          </>
        )}
        {referral.status === 'accepted' && (
          <Button
            className="button primary"
            onPress={() => onAction({ kind: 'outcome', referral, initial: 'service_received' })}
          >
            {t('partnerReferrals.recordOutcome')}
          </Button>
        )}
      </div>
    </li>
  );
}

function PartnerActionDialog({
  action,
  onClose,
  onDone,
  onError,
}: {
  action: Action;
  onClose: () => void;
  onDone: (r: PartnerReferral) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [status, setStatus] = useState(action.initial);
  const [note, setNote] = useState('');
  const options =
    action.kind === 'respond' ? ['accepted', 'declined'] : ['service_received', 'could_not_reach'];
  const mutation = useMutation({
    mutationFn: () =>
      action.kind === 'respond'
        ? respondToReferral(action.referral, status as 'accepted' | 'declined', note.trim())
        : recordPartnerOutcome(
            action.referral,
            status as 'service_received' | 'could_not_reach',
            note.trim(),
          ),
    onSuccess: onDone,
    onError,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!mutation.isPending) mutation.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t(
        action.kind === 'respond' ? 'partnerReferrals.respond.title' : 'partnerReferrals.outcome.title',
      )}
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <RadioGroup className="field" value={status} onChange={setStatus} isRequired>
          <Label className="field-label">
            {t(
              action.kind === 'respond'
                ? 'partnerReferrals.respond.choice'
                : 'partnerReferrals.outcome.choice',
            )}
          </Label>
          {options.map((o) => (
            <Radio key={o} value={o} className="radio" autoFocus={o === action.initial}>
              <span className="radio-dot" aria-hidden="true" />
              {t(`partnerReferrals.option.${o}` as MessageId)}
            </Radio>
          ))}
        </RadioGroup>
        <TextAreaField
          label={t('partnerReferrals.note')}
          description={t('partnerReferrals.noteHelp')}
          value={note}
          onChange={setNote}
          maxLength={NOTE_MAX}
        />
        <FormError error={mutation.error && !isConflict(mutation.error) ? mutation.error : null} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('partnerReferrals.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
