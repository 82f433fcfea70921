import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Form, Label, Link } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { AnswerChecks, AnswerChoice, YesNoChoice } from '../cases/answers';
import { conflictOf, getScreening, isCode, saveScreening } from '../cases/api';
import { caseKeys } from '../cases/caseQuery';
import { CheckedField } from '../cases/fields';
import { codeLabel, DAYS, dayLabel, listLabel } from '../cases/labels';
import { casePaths } from '../cases/paths';
import {
  CANADIAN_ZONES,
  changedAnswers,
  PLAN_LIMITS,
  type PlanDraft,
  planProblems,
  type ScreeningDraft,
  screeningDraft,
  screeningInput,
} from '../cases/screening.model';
import type { Screening, UserRef } from '../cases/types';
import { useT } from '../locale';
import { TextAreaField, TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';

export const screeningKey = (signalId: string) => ['cases', 'screening', signalId] as const;

/**
 * Screening beside the conversation, trauma-informed: safety first (is the person safe to talk now?), then what
 * fits the answer — the emergency prompt, a safety plan, or their needs — and the advocate's classification.
 * Nothing is forced: every question can stay unanswered, and "declined" / "unknown" are answers in their own right.
 */
export function ScreeningPanel({ signalId, caseId }: { signalId: string; caseId: string | null }) {
  const t = useT();
  const query = useQuery({ queryKey: screeningKey(signalId), queryFn: () => getScreening(signalId) });
  if (query.isPending) return <Loading label={t('screening.loading')} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  return <ScreeningForm key={signalId} screening={query.data} caseId={caseId} />;
}

function ScreeningForm({ screening, caseId }: { screening: Screening; caseId: string | null }) {
  const t = useT();
  const queryClient = useQueryClient();
  const signalId = screening.signal_id;
  const [draft, setDraft] = useState<ScreeningDraft>(() => screeningDraft(screening));
  const [version, setVersion] = useState(screening.version);
  const [stamped, setStamped] = useState(screening.emergency_prompted_at);
  const [conflict, setConflict] = useState<{ theirs: Screening; by: UserRef | null } | null>(null);
  const [saved, setSaved] = useState('');
  const [showProblems, setShowProblems] = useState(false);
  const conflictRef = useRef<HTMLDivElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const headingId = useId();

  const problems = draft.safety === 'unsafe' ? planProblems(draft.plan) : [];

  const mutation = useMutation({
    mutationFn: () =>
      saveScreening(
        signalId,
        version,
        screeningInput(draft, draft.safety === 'immediate_danger' && !stamped),
      ),
    onSuccess: (result) => {
      setConflict(null);
      setVersion(result.version);
      setStamped(result.emergency_prompted_at);
      queryClient.setQueryData(screeningKey(signalId), result);
      setSaved(t('screening.saved'));
    },
    onError: (error) => {
      const found = conflictOf<Screening>(error);
      if (found) {
        setConflict({ theirs: found.current, by: found.changedBy });
        setVersion(found.current.version);
      }
    },
  });

  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict]);

  const update = (change: Partial<ScreeningDraft>) => {
    setSaved('');
    setDraft((d) => ({ ...d, ...change }));
  };
  const updatePlan = (change: Partial<PlanDraft>) => {
    setSaved('');
    setDraft((d) => ({ ...d, plan: { ...d.plan, ...change } }));
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (problems.length > 0) {
      setShowProblems(true);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setShowProblems(false);
    mutation.mutate();
  };

  const loadTheirs = () => {
    if (!conflict) return;
    setDraft(screeningDraft(conflict.theirs));
    setStamped(conflict.theirs.emergency_prompted_at);
    queryClient.setQueryData(screeningKey(signalId), conflict.theirs);
    setConflict(null);
    setSaved(t('screening.conflict.loaded'));
  };

  const problemText = (p: { problem: string }) => t(`screening.problem.${p.problem}` as MessageId);

  return (
    <section className="screening" aria-labelledby={headingId}>
      <h3 id={headingId} className="queue-panel-title">
        {t('screening.title')}
      </h3>
      <p className="muted">{t('screening.intro')}</p>
      {screening.updated_by && screening.updated_at && (
        <p className="small-text muted">
          {t('screening.lastSaved', { name: screening.updated_by.display_name })}{' '}
          <RelativeTime value={screening.updated_at} />
        </p>
      )}
      {conflict && (
        <div className="notice notice-warning" role="alert" tabIndex={-1} ref={conflictRef}>
          <p>
            <strong>{t('cases.conflict.title')}</strong>{' '}
            {conflict.by
              ? t('cases.conflict.by', { name: conflict.by.display_name })
              : t('cases.conflict.bySomeone')}
          </p>
          <dl className="conflict-list">
            {changedAnswers(draft, conflict.theirs).map((field) => (
              <div key={field}>
                <dt>{t(`screening.field.${field}` as MessageId)}</dt>
                <dd>
                  {t('cases.conflict.theirs', {
                    value:
                      field === 'safety'
                        ? codeLabel(t, 'safety', conflict.theirs.safety)
                        : field === 'classification'
                          ? codeLabel(t, 'classification', conflict.theirs.classification)
                          : field === 'needs'
                            ? listLabel(t, 'need', conflict.theirs.needs)
                            : t('screening.conflict.planChanged'),
                  })}
                </dd>
              </div>
            ))}
          </dl>
          <div className="form-actions">
            <Button className="button" onPress={loadTheirs}>
              {t('cases.conflict.reload')}
            </Button>
          </div>
          <p className="small-text">{t('cases.conflict.orSave')}</p>
        </div>
      )}
      <Form onSubmit={submit} className="stack screening-form">
        <fieldset className="form-section">
          <legend className="form-section-title">{t('screening.step.safety')}</legend>
          <AnswerChoice
            label={t('screening.safety.question')}
            description={t('screening.safety.help')}
            group="safety"
            value={draft.safety}
            onChange={(safety) => update({ safety })}
            allowNotAsked={false}
            variant="radio"
          />
        </fieldset>

        {draft.safety === 'immediate_danger' && <EmergencyPrompt caseId={caseId} stamped={stamped} />}

        {draft.safety === 'unsafe' && (
          <SafetyPlanFields plan={draft.plan} onChange={updatePlan} problems={showProblems ? problems : []} />
        )}

        {draft.safety === 'safe_now' && (
          <fieldset className="form-section">
            <legend className="form-section-title">{t('screening.step.needs')}</legend>
            <AnswerChecks
              label={t('screening.needs.question')}
              group="need"
              value={draft.needs}
              onChange={(needs) => update({ needs })}
            />
          </fieldset>
        )}

        <fieldset className="form-section">
          <legend className="form-section-title">{t('screening.step.classification')}</legend>
          <AnswerChoice
            label={t('screening.classification.question')}
            description={t('screening.classification.help')}
            group="classification"
            value={draft.classification}
            onChange={(classification) => update({ classification })}
            allowNotAsked={false}
            markers={false}
            variant="radio"
          />
        </fieldset>

        {showProblems && problems.length > 0 && (
          <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
            <p>
              <strong>{t('cases.errors.title')}</strong>
            </p>
            <ul>
              {problems.map((p) => (
                <li key={`${p.field}-${p.problem}`}>
                  <a href={`#${p.field}`} className="text-link">
                    {t('screening.problem.where', { where: fieldName(t, p.field) })} {problemText(p)}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        )}
        <FormError error={isCode(mutation.error, 'VERSION_CONFLICT') ? null : mutation.error} />
        <div className="form-actions">
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {conflict ? t('cases.conflict.saveMine') : t('screening.save')}
          </PendingButton>
        </div>
        <p role="status" className="status-line">
          {saved}
        </p>
      </Form>
    </section>
  );
}

function fieldName(t: (id: MessageId, v?: Record<string, string | number>) => string, field: string): string {
  const match = /^safe-(time|number)-(\d+)/.exec(field);
  if (!match) return field;
  const n = Number(match[2]) + 1;
  return match[1] === 'time' ? t('screening.plan.timeN', { n }) : t('screening.plan.numberN', { n });
}

function EmergencyPrompt({ caseId, stamped }: { caseId: string | null; stamped: string | null }) {
  const t = useT();
  return (
    <div className="emergency-prompt" role="alert">
      <p className="emergency-title">
        <span aria-hidden="true">⚠ </span>
        {t('screening.emergency.title')}
      </p>
      <p>{t('screening.emergency.body')}</p>
      <p className="emergency-911">{t('screening.emergency.call')}</p>
      {caseId ? (
        <Link href={casePaths.escalations(caseId)} className="button danger">
          {t('screening.emergency.escalate')}
        </Link>
      ) : (
        <p>{t('screening.emergency.noCase')}</p>
      )}
      <p className="small-text">
        {stamped ? t('screening.emergency.stamped') : t('screening.emergency.willStamp')}
      </p>
    </div>
  );
}

function SafetyPlanFields({
  plan,
  onChange,
  problems,
}: {
  plan: PlanDraft;
  onChange: (change: Partial<PlanDraft>) => void;
  problems: { field: string; problem: string }[];
}) {
  const t = useT();
  const problemOf = (field: string) => problems.find((p) => p.field === field);
  const errorFor = (field: string) => {
    const p = problemOf(field);
    return p ? t(`screening.problem.${p.problem}` as MessageId) : undefined;
  };
  return (
    <fieldset className="form-section safety-plan">
      <legend className="form-section-title">{t('screening.step.plan')}</legend>
      <p className="field-description">{t('screening.plan.intro')}</p>

      <fieldset className="plan-group">
        <legend className="field-label">{t('screening.plan.contacts')}</legend>
        {plan.contacts.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional and edited in place
          <div className="plan-row" key={i}>
            <TextInputField
              label={t('screening.plan.contactName', { n: i + 1 })}
              value={c.name}
              maxLength={PLAN_LIMITS.text}
              onChange={(name) =>
                onChange({ contacts: plan.contacts.map((x, j) => (j === i ? { ...x, name } : x)) })
              }
            />
            <TextInputField
              label={t('screening.plan.contactRelationship', { n: i + 1 })}
              value={c.relationship}
              maxLength={PLAN_LIMITS.text}
              onChange={(relationship) =>
                onChange({ contacts: plan.contacts.map((x, j) => (j === i ? { ...x, relationship } : x)) })
              }
            />
            <TextInputField
              label={t('screening.plan.contactPhone', { n: i + 1 })}
              value={c.phone}
              type="tel"
              maxLength={PLAN_LIMITS.text}
              onChange={(phone) =>
                onChange({ contacts: plan.contacts.map((x, j) => (j === i ? { ...x, phone } : x)) })
              }
            />
            <Button
              className="button small"
              onPress={() => onChange({ contacts: plan.contacts.filter((_, j) => j !== i) })}
            >
              {t('screening.plan.removeContact', { n: i + 1 })}
            </Button>
          </div>
        ))}
        {plan.contacts.length < PLAN_LIMITS.contacts && (
          <Button
            className="button small"
            onPress={() =>
              onChange({ contacts: [...plan.contacts, { name: '', relationship: '', phone: '' }] })
            }
          >
            {t('screening.plan.addContact')}
          </Button>
        )}
      </fieldset>

      <TextInputField
        label={t('screening.plan.codeWord')}
        description={t('screening.plan.codeWordHelp')}
        value={plan.codeWord}
        maxLength={PLAN_LIMITS.text}
        onChange={(codeWord) => onChange({ codeWord })}
      />

      <fieldset className="plan-group">
        <legend className="field-label">{t('screening.plan.times')}</legend>
        <p className="field-description">{t('screening.plan.timesHelp')}</p>
        {plan.times.map((w, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional and edited in place
          <fieldset className="plan-row plan-time" key={i}>
            <legend className="plan-row-title">{t('screening.plan.timeN', { n: i + 1 })}</legend>
            <CheckboxGroup
              id={`safe-time-${i}-days`}
              className="field"
              value={w.days}
              isInvalid={Boolean(problemOf(`safe-time-${i}-days`))}
              onChange={(days) =>
                onChange({ times: plan.times.map((x, j) => (j === i ? { ...x, days } : x)) })
              }
            >
              <Label className="field-label">{t('screening.plan.days', { n: i + 1 })}</Label>
              <div className="checkbox-list">
                {DAYS.map((d) => (
                  <Checkbox key={d} value={d} className="checkbox">
                    {({ isSelected }) => (
                      <>
                        <span className="checkbox-box" aria-hidden="true">
                          {isSelected ? '✓' : ''}
                        </span>
                        <span>{dayLabel(t, d)}</span>
                      </>
                    )}
                  </Checkbox>
                ))}
              </div>
              {problemOf(`safe-time-${i}-days`) && (
                <p className="field-error">{errorFor(`safe-time-${i}-days`)}</p>
              )}
            </CheckboxGroup>
            <CheckedField
              id={`safe-time-${i}-from`}
              label={t('screening.plan.from', { n: i + 1 })}
              description={t('screening.plan.timeFormat')}
              value={w.from}
              placeholder="09:00"
              error={errorFor(`safe-time-${i}-from`)}
              onChange={(from) =>
                onChange({ times: plan.times.map((x, j) => (j === i ? { ...x, from } : x)) })
              }
            />
            <CheckedField
              id={`safe-time-${i}-to`}
              label={t('screening.plan.to', { n: i + 1 })}
              description={t('screening.plan.timeFormat')}
              value={w.to}
              placeholder="17:00"
              error={errorFor(`safe-time-${i}-to`)}
              onChange={(to) => onChange({ times: plan.times.map((x, j) => (j === i ? { ...x, to } : x)) })}
            />
            <Button
              className="button small"
              onPress={() => onChange({ times: plan.times.filter((_, j) => j !== i) })}
            >
              {t('screening.plan.removeTime', { n: i + 1 })}
            </Button>
          </fieldset>
        ))}
        {plan.times.length < PLAN_LIMITS.times && (
          <Button
            className="button small"
            onPress={() => onChange({ times: [...plan.times, { days: [], from: '', to: '' }] })}
          >
            {t('screening.plan.addTime')}
          </Button>
        )}
      </fieldset>

      <SelectField
        label={t('screening.plan.timeZone')}
        options={CANADIAN_ZONES.map((z) => ({ id: z, label: z.replace('America/', '').replace('_', ' ') }))}
        value={plan.timeZone}
        onChange={(timeZone) => onChange({ timeZone })}
      />

      <YesNoChoice
        label={t('screening.plan.contactNumberSafe')}
        description={t('screening.plan.contactNumberSafeHelp')}
        value={plan.contactNumberSafe}
        onChange={(contactNumberSafe) => onChange({ contactNumberSafe })}
      />

      <fieldset className="plan-group">
        <legend className="field-label">{t('screening.plan.numbers')}</legend>
        {plan.numbers.map((n, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional and edited in place
          <div className="plan-row" key={i}>
            <TextInputField
              label={t('screening.plan.numberLabel', { n: i + 1 })}
              value={n.label}
              maxLength={PLAN_LIMITS.text}
              onChange={(label) =>
                onChange({ numbers: plan.numbers.map((x, j) => (j === i ? { ...x, label } : x)) })
              }
            />
            <CheckedField
              id={`safe-number-${i}`}
              label={t('screening.plan.numberValue', { n: i + 1 })}
              value={n.number}
              type="tel"
              maxLength={PLAN_LIMITS.text}
              error={errorFor(`safe-number-${i}`)}
              onChange={(number) =>
                onChange({ numbers: plan.numbers.map((x, j) => (j === i ? { ...x, number } : x)) })
              }
            />
            <Button
              className="button small"
              onPress={() => onChange({ numbers: plan.numbers.filter((_, j) => j !== i) })}
            >
              {t('screening.plan.removeNumber', { n: i + 1 })}
            </Button>
          </div>
        ))}
        {plan.numbers.length < PLAN_LIMITS.numbers && (
          <Button
            className="button small"
            onPress={() => onChange({ numbers: [...plan.numbers, { label: '', number: '' }] })}
          >
            {t('screening.plan.addNumber')}
          </Button>
        )}
      </fieldset>

      <YesNoChoice
        label={t('screening.plan.voicemail')}
        value={plan.voicemail}
        onChange={(voicemail) => onChange({ voicemail })}
      />

      <TextAreaField
        label={t('screening.plan.notes')}
        value={plan.notes}
        maxLength={PLAN_LIMITS.notes}
        onChange={(notes) => onChange({ notes })}
      />
    </fieldset>
  );
}

/** The signal's case summary query key (shared by the screening and case panels). */
export const signalCaseKey = (signalId: string) => [...caseKeys.all, 'signal', signalId] as const;
