import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Button, Form, Label, Radio, RadioGroup } from 'react-aria-components';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, FormError } from '../ui/states';
import { AnswerChecks, AnswerChoice } from './answers';
import { addPerson, conflictOf, deletePerson, isCode, updatePerson } from './api';
import { ConflictNotice } from './Conflict';
import { caseKeys } from './caseQuery';
import { CheckedField } from './fields';
import { codeLabel, codesLabel, isMarker, listLabel } from './labels';
import type { CaseDetail, Person, PersonInput, UserRef } from './types';

// People of a case with every HTCDS field (ADR 0007): each answer can be a code, "declined", "unknown" or not asked.

interface PersonDraft {
  role: string | null;
  name: string;
  alias: string;
  contact: string;
  gender: string | null;
  age: string;
  age_band: string | null;
  citizenship: CodeListDraft;
  languages: CodeListDraft;
  relationship_to_exploiter: string | null;
  exploitation_types: string[];
  venue: string | null;
  industry: string | null;
  means_of_control: string[];
  recruitment: string[];
  indicators: string[];
}

interface CodeListDraft {
  mode: 'not_asked' | 'given' | 'declined' | 'unknown';
  text: string;
}

function codeListDraft(values: string[] | null): CodeListDraft {
  if (!values || values.length === 0) return { mode: 'not_asked', text: '' };
  if (values.length === 1 && isMarker(values[0]))
    return { mode: values[0] as 'declined' | 'unknown', text: '' };
  return { mode: 'given', text: values.join(', ') };
}

function codeListInput(draft: CodeListDraft, upper: boolean): string[] {
  if (draft.mode === 'not_asked') return [];
  if (draft.mode !== 'given') return [draft.mode];
  return [
    ...new Set(
      draft.text
        .split(/[,\s]+/)
        .map((v) => v.trim())
        .filter(Boolean)
        .map((v) => (upper ? v.toUpperCase() : v.toLowerCase())),
    ),
  ];
}

function personDraft(p: Person | null): PersonDraft {
  return {
    role: p?.role ?? null,
    name: p?.name ?? '',
    alias: p?.alias ?? '',
    contact: p?.contact ?? '',
    gender: p?.gender ?? null,
    age: p?.age === null || p?.age === undefined ? '' : String(p.age),
    age_band: p?.age_band ?? null,
    citizenship: codeListDraft(p?.citizenship ?? null),
    languages: codeListDraft(p?.languages ?? null),
    relationship_to_exploiter: p?.relationship_to_exploiter ?? null,
    exploitation_types: p?.exploitation_types ?? [],
    venue: p?.venue ?? null,
    industry: p?.industry ?? null,
    means_of_control: p?.means_of_control ?? [],
    recruitment: p?.recruitment ?? [],
    indicators: p?.indicators ?? [],
  };
}

function personInput(d: PersonDraft): PersonInput {
  const age = d.age.trim() === '' ? null : Number(d.age);
  return {
    role: d.role ?? undefined,
    name: d.name.trim() || null,
    alias: d.alias.trim() || null,
    contact: d.contact.trim() || null,
    gender: d.gender,
    age,
    // With an exact age the server derives the band.
    ...(age === null ? { age_band: d.age_band } : {}),
    citizenship: codeListInput(d.citizenship, true),
    languages: codeListInput(d.languages, false),
    relationship_to_exploiter: d.relationship_to_exploiter,
    exploitation_types: d.exploitation_types,
    venue: d.venue,
    industry: d.industry,
    means_of_control: d.means_of_control,
    recruitment: d.recruitment,
    indicators: d.indicators,
  };
}

