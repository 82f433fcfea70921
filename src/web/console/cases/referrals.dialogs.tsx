import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Form, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { NEEDS, REFERRAL_SHARE_FIELDS } from '../../../shared/cases';
import { formatDistance, languageName } from '../directory/format';
import type { SearchItem } from '../directory/types';
import { useLocale, useT } from '../locale';
import { TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import {
  type CaseForSections,
  createReferral,
  overrideReferral,
  type Referral,
  recordConsent,
  referralSearch,
  type ShareField,
  setReferralStatus,
} from './referrals.api';
import {
  labelFor,
  NEED_LABELS,
  PERSON_ROLE_LABELS,
  REFERRAL_STATUS_LABELS,
  SHARE_FIELD_HELP,
  SHARE_FIELD_LABELS,
} from './referrals.labels';
import {
  type ConsentDraft,
  type ConsentKind,
  consentInput,
  consentProblem,
  emptyConsent,
  primaryLanguage,
} from './referrals.model';

const AGREED_MAX = 1000;
const NOTE_MAX = 2000;

/** Consent in three parts: how it was given, what was agreed in the person's words, what may be shared. */
export function ConsentFields({
  value,
  onChange,
  allowNone,
}: {
  value: ConsentDraft;
  onChange: (value: ConsentDraft) => void;
  allowNone: boolean;
}) {
  const t = useT();
  const kinds: ConsentKind[] = allowNone ? ['verbal', 'written', 'none'] : ['verbal', 'written'];
  return (
    <fieldset className="referral-fieldset">
      <legend className="field-label">{t('referrals.consent.legend')}</legend>
      <RadioGroup
        className="field"
        value={value.kind}
        onChange={(kind) => onChange({ ...value, kind: kind as ConsentKind })}
        isRequired
      >
        <Label className="field-label">{t('referrals.consent.kind')}</Label>
        <div className="radio-row">
          {kinds.map((kind) => (
            <Radio key={kind} value={kind} className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t(`referrals.consent.kind.${kind}`)}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      {value.kind === 'none' ? (
        <p className="notice">{t('referrals.consent.noneHelp')}</p>
      ) : (
        <>
          <TextAreaField
            label={t('referrals.consent.agreed')}
            description={t('referrals.consent.agreedHelp')}
            value={value.agreed}
            onChange={(agreed) => onChange({ ...value, agreed })}
            isRequired
            maxLength={AGREED_MAX}
          />
          <CheckboxGroup
            className="field checkbox-list share-fields"
            value={value.shared}
            onChange={(shared) => onChange({ ...value, shared: shared as ShareField[] })}
          >
            <Label className="field-label">{t('referrals.consent.share')}</Label>
            <Text slot="description" className="field-description">
              {t('referrals.consent.shareHelp')}
            </Text>
            {REFERRAL_SHARE_FIELDS.map((field) => (
              <Checkbox key={field} value={field} className="checkbox share-field">
                {({ isSelected }) => (
                  <>
                    <span className="checkbox-box" aria-hidden="true">
                      {isSelected ? '✓' : ''}
                    </span>
                    <span>
                      <strong>{t(SHARE_FIELD_LABELS[field])}</strong>
                      <span className="muted"> — {t(SHARE_FIELD_HELP[field])}</span>
                    </span>
                  </>
                )}
              </Checkbox>
            ))}
          </CheckboxGroup>
        </>
      )}
    </fieldset>
  );
}

/** "Refer": the need, a service found in the directory for this case, the person's consent. */
export function ReferDialog({
  detail,
  onClose,
  onDone,
}: {
  detail: CaseForSections;
  onClose: () => void;
  onDone: (referral: Referral) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const people = detail.people.filter((p) => p.role !== 'exploiter');
  const [personId, setPersonId] = useState<string>(people.length === 1 && people[0] ? people[0].id : '');
  const person = people.find((p) => p.id === personId);
  const [need, setNeed] = useState<string | null>(null);
  const [language, setLanguage] = useState<string>(primaryLanguage(person?.languages));
  const [serviceKey, setServiceKey] = useState<string | null>(null);
  const [consent, setConsent] = useState<ConsentDraft>(emptyConsent);
  const [showProblems, setShowProblems] = useState(false);
  const resultsId = useId();

  const results = useQuery({
    queryKey: ['cases', 'referral-search', detail.id, need, language],
    queryFn: ({ signal }) => referralSearch(detail.id, { need: need ?? '', language }, signal),
    enabled: need !== null,
    staleTime: 30_000,
  });
  const items = results.data?.items ?? [];
  const chosen = items.find((item) => item.id === serviceKey) ?? null;

  const mutation = useMutation({
    mutationFn: () => {
      if (!need || !chosen) throw new Error('incomplete');
      const body: Parameters<typeof createReferral>[1] = {
        need,
        organization_id: chosen.organizationId,
        service_id: chosen.serviceId,
      };
      if (personId) body.person_id = personId;
      const c = consentInput(consent);
      if (c) body.consent = c;
      return createReferral(detail.id, body);
    },
    onSuccess: (referral) => onDone(referral),
  });

  const problems = [
    !need ? t('referrals.refer.needMissing') : null,
    !chosen ? t('referrals.refer.serviceMissing') : null,
    consentProblem(consent) ? t('referrals.consent.agreedMissing') : null,
  ].filter((p): p is string => p !== null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (problems.length > 0) {
      setShowProblems(true);
      return;
    }
    setShowProblems(false);
    mutation.mutate();
  };

  const personLanguages =
    person?.languages
      ?.filter((l) => l !== 'declined' && l !== 'unknown')
      .map((l) => l.split('-')[0]?.toLowerCase() ?? l) ?? [];
  const languageOptions = [{ id: '', label: t('referrals.refer.anyLanguage') }].concat(
    [...new Set([...personLanguages, 'en', 'fr'])].map((code) => ({
      id: code,
      label: languageName(code, locale),
    })),
  );

  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('referrals.refer.title')}
      size="wide"
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <fieldset className="referral-fieldset">
          <legend className="field-label">{t('referrals.refer.whatLegend')}</legend>
          {people.length > 0 && (
            <SelectField
              label={t('referrals.refer.person')}
              options={[{ id: '', label: t('referrals.refer.noPerson') }].concat(
                people.map((p) => ({
                  id: p.id,
                  label:
                    p.name ||
                    p.alias ||
                    t('referrals.refer.unnamed', { role: labelFor(PERSON_ROLE_LABELS, p.role, t) }),
                })),
              )}
              value={personId}
              onChange={(v) => {
                setPersonId(v);
                const first = primaryLanguage(people.find((p) => p.id === v)?.languages);
                if (first) setLanguage(first);
              }}
            />
          )}
          <SelectField
            label={t('referrals.refer.need')}
            options={NEEDS.map((n) => ({ id: n, label: t(NEED_LABELS[n]) }))}
            value={need}
            onChange={(v) => {
              setNeed(v);
              setServiceKey(null);
            }}
            isRequired
            autoFocus
            placeholder={t('referrals.refer.choose')}
          />
          <SelectField
            label={t('referrals.refer.language')}
            description={t('referrals.refer.languageHelp')}
            options={languageOptions}
            value={language}
            onChange={(v) => {
              setLanguage(v);
              setServiceKey(null);
            }}
          />
        </fieldset>

        <section aria-labelledby={resultsId} className="referral-results">
          <h3 id={resultsId} className="section-subtitle">
            {t('referrals.refer.results')}
          </h3>
          <p role="status" className="muted">
            {need === null
              ? t('referrals.refer.resultsHint')
              : results.data
                ? t('referrals.refer.resultCount', { count: items.length })
                : ''}
          </p>
          {need !== null && results.isPending && <Loading label={t('referrals.refer.searching')} />}
          {results.isError && <ErrorState error={results.error} onRetry={() => void results.refetch()} />}
          {results.data && items.length === 0 && (
            <EmptyState>
              <p>{t('referrals.refer.noResults')}</p>
            </EmptyState>
          )}
          {items.length > 0 && (
            <RadioGroup
              className="field service-choice"
              value={serviceKey}
              onChange={setServiceKey}
              isRequired
            >
              <Label className="field-label">{t('referrals.refer.service')}</Label>
              {items.map((item) => (
                <Radio key={item.id} value={item.id} className="radio service-radio">
                  <span className="radio-dot" aria-hidden="true" />
                  <ServiceSummary item={item} />
                </Radio>
              ))}
            </RadioGroup>
          )}
        </section>

        <ConsentFields value={consent} onChange={setConsent} allowNone />

        <div role="alert" className={showProblems && problems.length > 0 ? 'form-error' : 'form-error-slot'}>
          {showProblems && problems.length > 0 ? problems.join(' ') : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('referrals.refer.create')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

function ServiceSummary({ item }: { item: SearchItem }) {
  const t = useT();
  const { locale } = useLocale();
  const where = [item.city, item.province].filter(Boolean).join(', ');
  const facts = [
    where,
    item.distanceKm !== null ? formatDistance(item.distanceKm, locale) : null,
    item.languages.length > 0
      ? t('referrals.refer.speaks', {
          languages: item.languages.map((code) => languageName(code, locale)).join(', '),
        })
      : null,
    item.hoursToday?.openNow ? t('referrals.refer.openNow') : null,
  ].filter(Boolean);
  return (
    <span className="service-summary">
      <strong>{item.serviceName}</strong> — {item.organizationName}
      {facts.length > 0 && <span className="muted"> · {facts.join(' · ')}</span>}
    </span>
  );
}

/** Records (or replaces) the person's consent on a proposed referral. */
export function ConsentDialog({
  referral,
  onClose,
  onDone,
  onError,
}: {
  referral: Referral;
  onClose: () => void;
  onDone: (r: Referral) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [consent, setConsent] = useState<ConsentDraft>(() =>
    referral.consent
      ? {
          kind: referral.consent.kind === 'written' ? 'written' : 'verbal',
          agreed: referral.consent.agreed ?? '',
          shared: referral.shared_fields as ShareField[],
        }
      : { kind: 'verbal', agreed: '', shared: [] },
  );
  const [showProblem, setShowProblem] = useState(false);
  const mutation = useMutation({
    mutationFn: () => {
      const input = consentInput(consent);
      if (!input) throw new Error('incomplete');
      return recordConsent(referral, input);
    },
    onSuccess: onDone,
    onError,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (consentProblem(consent)) {
      setShowProblem(true);
      return;
    }
    mutation.mutate();
  };
  return (
    <ModalDialog isOpen onOpenChange={(open) => !open && onClose()} title={t('referrals.consent.title')}>
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <ConsentFields value={consent} onChange={setConsent} allowNone={false} />
        <div role="alert" className={showProblem ? 'form-error' : 'form-error-slot'}>
          {showProblem ? t('referrals.consent.agreedMissing') : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('referrals.consent.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

/** A supervisor lets a referral leave without the person's consent, and says why. */
export function OverrideDialog({
  referral,
  onClose,
  onDone,
  onError,
}: {
  referral: Referral;
  onClose: () => void;
  onDone: (r: Referral) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [showProblem, setShowProblem] = useState(false);
  const mutation = useMutation({
    mutationFn: () => overrideReferral(referral, reason.trim()),
    onSuccess: onDone,
    onError,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!reason.trim()) {
      setShowProblem(true);
      return;
    }
    mutation.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('referrals.override.title')}
      role="alertdialog"
    >
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <p>{t('referrals.override.body')}</p>
        <TextAreaField
          label={t('referrals.override.reason')}
          value={reason}
          onChange={setReason}
          isRequired
          maxLength={AGREED_MAX}
          autoFocus
        />
        <div role="alert" className={showProblem && !reason.trim() ? 'form-error' : 'form-error-slot'}>
          {showProblem && !reason.trim() ? t('referrals.override.missing') : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button danger" isPending={mutation.isPending}>
            {t('referrals.override.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

/** Moves a referral on: withdraw it, or record the partner's answer or the outcome on their behalf. */
export function StatusDialog({
  referral,
  statuses,
  title,
  intro,
  onClose,
  onDone,
  onError,
}: {
  referral: Referral;
  statuses: string[];
  title: string;
  intro: string;
  onClose: () => void;
  onDone: (r: Referral) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const [status, setStatus] = useState<string | null>(statuses.length === 1 ? (statuses[0] ?? null) : null);
  const [note, setNote] = useState('');
  const [showProblem, setShowProblem] = useState(false);
  const mutation = useMutation({
    mutationFn: () => setReferralStatus(referral, status ?? '', note.trim() || undefined),
    onSuccess: onDone,
    onError,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!status) {
      setShowProblem(true);
      return;
    }
    mutation.mutate();
  };
  return (
    <ModalDialog isOpen onOpenChange={(open) => !open && onClose()} title={title}>
      <Form onSubmit={submit} className="stack case-flow" validationBehavior="aria">
        <p>{intro}</p>
        {statuses.length > 1 && (
          <RadioGroup className="field" value={status} onChange={setStatus} isRequired>
            <Label className="field-label">{t('referrals.statusDialog.choice')}</Label>
            {statuses.map((s, i) => (
              <Radio key={s} value={s} className="radio" autoFocus={i === 0}>
                <span className="radio-dot" aria-hidden="true" />
                {labelFor(REFERRAL_STATUS_LABELS, s, t)}
              </Radio>
            ))}
          </RadioGroup>
        )}
        <TextAreaField
          label={t('referrals.statusDialog.note')}
          description={t('referrals.statusDialog.noteHelp')}
          value={note}
          onChange={setNote}
          maxLength={NOTE_MAX}
          autoFocus={statuses.length === 1}
        />
        <div role="alert" className={showProblem && !status ? 'form-error' : 'form-error-slot'}>
          {showProblem && !status ? t('referrals.statusDialog.missing') : null}
        </div>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('referrals.statusDialog.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
