import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Button, Form, Radio, RadioGroup } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useLocale, useT } from '../locale';
import { useSignedInSession } from '../session';
import { TextAreaField, TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { createProposal, getOrganization, getService, listProposals } from './api';
import { DirectoryLayout } from './DirectoryLayout';
import { proposalRows } from './format';
import {
  CANADIAN_ZONES,
  dayName,
  type HoursDraft,
  type HoursProblem,
  hoursChanges,
  hoursDraftOf,
  MAX_PERIODS_PER_DAY,
  type PeriodDraft,
  WEEK_DAYS,
} from './hours.model';
import { PhonesEditor } from './PhonesEditor';
import { type OrganizationServiceRow, servicesOfOrganization } from './partner.api';
import {
  type CapacityProblem,
  capacityChanges,
  type Draft,
  draftOf,
  latestCapacity,
  ORG_TRANSLATED,
  organizationChanges,
  PARTNER_ORG_FIELDS,
  PARTNER_SERVICE_FIELDS,
  SERVICE_TRANSLATED,
  serviceChanges,
  translationDraft,
} from './partner.model';
import { useFieldLabel, useValueLabel, useZoneLabel } from './proposalLabels';
import { SERVICE_STATUSES, translationLanguage } from './recordForm';
import type { Organization, Phone, Proposal, ProposalStatus, ServiceRecord, WeekDay } from './types';
import { ConfidentialBadge } from './widgets';
import './partner.css';

const STATUS_LABELS: Record<ProposalStatus, MessageId> = {
  pending: 'directory.partner.status.pending',
  approved: 'directory.partner.status.approved',
  rejected: 'directory.partner.status.rejected',
};

const BADGE_LABELS: Record<ProposalStatus, MessageId> = {
  pending: 'directory.partner.badge.pending',
  approved: 'directory.partner.badge.approved',
  rejected: 'directory.partner.badge.rejected',
};

const STATUS_BADGES: Record<ProposalStatus, string> = {
  pending: 'badge-warn',
  approved: 'badge-ok',
  rejected: '',
};

const RESOURCE_LABELS: Record<Proposal['resourceType'], MessageId> = {
  organization: 'directory.record.organization',
  service: 'directory.record.service',
  location: 'directory.record.location',
  capacity: 'directory.record.capacity',
  schedule: 'directory.record.hours',
};

const CAPACITY_PROBLEMS: Record<CapacityProblem, MessageId> = {
  wholeNumber: 'directory.validation.wholeNumber',
  availableRequired: 'validation.required',
  moreThanTotal: 'directory.validation.capacity',
};

const statusLabel = (status: string) => `directory.status.${status.replace(' ', '_')}` as MessageId;

/** A partner's own organization: its listing and beds, changes proposed for the hotline's review, and their fate. */
export function PartnerPage() {
  const t = useT();
  const { user } = useSignedInSession();
  // A flag, not a text: the confirmation follows the UI language if the partner switches it afterwards.
  const [sent, setSent] = useState(false);
  const organizationId = user.organizationId ?? null;
  return (
    <DirectoryLayout current="proposals" title={t('directory.partner.title')}>
      <p className="notice">
        <span aria-hidden="true" className="info-icon">
          i
        </span>
        {t('directory.partner.review')}
      </p>
      <p role="status" className="status-line">
        {sent ? t('directory.partner.sent') : ''}
      </p>
      {organizationId ? (
        <OrganizationSection organizationId={organizationId} onSent={() => setSent(true)} />
      ) : (
        <p className="notice notice-warning">
          <span aria-hidden="true">⚠ </span>
          {t('directory.partner.noOrganization')}
        </p>
      )}
      {organizationId && <ProposalsSection organizationId={organizationId} />}
    </DirectoryLayout>
  );
}

function useSent(onSent: (message: string) => void) {
  const t = useT();
  const queryClient = useQueryClient();
  return () => {
    onSent(t('directory.partner.sent'));
    void queryClient.invalidateQueries({ queryKey: ['directory', 'partner', 'proposals'] });
    void queryClient.invalidateQueries({ queryKey: ['directory', 'proposals'] });
  };
}

function OrganizationSection({
  organizationId,
  onSent,
}: {
  organizationId: string;
  onSent: (message: string) => void;
}) {
  const t = useT();
  const org = useQuery({
    queryKey: ['directory', 'partner', 'organization', organizationId],
    queryFn: () => getOrganization(organizationId),
    select: (r) => r.organization,
  });
  const services = useQuery({
    queryKey: ['directory', 'partner', 'services', organizationId],
    queryFn: () => servicesOfOrganization(organizationId),
    select: (r) => r.services,
  });
  const [editing, setEditing] = useState(false);
  if (org.isPending) return <Loading label={t('directory.partner.loading')} />;
  if (org.isError)
    return org.error instanceof ApiError && (org.error.status === 403 || org.error.status === 404) ? (
      <p className="notice notice-warning">
        <span aria-hidden="true">⚠ </span>
        {t('directory.partner.noOrganization')}
      </p>
    ) : (
      <ErrorState error={org.error} onRetry={() => void org.refetch()} />
    );
  const o = org.data;
  const lang = translationLanguage(o.translations);
  const translated = o.translations[lang] ?? {};
  return (
    <>
      <section className="stack partner-org" aria-labelledby="partner-org-name">
        <div className="result-head">
          <h2 id="partner-org-name" className="result-title">
            {o.name}
          </h2>
          {o.confidential && <ConfidentialBadge />}
        </div>
        <dl className="partner-facts">
          <Fact label={t('directory.field.alternateName')} value={o.alternateName} />
          <Fact label={t('directory.field.description')} value={o.description} />
          <Fact
            label={t('directory.partner.translatedDescription', { language: t(`directory.lang.${lang}`) })}
            value={translated.description ?? null}
          />
          <Fact label={t('directory.field.website')} value={o.website} />
          <Fact label={t('directory.field.email')} value={o.email} />
        </dl>
        <div>
          <Button className="button" onPress={() => setEditing(true)}>
            {t('directory.partner.proposeOrganization')}
          </Button>
        </div>
        <ModalDialog
          isOpen={editing}
          onOpenChange={setEditing}
          title={t('directory.partner.proposeTitle', { name: o.name })}
          size="wide"
        >
          <OrganizationForm org={o} onDone={() => setEditing(false)} onSent={onSent} />
        </ModalDialog>
      </section>
      <section className="stack" aria-labelledby="partner-services">
        <h2 id="partner-services" className="partner-section-title">
          {t('directory.partner.services')}
        </h2>
        {services.isPending && <Loading label={t('directory.partner.loadingServices')} />}
        {services.isError && <ErrorState error={services.error} onRetry={() => void services.refetch()} />}
        {services.data && services.data.length === 0 && (
          <EmptyState>{t('directory.partner.noServices')}</EmptyState>
        )}
        {services.data && services.data.length > 0 && (
          <div className="table-wrap">
            <table className="table partner-services">
              <caption className="visually-hidden">{t('directory.partner.services')}</caption>
              <thead>
                <tr>
                  <th scope="col" className="column">
                    {t('directory.record.service')}
                  </th>
                  <th scope="col" className="column">
                    {t('directory.field.status')}
                  </th>
                  <th scope="col" className="column">
                    {t('directory.partner.beds')}
                  </th>
                  <th scope="col" className="column">
                    <span className="visually-hidden">{t('directory.partner.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {services.data.map((s) => (
                  <ServiceRow key={s.id} row={s} onSent={onSent} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function Fact({ label, value }: { label: string; value: string | null }) {
  const t = useT();
  return (
    <div className="partner-fact">
      <dt className="field-label">{label}</dt>
      <dd>{value ? value : <span className="muted">{t('directory.partner.notGiven')}</span>}</dd>
    </div>
  );
}

function ServiceRow({ row, onSent }: { row: OrganizationServiceRow; onSent: (message: string) => void }) {
  const t = useT();
  const record = useQuery({
    queryKey: ['directory', 'partner', 'service', row.id],
    queryFn: () => getService(row.id),
  });
  const [dialog, setDialog] = useState<'service' | 'capacity' | 'hours' | null>(null);
  const capacity = record.data ? latestCapacity(record.data.capacity) : null;
  return (
    <tr className="row">
      <th scope="row" className="cell row-head">
        {row.name} {row.confidential && <ConfidentialBadge />}
      </th>
      <td className="cell">{t(statusLabel(row.status))}</td>
      <td className="cell">
        {record.isPending && <span className="muted">…</span>}
        {record.isError && <span className="muted">{t('directory.partner.bedsUnavailable')}</span>}
        {record.data &&
          (capacity ? (
            <>
              {capacity.maximum !== null
                ? t('directory.partner.bedsOf', { available: capacity.available, maximum: capacity.maximum })
                : t('directory.result.beds', { available: capacity.available })}
              <br />
              <span className="muted small-text">
                {t('directory.result.updated')} <RelativeTime value={capacity.updated} />
              </span>
            </>
          ) : (
            <span className="muted">{t('directory.partner.noBeds')}</span>
          ))}
      </td>
      <td className="cell">
        <div className="partner-actions">
          <Button
            className="button small"
            isDisabled={!record.data}
            onPress={() => setDialog('service')}
            aria-label={t('directory.partner.proposeServiceFor', { name: row.name })}
          >
            {t('directory.partner.proposeService')}
          </Button>
          <Button
            className="button small"
            isDisabled={!record.data}
            onPress={() => setDialog('capacity')}
            aria-label={t('directory.partner.updateBedsFor', { name: row.name })}
          >
            {t('directory.partner.updateBeds')}
          </Button>
          <Button
            className="button small"
            isDisabled={!record.data}
            onPress={() => setDialog('hours')}
            aria-label={t('directory.partner.proposeHoursFor', { name: row.name })}
          >
            {t('directory.partner.proposeHours')}
          </Button>
        </div>
        {record.data && (
          <>
            <ModalDialog
              isOpen={dialog === 'service'}
              onOpenChange={(open) => setDialog(open ? 'service' : null)}
              title={t('directory.partner.proposeTitle', { name: row.name })}
              size="wide"
            >
              <ServiceForm record={record.data} onDone={() => setDialog(null)} onSent={onSent} />
            </ModalDialog>
            <ModalDialog
              isOpen={dialog === 'capacity'}
              onOpenChange={(open) => setDialog(open ? 'capacity' : null)}
              title={t('directory.partner.bedsTitle', { name: row.name })}
            >
              <CapacityForm record={record.data} onDone={() => setDialog(null)} onSent={onSent} />
            </ModalDialog>
            <ModalDialog
              isOpen={dialog === 'hours'}
              onOpenChange={(open) => setDialog(open ? 'hours' : null)}
              title={t('directory.partner.hoursTitle', { name: row.name })}
              size="wide"
            >
              <HoursForm record={record.data} onDone={() => setDialog(null)} onSent={onSent} />
            </ModalDialog>
          </>
        )}
      </td>
    </tr>
  );
}

/** The send/cancel footer and the "nothing changed" and server errors, shared by the three proposal forms. */
function ProposalForm({
  label,
  onSubmit,
  onCancel,
  isPending,
  problem,
  error,
  children,
}: {
  label: string;
  onSubmit: () => void;
  onCancel: () => void;
  isPending: boolean;
  problem: string | null;
  error: unknown;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <Form
      className="record-form stack"
      aria-label={label}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (!isPending) onSubmit();
      }}
    >
      <p className="muted">{t('directory.partner.formHelp')}</p>
      {children}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <FormError error={error} />
      <div className="dialog-actions">
        <Button className="button" onPress={onCancel}>
          {t('action.cancel')}
        </Button>
        <PendingButton type="submit" className="button primary" isPending={isPending}>
          {t('directory.partner.send')}
        </PendingButton>
      </div>
    </Form>
  );
}

function useProposal(onDone: () => void, onSent: (message: string) => void) {
  const sent = useSent(onSent);
  return useMutation({
    mutationFn: createProposal,
    onSuccess: () => {
      onDone();
      sent();
    },
  });
}

function OrganizationForm({
  org,
  onDone,
  onSent,
}: {
  org: Organization;
  onDone: () => void;
  onSent: (message: string) => void;
}) {
  const t = useT();
  const lang = translationLanguage(org.translations);
  const [draft, setDraft] = useState<Draft>(() => draftOf(org, PARTNER_ORG_FIELDS));
  const [translated, setTranslated] = useState<Draft>(() =>
    translationDraft(org.translations, lang, ORG_TRANSLATED),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const propose = useProposal(onDone, onSent);
  const set = (key: string) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const setT = (key: string) => (value: string) => setTranslated((d) => ({ ...d, [key]: value }));
  const language = t(`directory.lang.${lang}`);
  return (
    <ProposalForm
      label={t('directory.partner.proposeTitle', { name: org.name })}
      isPending={propose.isPending}
      problem={problem}
      error={propose.error}
      onCancel={onDone}
      onSubmit={() => {
        const changes = organizationChanges(org, draft, lang, translated);
        if (Object.keys(changes).length === 0) return setProblem(t('directory.partner.nothingChanged'));
        setProblem(null);
        propose.mutate({ resourceType: 'organization', resourceId: org.id, changes });
      }}
    >
      <TextInputField
        label={t('directory.field.name')}
        value={draft.name}
        onChange={set('name')}
        isRequired
        maxLength={300}
      />
      <TextInputField
        label={t('directory.field.alternateName')}
        value={draft.alternateName}
        onChange={set('alternateName')}
        maxLength={300}
      />
      <TextAreaField
        label={t('directory.field.description')}
        value={draft.description}
        onChange={set('description')}
        maxLength={5000}
      />
      <TextInputField
        label={t('directory.field.website')}
        value={draft.website}
        onChange={set('website')}
        type="url"
        maxLength={500}
        messages={{ typeMismatch: t('directory.validation.url') }}
      />
      <TextInputField
        label={t('directory.field.email')}
        value={draft.email}
        onChange={set('email')}
        type="email"
        maxLength={254}
      />
      <fieldset className="form-section">
        <legend className="form-section-title">{t('directory.partner.translation', { language })}</legend>
        <TextInputField
          label={t('directory.partner.inLanguage', { field: t('directory.field.name'), language })}
          value={translated.name}
          onChange={setT('name')}
          maxLength={300}
        />
        <TextAreaField
          label={t('directory.partner.inLanguage', { field: t('directory.field.description'), language })}
          value={translated.description}
          onChange={setT('description')}
          maxLength={5000}
        />
      </fieldset>
    </ProposalForm>
  );
}

function ServiceForm({
  record,
  onDone,
  onSent,
}: {
  record: ServiceRecord;
  onDone: () => void;
  onSent: (message: string) => void;
}) {
  const t = useT();
  const service = record.service;
  const lang = translationLanguage(service.translations);
  const [draft, setDraft] = useState<Draft>(() => draftOf(service, PARTNER_SERVICE_FIELDS));
  const [translated, setTranslated] = useState<Draft>(() =>
    translationDraft(service.translations, lang, SERVICE_TRANSLATED),
  );
  const [phones, setPhones] = useState<Phone[]>(() => record.phones.map((p) => ({ ...p })));
  const [problem, setProblem] = useState<string | null>(null);
  const propose = useProposal(onDone, onSent);
  const set = (key: string) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const setT = (key: string) => (value: string) => setTranslated((d) => ({ ...d, [key]: value }));
  const language = t(`directory.lang.${lang}`);
  return (
    <ProposalForm
      label={t('directory.partner.proposeTitle', { name: service.name })}
      isPending={propose.isPending}
      problem={problem}
      error={propose.error}
      onCancel={onDone}
      onSubmit={() => {
        const changes = serviceChanges(record, draft, phones, lang, translated);
        if (Object.keys(changes).length === 0) return setProblem(t('directory.partner.nothingChanged'));
        setProblem(null);
        propose.mutate({ resourceType: 'service', resourceId: service.id, changes });
      }}
    >
      <SelectField
        label={t('directory.field.status')}
        options={SERVICE_STATUSES.map((s) => ({ id: s, label: t(statusLabel(s)) }))}
        value={draft.status || 'active'}
        onChange={set('status')}
      />
      <TextAreaField
        label={t('directory.field.description')}
        value={draft.description}
        onChange={set('description')}
        maxLength={5000}
      />
      <TextAreaField
        label={t('directory.field.eligibility')}
        value={draft.eligibilityDescription}
        onChange={set('eligibilityDescription')}
        maxLength={5000}
      />
      <TextInputField
        label={t('directory.field.website')}
        value={draft.url}
        onChange={set('url')}
        type="url"
        maxLength={500}
        messages={{ typeMismatch: t('directory.validation.url') }}
      />
      <TextInputField
        label={t('directory.field.email')}
        value={draft.email}
        onChange={set('email')}
        type="email"
        maxLength={254}
      />
      <p className="muted small-text">{t('directory.partner.hoursHelp')}</p>
      <PhonesEditor phones={phones} onChange={setPhones} />
      <fieldset className="form-section">
        <legend className="form-section-title">{t('directory.partner.translation', { language })}</legend>
        <TextAreaField
          label={t('directory.partner.inLanguage', { field: t('directory.field.description'), language })}
          value={translated.description}
          onChange={setT('description')}
          maxLength={5000}
        />
        <TextAreaField
          label={t('directory.partner.inLanguage', { field: t('directory.field.eligibility'), language })}
          value={translated.eligibilityDescription}
          onChange={setT('eligibilityDescription')}
          maxLength={5000}
        />
      </fieldset>
    </ProposalForm>
  );
}

function CapacityForm({
  record,
  onDone,
  onSent,
}: {
  record: ServiceRecord;
  onDone: () => void;
  onSent: (message: string) => void;
}) {
  const t = useT();
  const current = latestCapacity(record.capacity);
  const [available, setAvailable] = useState(current ? String(current.available) : '');
  const [maximum, setMaximum] = useState(current?.maximum != null ? String(current.maximum) : '');
  const [problem, setProblem] = useState<string | null>(null);
  const propose = useProposal(onDone, onSent);
  const intRule = (v: string) =>
    v.trim() === '' || /^\d{1,6}$/.test(v.trim()) ? null : t('directory.validation.wholeNumber');
  return (
    <ProposalForm
      label={t('directory.partner.bedsTitle', { name: record.service.name })}
      isPending={propose.isPending}
      problem={problem}
      error={propose.error}
      onCancel={onDone}
      onSubmit={() => {
        const result = capacityChanges(available, maximum);
        if ('problem' in result) return setProblem(t(CAPACITY_PROBLEMS[result.problem]));
        setProblem(null);
        propose.mutate({ resourceType: 'capacity', resourceId: record.service.id, changes: result.changes });
      }}
    >
      <div className="form-grid narrow">
        <TextInputField
          label={t('directory.capacity.available')}
          value={available}
          onChange={setAvailable}
          isRequired
          inputMode="numeric"
          validate={intRule}
          autoFocus
        />
        <TextInputField
          label={t('directory.capacity.maximum')}
          value={maximum}
          onChange={setMaximum}
          inputMode="numeric"
          validate={intRule}
        />
      </div>
    </ProposalForm>
  );
}

const HOURS_PROBLEMS: Record<Exclude<HoursProblem, 'nothingChanged'>, MessageId> = {
  time: 'directory.hours.problem.time',
  same: 'directory.hours.problem.same',
  overlap: 'directory.hours.problem.overlap',
};

/** The week's opening hours, day by day (a day without a period is closed), in a named time zone. */
function HoursForm({
  record,
  onDone,
  onSent,
}: {
  record: ServiceRecord;
  onDone: () => void;
  onSent: (message: string) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const zoneLabel = useZoneLabel();
  const [draft, setDraft] = useState<HoursDraft>(() => hoursDraftOf(record.hours));
  const [problem, setProblem] = useState<string | null>(null);
  const propose = useProposal(onDone, onSent);
  const zones = CANADIAN_ZONES.some((z) => z.id === draft.timezone)
    ? CANADIAN_ZONES.map((z) => z.id)
    : [draft.timezone, ...CANADIAN_ZONES.map((z) => z.id)];
  const setDay = (day: WeekDay, periods: PeriodDraft[]) =>
    setDraft((d) => ({ ...d, days: { ...d.days, [day]: periods } }));
  return (
    <ProposalForm
      label={t('directory.partner.hoursTitle', { name: record.service.name })}
      isPending={propose.isPending}
      problem={problem}
      error={propose.error}
      onCancel={onDone}
      onSubmit={() => {
        const result = hoursChanges(draft, record.hours);
        if ('problem' in result) {
          return setProblem(
            result.problem === 'nothingChanged'
              ? t('directory.partner.nothingChanged')
              : t(HOURS_PROBLEMS[result.problem], { day: dayName(result.day ?? 'MO', locale, false) }),
          );
        }
        setProblem(null);
        propose.mutate({
          resourceType: 'schedule',
          resourceId: record.service.id,
          changes: { ...result.changes },
        });
      }}
    >
      <p className="small-text">{t('directory.hours.intro')}</p>
      <SelectField
        label={t('directory.hours.timezone')}
        description={t('directory.hours.timezoneHelp')}
        options={zones.map((id) => ({ id, label: zoneLabel(id) }))}
        value={draft.timezone}
        onChange={(timezone) => setDraft((d) => ({ ...d, timezone }))}
        isRequired
      />
      <div className="hours-week">
        {WEEK_DAYS.map((day) => (
          <DayHours key={day} day={day} periods={draft.days[day]} onChange={(p) => setDay(day, p)} />
        ))}
      </div>
    </ProposalForm>
  );
}

/** One day: its periods (opens, closes, remove), "Closed" when it has none, and a button to add one. */
function DayHours({
  day,
  periods,
  onChange,
}: {
  day: WeekDay;
  periods: PeriodDraft[];
  onChange: (periods: PeriodDraft[]) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const name = dayName(day, locale);
  const lower = dayName(day, locale, false);
  const update = (i: number, patch: Partial<PeriodDraft>) =>
    onChange(periods.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset className="hours-day">
      <legend className="hours-day-name">{name}</legend>
      {periods.length === 0 && <p className="muted hours-closed">{t('directory.hours.closed')}</p>}
      {periods.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: periods have no identity of their own
        <div key={i} className="hours-period">
          <TextInputField
            label={t('directory.hours.opens')}
            value={p.opens}
            onChange={(v) => update(i, { opens: v })}
            type="time"
            isRequired
          />
          <TextInputField
            label={t('directory.hours.closes')}
            value={p.closes}
            onChange={(v) => update(i, { closes: v })}
            type="time"
            isRequired
          />
          <Button
            className="button small danger-outline"
            aria-label={t('directory.hours.removeFor', { n: i + 1, day: lower })}
            onPress={() => onChange(periods.filter((_, j) => j !== i))}
          >
            {t('directory.hours.remove')}
          </Button>
        </div>
      ))}
      <div>
        <Button
          className="button small"
          isDisabled={periods.length >= MAX_PERIODS_PER_DAY}
          aria-label={t('directory.hours.addFor', { day: lower })}
          onPress={() => {
            const last = periods[periods.length - 1];
            onChange([
              ...periods,
              last ? { opens: last.closes, closes: '' } : { opens: '09:00', closes: '17:00' },
            ]);
          }}
        >
          {t('directory.hours.add')}
        </Button>
      </div>
    </fieldset>
  );
}

function ProposalsSection({ organizationId }: { organizationId: string }) {
  const t = useT();
  const [status, setStatus] = useState<ProposalStatus>('pending');
  const proposals = useQuery({
    queryKey: ['directory', 'partner', 'proposals', status],
    queryFn: () => listProposals(status),
    select: (r) => r.proposals,
  });
  const services = useQuery({
    queryKey: ['directory', 'partner', 'services', organizationId],
    queryFn: () => servicesOfOrganization(organizationId),
    select: (r) => new Map(r.services.map((s) => [s.id, s.name])),
  });
  const list = proposals.data;
  return (
    <section className="stack" aria-labelledby="partner-proposals">
      <h2 id="partner-proposals" className="partner-section-title">
        {t('directory.partner.proposals')}
      </h2>
      <RadioGroup
        className="field"
        orientation="horizontal"
        value={status}
        onChange={(v) => setStatus(v as ProposalStatus)}
      >
        <span className="field-label">{t('directory.partner.show')}</span>
        <div className="radio-row">
          {(Object.keys(STATUS_LABELS) as ProposalStatus[]).map((s) => (
            <Radio key={s} value={s} className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t(STATUS_LABELS[s])}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      {proposals.isPending && <Loading label={t('directory.partner.loadingProposals')} />}
      {proposals.isError && <ErrorState error={proposals.error} onRetry={() => void proposals.refetch()} />}
      {list && list.length === 0 && (
        <EmptyState>
          {status === 'pending' ? t('directory.partner.noPending') : t('directory.partner.noneDecided')}
        </EmptyState>
      )}
      {list && list.length > 0 && (
        <ol className="proposal-list">
          {list.map((p) => (
            <PartnerProposal key={p.id} proposal={p} names={services.data} organizationId={organizationId} />
          ))}
        </ol>
      )}
    </section>
  );
}

/** The listing as it is now, flattened like a proposal's `changes` (translations, phones, beds), or undefined while loading. */
function useCurrent(proposal: Proposal, organizationId: string): Record<string, unknown> | undefined {
  const pending = proposal.status === 'pending';
  const org = useQuery({
    queryKey: ['directory', 'partner', 'organization', organizationId],
    queryFn: () => getOrganization(organizationId),
    enabled: pending && proposal.resourceType === 'organization',
  });
  const service = useQuery({
    queryKey: ['directory', 'partner', 'service', proposal.resourceId],
    queryFn: () => getService(proposal.resourceId),
    enabled:
      pending &&
      (proposal.resourceType === 'service' ||
        proposal.resourceType === 'capacity' ||
        proposal.resourceType === 'schedule'),
  });
  if (!pending) return undefined;
  if (proposal.resourceType === 'organization')
    return org.data?.organization as Record<string, unknown> | undefined;
  if (!service.data) return undefined;
  if (proposal.resourceType === 'capacity') {
    const c = service.data.capacity[0];
    return { available: c?.available ?? null, maximum: c?.maximum ?? null };
  }
  if (proposal.resourceType === 'schedule')
    return { timezone: service.data.hours?.timezone ?? null, hours: service.data.hours?.hours ?? [] };
  return { ...service.data.service, phones: service.data.phones };
}

function PartnerProposal({
  proposal,
  names,
  organizationId,
}: {
  proposal: Proposal;
  names: Map<string, string> | undefined;
  organizationId: string;
}) {
  const t = useT();
  const fieldLabel = useFieldLabel();
  const valueLabel = useValueLabel();
  // While it waits, show only what it would change (the form sends all texts of a translation); once decided,
  // or if the listing already matches, every proposed value.
  const current = useCurrent(proposal, organizationId);
  const diff = current ? proposalRows(proposal.changes, current) : [];
  const rows = diff.length > 0 ? diff : proposalRows(proposal.changes, undefined);
  const headingId = `proposal-${proposal.id}`;
  const subject =
    proposal.resourceType === 'organization'
      ? proposal.organizationName
      : (names?.get(proposal.resourceId) ?? proposal.organizationName);
  return (
    <li className="proposal" aria-labelledby={headingId}>
      <div className="result-head">
        <h3 id={headingId} className="result-title">
          {t(RESOURCE_LABELS[proposal.resourceType])} — {subject}
        </h3>
        <span className={`badge ${STATUS_BADGES[proposal.status]}`}>{t(BADGE_LABELS[proposal.status])}</span>
      </div>
      <p className="muted small-text">
        {t('directory.partner.proposedAt')} <RelativeTime value={proposal.proposedAt} />
        {proposal.reviewedAt && (
          <>
            {' · '}
            {t('directory.partner.reviewedAt')} <RelativeTime value={proposal.reviewedAt} />
          </>
        )}
      </p>
      <div className="table-wrap">
        <table className="table diff-table partner-diff">
          <caption className="visually-hidden">{t('directory.partner.changes')}</caption>
          <thead>
            <tr>
              <th scope="col" className="column">
                {t('directory.partner.field')}
              </th>
              <th scope="col" className="column">
                {t('directory.partner.proposedValue')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const shown = valueLabel(r.field, r.after, proposal.changes[r.field]);
              return (
                <tr key={r.field} className="row">
                  <th scope="row" className="cell row-head">
                    {fieldLabel(r.field)}
                  </th>
                  <td className="cell">
                    {shown ? shown : <span className="muted">{t('directory.partner.blank')}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {proposal.reviewNote && (
        <p className="small-text">
          {t('directory.partner.reviewNote')} {proposal.reviewNote}
        </p>
      )}
    </li>
  );
}
