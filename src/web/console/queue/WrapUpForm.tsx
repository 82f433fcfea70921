import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Form } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useT } from '../locale';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { FormError } from '../ui/states';
import { getSignal, saveWrapUp } from './api';
import { queueKeys } from './keys';
import { CALLER_TYPE_LABELS, HEARD_ABOUT_LABELS, LANGUAGE_LABELS, labelOf, REGION_LABELS } from './labels';
import type { SignalDetail, WrapUp } from './types';
import {
  CALLER_TYPES,
  conflictingFields,
  HEARD_ABOUT,
  initialWrapUp,
  missingFields,
  REGIONS,
  sameWrapUp,
  toInput,
  WRAP_UP_LANGUAGES,
  type WrapUpField,
  type WrapUpValues,
} from './wrapup';

const FIELD_LABELS: Record<WrapUpField, MessageId> = {
  callerType: 'wrapUp.callerType',
  region: 'wrapUp.region',
  language: 'wrapUp.language',
  heardAbout: 'wrapUp.heardAbout',
};

/**
 * Records the signal: caller type, province or territory, language, how they heard of the hotline. Saved with
 * the version it was read at; if someone else saved meanwhile (409), their answers are shown beside mine and
 * saving again (now on their version) is a deliberate choice.
 */
export function WrapUpForm({
  signal,
  headingRef,
}: {
  signal: SignalDetail;
  headingRef?: React.Ref<HTMLHeadingElement>;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<WrapUpValues>(() => initialWrapUp(signal.wrapUp, signal.language));
  const [version, setVersion] = useState(signal.version);
  const [conflict, setConflict] = useState<{ theirs: WrapUp; fields: WrapUpField[] } | null>(null);
  const [saved, setSaved] = useState(false);
  const [showMissing, setShowMissing] = useState(false);
  const conflictRef = useRef<HTMLDivElement>(null);
  /** The saved answers my version stands on. */
  const base = useRef(signal.wrapUp);

  const labelFor = (field: WrapUpField, code: string | null) => {
    switch (field) {
      case 'callerType':
        return labelOf(CALLER_TYPE_LABELS, code, t);
      case 'region':
        return labelOf(REGION_LABELS, code, t);
      case 'language':
        return labelOf(LANGUAGE_LABELS, code, t);
      case 'heardAbout':
        return labelOf(HEARD_ABOUT_LABELS, code, t);
    }
  };

  const mutation = useMutation({
    mutationFn: () => saveWrapUp(signal.id, version, toInput(values)),
    onSuccess: (result) => {
      setConflict(null);
      setSaved(true);
      if (result?.signal) {
        base.current = result.signal.wrapUp;
        queryClient.setQueryData(queueKeys.signal(signal.id), result.signal);
        setVersion(result.signal.version);
      }
      void queryClient.invalidateQueries({ queryKey: queueKeys.snapshot });
    },
    onError: async (error) => {
      if (error instanceof ApiError && (error.status === 409 || error.status === 412)) {
        const fresh = (await getSignal(signal.id)).signal;
        base.current = fresh.wrapUp;
        queryClient.setQueryData(queueKeys.signal(signal.id), fresh);
        setVersion(fresh.version);
        setConflict({ theirs: fresh.wrapUp, fields: conflictingFields(values, fresh.wrapUp) });
      }
    },
  });

  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  // The signal's version also moves for reasons that do not touch the wrap-up (the conversation ended, a
  // message came in): follow it then. When the saved answers themselves changed, keep the old version, so
  // saving is refused (409) and shows the other person's change instead of silently replacing it.
  useEffect(() => {
    if (sameWrapUp(base.current, signal.wrapUp)) setVersion(signal.version);
  }, [signal.version, signal.wrapUp]);

  const set = (field: WrapUpField) => (value: string) => {
    setSaved(false);
    setValues((v) => ({ ...v, [field]: value }));
  };
  const missing = missingFields(values);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (missing.length > 0) {
      setShowMissing(true);
      return;
    }
    setShowMissing(false);
    mutation.mutate();
  };

  const options = {
    callerType: CALLER_TYPES.map((id) => ({ id, label: t(CALLER_TYPE_LABELS[id]) })),
    region: REGIONS.map((id) => ({ id, label: t(REGION_LABELS[id]) })),
    language: WRAP_UP_LANGUAGES.map((id) => ({ id, label: t(LANGUAGE_LABELS[id]) })),
    heardAbout: HEARD_ABOUT.map((id) => ({ id, label: t(HEARD_ABOUT_LABELS[id]) })),
  };
  const wrappedUp = signal.wrapUp.wrappedUpAt !== null;

  return (
    <section className="wrap-up" aria-labelledby={`wrapup-${signal.id}`}>
      <h3 id={`wrapup-${signal.id}`} className="queue-panel-title" ref={headingRef} tabIndex={-1}>
        {t('wrapUp.title')}
      </h3>
      <p className="muted">{wrappedUp ? t('wrapUp.done') : t('wrapUp.intro')}</p>
      {conflict && (
        <div className="notice notice-warning" role="alert" tabIndex={-1} ref={conflictRef}>
          <p>
            <strong>{t('wrapUp.conflict.title')}</strong> {t('wrapUp.conflict.body')}
          </p>
          {conflict.fields.length > 0 ? (
            <dl className="conflict-list">
              {conflict.fields.map((field) => (
                <div key={field}>
                  <dt>{t(FIELD_LABELS[field])}</dt>
                  <dd>
                    {t('wrapUp.conflict.theirs', { value: labelFor(field, conflict.theirs[field]) })}
                    {' · '}
                    {t('wrapUp.conflict.mine', { value: labelFor(field, values[field]) })}
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p>{t('wrapUp.conflict.same')}</p>
          )}
        </div>
      )}
      <Form onSubmit={submit} className="wrap-up-form">
        {(Object.keys(FIELD_LABELS) as WrapUpField[]).map((field) => (
          <SelectField
            key={field}
            label={t(FIELD_LABELS[field])}
            options={options[field]}
            value={values[field]}
            onChange={set(field)}
            isRequired
            placeholder={t('wrapUp.choose')}
          />
        ))}
        <div role="alert" className={showMissing && missing.length > 0 ? 'form-error' : 'form-error-slot'}>
          {showMissing && missing.length > 0
            ? t('wrapUp.missing', { fields: missing.map((f) => t(FIELD_LABELS[f])).join(', ') })
            : null}
        </div>
        <FormError
          error={mutation.error instanceof ApiError && mutation.error.status === 409 ? null : mutation.error}
        />
        <div className="form-actions">
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {conflict ? t('wrapUp.saveAnyway') : t('wrapUp.save')}
          </PendingButton>
        </div>
        <p role="status" className="status-line">
          {saved ? t('wrapUp.saved') : ''}
        </p>
      </Form>
    </section>
  );
}