export function PeopleSection({ detail, canEdit }: { detail: CaseDetail; canEdit: boolean }) {
  const t = useT();
  const [editing, setEditing] = useState<Person | 'new' | null>(null);
  return (
    <section className="case-section" aria-labelledby="people-heading">
      <div className="section-head">
        <h2 id="people-heading" className="section-title">
          {t('cases.people.title')}
        </h2>
        {canEdit && (
          <Button className="button" onPress={() => setEditing('new')}>
            {t('cases.people.add')}
          </Button>
        )}
      </div>
      {detail.people.length === 0 ? (
        <EmptyState>{t('cases.people.none')}</EmptyState>
      ) : (
        <ul className="people-list">
          {detail.people.map((p) => (
            <li key={p.id} className="person-card">
              <PersonSummary person={p} />
              {canEdit && (
                <Button className="button small" onPress={() => setEditing(p)}>
                  {t('cases.people.edit', { role: codeLabel(t, 'role', p.role) })}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <PersonDialog
          caseId={detail.id}
          person={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}

function PersonSummary({ person: p }: { person: Person }) {
  const t = useT();
  const rows: [string, string][] = [
    [t('cases.person.gender'), codeLabel(t, 'gender', p.gender)],
    [
      t('cases.person.age'),
      p.age !== null ? t('cases.person.ageYears', { age: p.age }) : codeLabel(t, 'age_band', p.age_band),
    ],
    [t('cases.person.citizenship'), codesLabel(t, p.citizenship)],
    [t('cases.person.languages'), codesLabel(t, p.languages)],
    [t('cases.person.relationship'), codeLabel(t, 'relationship', p.relationship_to_exploiter)],
    [t('cases.person.exploitation'), listLabel(t, 'exploitation', p.exploitation_types)],
    [t('cases.person.venue'), codeLabel(t, 'venue', p.venue)],
    [t('cases.person.industry'), codeLabel(t, 'industry', p.industry)],
    [t('cases.person.control'), listLabel(t, 'control', p.means_of_control)],
    [t('cases.person.recruitment'), listLabel(t, 'recruitment', p.recruitment)],
    [t('cases.person.indicators'), listLabel(t, 'indicator', p.indicators)],
  ];
  return (
    <div className="stack-tight">
      <h3 className="person-title">
        {codeLabel(t, 'role', p.role)}
        {p.name ? ` — ${p.name}` : ''}
        {p.alias ? ` (${p.alias})` : ''}
        {p.is_minor && (
          <span className="badge badge-danger person-minor">
            <span aria-hidden="true">! </span>
            {t('cases.minor')}
          </span>
        )}
      </h3>
      {p.contact && (
        <p className="small-text">
          {t('cases.person.contact')}: {p.contact}
        </p>
      )}
      <dl className="facts person-facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function PersonDialog({
  caseId,
  person,
  onClose,
}: {
  caseId: string;
  person: Person | null;
  onClose: () => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<PersonDraft>(() => personDraft(person));
  const [version, setVersion] = useState(person?.version ?? 0);
  const [conflict, setConflict] = useState<{ current: Person; by: UserRef | null } | null>(null);
  const [roleMissing, setRoleMissing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const set = (change: Partial<PersonDraft>) => setDraft((d) => ({ ...d, ...change }));
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
    onClose();
  };
  const save = useMutation({
    mutationFn: () =>
      person
        ? updatePerson(caseId, person.id, version, personInput(draft))
        : addPerson(caseId, personInput(draft)),
    onSuccess: done,
    onError: (error) => {
      const found = conflictOf<Person>(error);
      if (found) {
        setConflict({ current: found.current, by: found.changedBy });
        setVersion(found.current.version);
      }
    },
  });
  const remove = useMutation({
    mutationFn: () => deletePerson(caseId, person?.id ?? '', version),
    onSuccess: done,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.isPending) return;
    if (!draft.role) {
      setRoleMissing(true);
      return;
    }
    setRoleMissing(false);
    save.mutate();
  };
  const ageInvalid =
    draft.age.trim() !== '' && !/^\d{1,3}$/.test(draft.age.trim()) ? true : Number(draft.age) > 120;
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={person ? t('cases.people.editTitle') : t('cases.people.addTitle')}
      size="wide"
    >
      <Form onSubmit={submit} className="stack person-form">
        {conflict && (
          <ConflictNotice
            by={conflict.by}
            onReload={() => {
              setDraft(personDraft(conflict.current));
              setConflict(null);
              void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) });
            }}
          >
            <PersonSummary person={conflict.current} />
            <p className="small-text">{t('cases.conflict.orSave')}</p>
          </ConflictNotice>
        )}
        <p className="muted">{t('cases.people.intro')}</p>
        <fieldset className="form-section">
          <legend className="form-section-title">{t('cases.people.identity')}</legend>
          <div className="form-grid">
            <SelectField
              label={t('cases.person.role')}
              options={(
                [
                  'potential_victim',
                  'survivor',
                  'caller_reporter',
                  'family_member',
                  'exploiter',
                  'witness',
                ] as const
              ).map((r) => ({ id: r, label: codeLabel(t, 'role', r) }))}
              value={draft.role}
              onChange={(role) => set({ role })}
              isRequired
              placeholder={t('cases.answer.choose')}
            />
            <TextInputField
              label={t('cases.person.name')}
              value={draft.name}
              onChange={(name) => set({ name })}
              maxLength={200}
            />
            <TextInputField
              label={t('cases.person.alias')}
              value={draft.alias}
              onChange={(alias) => set({ alias })}
              maxLength={200}
            />
            <TextInputField
              label={t('cases.person.contact')}
              description={t('cases.person.contactHelp')}
              value={draft.contact}
              onChange={(contact) => set({ contact })}
              maxLength={200}
            />
          </div>
          <div role="alert" className={roleMissing ? 'form-error' : 'form-error-slot'}>
            {roleMissing ? t('cases.people.roleMissing') : null}
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="form-section-title">{t('cases.people.about')}</legend>
          <div className="stack">
            <AnswerChoice
              label={t('cases.person.gender')}
              group="gender"
              value={draft.gender}
              onChange={(gender) => set({ gender })}
              variant="radio"
            />
            <CheckedField
              label={t('cases.person.age')}
              description={t('cases.person.ageHelp')}
              value={draft.age}
              onChange={(age) => set({ age })}
              inputMode="numeric"
              maxLength={3}
              error={ageInvalid ? t('cases.person.ageInvalid') : undefined}
            />
            {draft.age.trim() === '' && (
              <AnswerChoice
                label={t('cases.person.ageBand')}
                group="age_band"
                value={draft.age_band}
                onChange={(age_band) => set({ age_band })}
                variant="radio"
              />
            )}
            <CodeListField
              label={t('cases.person.citizenship')}
              description={t('cases.person.citizenshipHelp')}
              value={draft.citizenship}
              onChange={(citizenship) => set({ citizenship })}
            />
            <CodeListField
              label={t('cases.person.languages')}
              description={t('cases.person.languagesHelp')}
              value={draft.languages}
              onChange={(languages) => set({ languages })}
            />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="form-section-title">{t('cases.people.exploitation')}</legend>
          <div className="stack">
            <AnswerChoice
              label={t('cases.person.relationship')}
              group="relationship"
              value={draft.relationship_to_exploiter}
              onChange={(relationship_to_exploiter) => set({ relationship_to_exploiter })}
              variant="radio"
            />
            <AnswerChecks
              label={t('cases.person.exploitation')}
              group="exploitation"
              value={draft.exploitation_types}
              onChange={(exploitation_types) => set({ exploitation_types })}
            />
            <AnswerChoice
              label={t('cases.person.venue')}
              group="venue"
              value={draft.venue}
              onChange={(venue) => set({ venue })}
              variant="select"
            />
            <AnswerChoice
              label={t('cases.person.industry')}
              group="industry"
              value={draft.industry}
              onChange={(industry) => set({ industry })}
              variant="select"
            />
            <AnswerChecks
              label={t('cases.person.control')}
              group="control"
              value={draft.means_of_control}
              onChange={(means_of_control) => set({ means_of_control })}
            />
            <AnswerChecks
              label={t('cases.person.recruitment')}
              group="recruitment"
              value={draft.recruitment}
              onChange={(recruitment) => set({ recruitment })}
            />
            <AnswerChecks
              label={t('cases.person.indicators')}
              group="indicator"
              value={draft.indicators}
              onChange={(indicators) => set({ indicators })}
            />
          </div>
        </fieldset>
        <FormError error={isCode(save.error, 'VERSION_CONFLICT') ? null : save.error} />
        <FormError error={remove.error} />
        <div className="dialog-actions">
          {person &&
            (confirmDelete ? (
              <PendingButton
                className="button danger"
                isPending={remove.isPending}
                onPress={() => remove.mutate()}
              >
                {t('cases.people.deleteConfirm')}
              </PendingButton>
            ) : (
              <Button className="button danger-outline" onPress={() => setConfirmDelete(true)}>
                {t('cases.people.delete')}
              </Button>
            ))}
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={save.isPending}>
            {conflict ? t('cases.conflict.saveMine') : t('cases.people.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}

/** ISO codes as text, or "declined" / "unknown" / not asked. */
function CodeListField({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description: string;
  value: CodeListDraft;
  onChange: (value: CodeListDraft) => void;
}) {
  const t = useT();
  const id = useId();
  return (
    <div className="code-list-field">
      <RadioGroup
        className="field answer-group"
        value={value.mode}
        onChange={(mode) => onChange({ ...value, mode: mode as CodeListDraft['mode'] })}
        aria-describedby={`${id}-d`}
      >
        <Label className="field-label">{label}</Label>
        <p id={`${id}-d`} className="field-description">
          {description}
        </p>
        <div className="radio-row">
          {(
            [
              ['not_asked', t('cases.answer.notAsked')],
              ['given', t('cases.answer.given')],
              ['declined', t('cases.answer.declined')],
              ['unknown', t('cases.answer.unknown')],
            ] as const
          ).map(([v, text]) => (
            <Radio key={v} value={v} className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {text}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      {value.mode === 'given' && (
        <TextInputField
          label={t('cases.person.codes', { field: label })}
          value={value.text}
          onChange={(text) => onChange({ ...value, text })}
          maxLength={200}
        />
      )}
    </div>
  );
}
