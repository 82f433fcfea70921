import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import {
  Button,
  CheckboxGroup,
  Form,
  Label,
  Link,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
  Tab,
  TabList,
  TabPanel,
  Tabs,
} from 'react-aria-components';
import { FormattedDate } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { useLocale, useT } from '../locale';
import { navigate, useLocationSearch } from '../router';
import { useSignedInSession } from '../session';
import { TextAreaField, TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import {
  createLocation,
  createOrganization,
  createService,
  getHistory,
  getLocation,
  getOrganization,
  getService,
  setCapacity,
  updateLocation,
  updateOrganization,
  updateService,
  verifyService,
} from './api';
import { DirectoryLayout } from './DirectoryLayout';
import { languageName } from './format';
import { PhonesEditor } from './PhonesEditor';
import { LANGUAGE_CODES, useTerms } from './queries';
import {
  ADDRESS_FIELDS,
  changedFields,
  FIELDS,
  type FieldSpec,
  fromDraft,
  mergeTranslations,
  numberProblem,
  ORGANIZATION_TYPES,
  PROVINCES,
  SERVICE_STATUSES,
  toDraft,
  translationLanguage,
} from './recordForm';
import { canSeeHistory, directoryPaths, lastSearchPath } from './routes';
import type { Address, Capacity, Phone, RecordType, Service, ServiceRecord, Translations } from './types';
import { CheckboxField, ConfidentialBadge } from './widgets';

interface Loaded {
  type: RecordType;
  record: Record<string, unknown> & { id: string; confidential: boolean; translations: Translations };
  service?: ServiceRecord;
  address?: Address | null;
}

async function load(type: RecordType, id: string): Promise<Loaded> {
  if (type === 'organization') {
    const { organization } = await getOrganization(id);
    return { type, record: { ...organization } };
  }
  if (type === 'service') {
    const service = await getService(id);
    return { type, record: { ...service.service }, service };
  }
  const { location, address } = await getLocation(id);
  return { type, record: { ...location }, address };
}

const TYPE_LABELS: Record<RecordType, MessageId> = {
  organization: 'directory.record.organization',
  service: 'directory.record.service',
  location: 'directory.record.location',
};

/** One directory record for managers: details, its translation, capacity (services), history, "verified today". */
export function RecordPage({ type, id }: { type: RecordType; id: string }) {
  const t = useT();
  const { user } = useSignedInSession();
  const [status, setStatus] = useState('');
  const query = useQuery({ queryKey: ['directory', 'record', type, id], queryFn: () => load(type, id) });
  const data = query.data;
  const name = data ? String(data.record.name ?? '') || t(TYPE_LABELS[type]) : t(TYPE_LABELS[type]);
  const title = `${t(TYPE_LABELS[type])} — ${name}`;

  return (
    <DirectoryLayout current="record" title={data ? title : t(TYPE_LABELS[type])}>
      <p>
        <Link href={lastSearchPath()} className="text-link">
          {t('directory.record.backToSearch')}
        </Link>
      </p>
      {query.isPending && <Loading label={t('directory.record.loading')} />}
      {query.isError && <ErrorState error={query.error} onRetry={() => void query.refetch()} />}
      {data && (
        <>
          <RecordSummary data={data} onStatus={setStatus} />
          <p role="status" className="status-line">
            {status}
          </p>
          <Tabs className="tabs" onSelectionChange={() => setStatus('')}>
            <TabList className="tab-list" aria-label={title}>
              <Tab id="details" className="tab">
                {t('directory.record.tab.details')}
              </Tab>
              <Tab id="translation" className="tab">
                {t('directory.record.tab.translation')}
              </Tab>
              {type === 'service' && (
                <Tab id="capacity" className="tab">
                  {t('directory.record.tab.capacity')}
                </Tab>
              )}
              {canSeeHistory(user.role) && (
                <Tab id="history" className="tab">
                  {t('directory.record.tab.history')}
                </Tab>
              )}
            </TabList>
            <TabPanel id="details" className="tab-panel">
              <DetailsForm key={String(data.record.updatedAt)} data={data} onSaved={setStatus} />
            </TabPanel>
            <TabPanel id="translation" className="tab-panel">
              <TranslationForm key={String(data.record.updatedAt)} data={data} onSaved={setStatus} />
            </TabPanel>
            {type === 'service' && data.service && (
              <TabPanel id="capacity" className="tab-panel">
                <CapacityForm serviceId={id} capacity={data.service.capacity} onSaved={setStatus} />
              </TabPanel>
            )}
            {canSeeHistory(user.role) && (
              <TabPanel id="history" className="tab-panel">
                <HistoryList type={type} id={id} />
              </TabPanel>
            )}
          </Tabs>
        </>
      )}
    </DirectoryLayout>
  );
}

function useSaved(type: RecordType, id: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['directory'] });
    void queryClient.invalidateQueries({ queryKey: ['directory', 'record', type, id] });
  };
}

function RecordSummary({ data, onStatus }: { data: Loaded; onStatus: (s: string) => void }) {
  const t = useT();
  const refresh = useSaved(data.type, data.record.id);
  const verify = useMutation({
    mutationFn: () => verifyService(data.record.id),
    onSuccess: () => {
      onStatus(t('directory.verified', { name: String(data.record.name ?? '') }));
      refresh();
    },
  });
  const s = data.service?.service;
  const orgId = (data.record.organizationId as string | null | undefined) ?? null;
  return (
    <div className="record-summary">
      {data.record.confidential && <ConfidentialBadge />}
      {data.type === 'organization' && (
        <>
          <Link href={directoryPaths.newService(data.record.id)} className="button small">
            {t('directory.record.addService')}
          </Link>
          <Link href={directoryPaths.newLocation(data.record.id)} className="button small">
            {t('directory.record.addLocation')}
          </Link>
        </>
      )}
      {orgId && (
        <Link href={directoryPaths.record('organization', orgId)} className="text-link">
          {t('directory.record.openOrganization')}
        </Link>
      )}
      {orgId && data.type === 'service' && (
        <Link
          href={`${directoryPaths.newLocation(orgId)}?service=${encodeURIComponent(data.record.id)}`}
          className="text-link"
        >
          {t('directory.record.addLocationForService')}
        </Link>
      )}
      <span className="muted small-text">
        {t('directory.record.updated')} <RelativeTime value={String(data.record.updatedAt)} />
      </span>
      {s && (
        <>
          <span className="small-text">
            {s.assuredDate ? (
              <>
                {t('directory.record.verifiedOn')}{' '}
                <FormattedDate value={`${s.assuredDate}T12:00:00Z`} dateStyle="medium" />
              </>
            ) : (
              t('directory.verification.neverVerified')
            )}
            {s.verificationDue && (
              <>
                {' · '}
                {t('directory.record.due')}{' '}
                <FormattedDate value={`${s.verificationDue}T12:00:00Z`} dateStyle="medium" />
              </>
            )}
          </span>
          <PendingButton
            className="button small"
            isPending={verify.isPending}
            onPress={() => verify.mutate()}
          >
            <span aria-hidden="true">✓ </span>
            {t('directory.verifyToday')}
          </PendingButton>
          {verify.isError && <FormError error={verify.error} />}
        </>
      )}
    </div>
  );
}

function FieldInput({
  spec,
  value,
  onChange,
  description,
}: {
  spec: FieldSpec;
  value: string;
  onChange: (v: string) => void;
  description?: string;
}) {
  const t = useT();
  const common = {
    label: t(spec.label),
    value,
    onChange,
    isRequired: spec.required ?? false,
    ...(description ? { description } : {}),
    ...(spec.max ? { maxLength: spec.max } : {}),
  };
  if (spec.kind === 'textarea') return <TextAreaField {...common} className="field-wide" />;
  const wide = spec.key === 'name' || spec.key === 'address1' ? 'field-wide' : undefined;
  if (spec.kind === 'number')
    return (
      <TextInputField
        {...common}
        inputMode="decimal"
        validate={(v) => {
          const problem = numberProblem(spec, v);
          return problem ? t(problem) : null;
        }}
      />
    );
  if (spec.kind === 'postcode')
    return (
      <TextInputField
        {...common}
        pattern="[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]"
        messages={{ patternMismatch: t('directory.validation.postcode') }}
      />
    );
  return (
    <TextInputField
      {...common}
      className={wide}
      type={spec.kind === 'email' ? 'email' : spec.kind === 'url' ? 'url' : 'text'}
      messages={spec.kind === 'url' ? { typeMismatch: t('directory.validation.url') } : undefined}
    />
  );
}

function MultiSelect({
  label,
  options,
  value,
  onChange,
  placeholder,
}: {
  label: string;
  options: { id: string; label: string }[];
  value: string[];
  onChange: (v: string[]) => void;
  placeholder: string;
}) {
  return (
    <Select
      className="field"
      selectionMode="multiple"
      value={value}
      onChange={(keys) => onChange((keys as (string | number)[]).map(String))}
      placeholder={placeholder}
    >
      <Label className="field-label">{label}</Label>
      <Button className="input select-button">
        <SelectValue className="select-value" />
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(o) => (
            <ListBoxItem id={o.id} className="listbox-item" textValue={o.label}>
              {o.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

function FormSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend className="form-section-title">{title}</legend>
      <div className="form-grid">{children}</div>
    </fieldset>
  );
}

/** A new organization, or a new service or location of an organization: the details form, then its record page. */
export function NewRecordPage({ type, organizationId }: { type: RecordType; organizationId: string | null }) {
  const t = useT();
  // A location added from a service's page is linked to that service (`?service=<id>`).
  const serviceId = new URLSearchParams(useLocationSearch()).get('service');
  const linkService = type === 'location' && serviceId && UUID_PATTERN.test(serviceId) ? serviceId : null;
  const org = useQuery({
    queryKey: ['directory', 'organization-name', organizationId],
    queryFn: () => getOrganization(organizationId ?? ''),
    enabled: organizationId !== null,
  });
  const title = t(NEW_LABELS[type]);
  const record = {
    id: '',
    confidential: false,
    translations: {},
    ...(organizationId ? { organizationId } : {}),
  };
  const data: Loaded = {
    type,
    record,
    ...(type === 'service'
      ? {
          service: {
            service: record as unknown as Service,
            populations: [],
            serviceTypes: [],
            languages: [],
            phones: [],
            capacity: [],
          },
        }
      : {}),
    address: null,
  };
  return (
    <DirectoryLayout current="record" title={title}>
      {organizationId && (
        <p>
          {t('directory.record.forOrganization')}{' '}
          <Link href={directoryPaths.record('organization', organizationId)} className="text-link">
            {org.data?.organization.name ?? organizationId}
          </Link>
        </p>
      )}
      {org.isError && <ErrorState error={org.error} />}
      <DetailsForm
        data={data}
        onSaved={() => undefined}
        createFor={organizationId}
        extraBody={linkService ? { serviceIds: [linkService] } : undefined}
      />
    </DirectoryLayout>
  );
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NEW_LABELS: Record<RecordType, MessageId> = {
  organization: 'directory.record.new.organization',
  service: 'directory.record.new.service',
  location: 'directory.record.new.location',
};

/** Only the values a new record has: no nulls, no empty lists. */
function withoutBlanks(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
}

function DetailsForm({
  data,
  onSaved,
  createFor,
  extraBody,
}: {
  data: Loaded;
  onSaved: (s: string) => void;
  extraBody?: Record<string, unknown> | undefined;
  /** Creating: the organization of the new service or location (null for a new organization). */
  createFor?: string | null;
}) {
  const creating = createFor !== undefined;
  const t = useT();
  const { locale } = useLocale();
  const terms = useTerms();
  const refresh = useSaved(data.type, data.record.id);
  const fields = FIELDS[data.type];
  const [draft, setDraft] = useState(() => toDraft(fields, data.record));
  const [confidential, setConfidential] = useState(Boolean(data.record.confidential));
  const [orgType, setOrgType] = useState(String(data.record.organizationType ?? 'service_provider'));
  const [jurisdiction, setJurisdiction] = useState<string[]>((data.record.jurisdiction as string[]) ?? []);
  const [status, setStatus] = useState(String(data.record.status ?? 'active'));
  const [populations, setPopulations] = useState<string[]>(data.service?.populations ?? []);
  const [serviceTypes, setServiceTypes] = useState<string[]>(data.service?.serviceTypes ?? []);
  const [languages, setLanguages] = useState<string[]>(data.service?.languages ?? []);
  const [phones, setPhones] = useState<Phone[]>(data.service?.phones ?? []);
  const initialAddress = data.address ?? null;
  const [address, setAddress] = useState<Record<string, string>>(() =>
    toDraft(ADDRESS_FIELDS, { ...(initialAddress ?? {}) }),
  );
  const [province, setProvince] = useState(initialAddress?.stateProvince ?? '');
  const [ageError, setAgeError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: async () => {
      const next: Record<string, unknown> = { ...fromDraft(fields, draft), confidential };
      const original: Record<string, unknown> = { ...data.record };
      if (data.type === 'organization') {
        next.organizationType = orgType;
        next.jurisdiction = [...jurisdiction].sort();
        original.jurisdiction = [...((data.record.jurisdiction as string[]) ?? [])].sort();
      }
      if (data.type === 'service' && data.service) {
        Object.assign(next, { status, populations, serviceTypes, languages, phones: phones.map(cleanPhone) });
        Object.assign(original, {
          populations: data.service.populations,
          serviceTypes: data.service.serviceTypes,
          languages: data.service.languages,
          phones: data.service.phones.map(cleanPhone),
        });
      }
      if (data.type === 'location') {
        const hasAddress = Object.values(address).some((v) => v.trim() !== '') || province !== '';
        next.address = hasAddress
          ? {
              address1: address.address1?.trim() ?? '',
              ...(address.address2?.trim() ? { address2: address.address2.trim() } : {}),
              city: address.city?.trim() ?? '',
              stateProvince: province,
              postalCode: (address.postalCode ?? '').trim().toUpperCase(),
              country: initialAddress?.country ?? 'CA',
            }
          : null;
        original.address = initialAddress
          ? {
              address1: initialAddress.address1,
              ...(initialAddress.address2 ? { address2: initialAddress.address2 } : {}),
              city: initialAddress.city,
              stateProvince: initialAddress.stateProvince,
              postalCode: initialAddress.postalCode,
              country: initialAddress.country,
            }
          : null;
      }
      if (creating) {
        const body = {
          ...withoutBlanks(next),
          ...(createFor ? { organizationId: createFor } : {}),
          ...extraBody,
        };
        const id =
          data.type === 'organization'
            ? (await createOrganization(body)).organization.id
            : data.type === 'service'
              ? (await createService(body)).service.id
              : (await createLocation(body)).location.id;
        navigate(directoryPaths.record(data.type, id));
        return 'created' as const;
      }
      const patch = changedFields(original, next);
      if (Object.keys(patch).length === 0) return 'unchanged' as const;
      if (data.type === 'organization') await updateOrganization(data.record.id, patch);
      else if (data.type === 'service') await updateService(data.record.id, patch);
      else await updateLocation(data.record.id, patch);
      return 'saved' as const;
    },
    onSuccess: (result) => {
      if (result === 'created') {
        refresh();
        return;
      }
      onSaved(result === 'saved' ? t('directory.record.saved') : t('directory.record.unchanged'));
      if (result === 'saved') refresh();
    },
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.isPending) return;
    const min = draft.minimumAge?.trim();
    const max = draft.maximumAge?.trim();
    if (data.type === 'service' && min && max && Number(min) > Number(max)) {
      setAgeError(t('directory.validation.ages'));
      return;
    }
    setAgeError(null);
    save.mutate();
  };

  const set = (key: string) => (v: string) => setDraft((d) => ({ ...d, [key]: v }));
  const populationOptions = (terms.data?.populations ?? []).map((p) => ({ id: p.code, label: p.name }));
  const typeOptions = (terms.data?.serviceTypes ?? []).map((p) => ({ id: p.code, label: p.name }));
  const languageOptions = [...new Set([...LANGUAGE_CODES, ...languages])]
    .map((code) => ({ id: code, label: languageName(code, locale) }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));

  return (
    <Form className="record-form stack" onSubmit={onSubmit} aria-label={t('directory.record.tab.details')}>
      <FormSection title={t('directory.record.section.text')}>
        {fields.map((f) => (
          <FieldInput
            key={f.key}
            spec={f}
            value={draft[f.key] ?? ''}
            onChange={set(f.key)}
            description={f.key === 'intakeNotes' ? t('directory.field.intakeNotesHelp') : undefined}
          />
        ))}
        {ageError && (
          <p className="field-error" role="alert">
            {ageError}
          </p>
        )}
      </FormSection>
      {data.type === 'organization' && (
        <FormSection title={t('directory.record.section.classification')}>
          <SelectField
            label={t('directory.field.organizationType')}
            options={ORGANIZATION_TYPES.map((o) => ({
              id: o,
              label: t(`directory.orgType.${o}` as MessageId),
            }))}
            value={orgType}
            onChange={setOrgType}
          />
          <CheckboxGroup className="field field-wide" value={jurisdiction} onChange={setJurisdiction}>
            <Label className="field-label">{t('directory.field.jurisdiction')}</Label>
            <div className="checkbox-list">
              {PROVINCES.map((p) => (
                <CheckboxField key={p} value={p}>
                  {t(`directory.province.${p}` as MessageId)}
                </CheckboxField>
              ))}
            </div>
          </CheckboxGroup>
        </FormSection>
      )}
      {data.type === 'service' && (
        <FormSection title={t('directory.record.section.classification')}>
          <SelectField
            label={t('directory.field.status')}
            options={SERVICE_STATUSES.map((s) => ({
              id: s,
              label: t(`directory.status.${s.replace(' ', '_')}` as MessageId),
            }))}
            value={status}
            onChange={setStatus}
          />
          <MultiSelect
            label={t('directory.filter.populations')}
            options={populationOptions}
            value={populations}
            onChange={setPopulations}
            placeholder={t('directory.field.none')}
          />
          <MultiSelect
            label={t('directory.field.serviceTypes')}
            options={typeOptions}
            value={serviceTypes}
            onChange={setServiceTypes}
            placeholder={t('directory.field.none')}
          />
          <MultiSelect
            label={t('directory.result.languages')}
            options={languageOptions}
            value={languages}
            onChange={setLanguages}
            placeholder={t('directory.field.none')}
          />
        </FormSection>
      )}
      {data.type === 'service' && <PhonesEditor phones={phones} onChange={setPhones} />}
      {data.type === 'location' && (
        <FormSection title={t('directory.record.section.address')}>
          {ADDRESS_FIELDS.map((f) => (
            <FieldInput
              key={f.key}
              spec={{ ...f, required: f.required && Object.values(address).some((v) => v.trim() !== '') }}
              value={address[f.key] ?? ''}
              onChange={(v) => setAddress((a) => ({ ...a, [f.key]: v }))}
            />
          ))}
          <SelectField
            label={t('directory.field.province')}
            options={PROVINCES.map((p) => ({ id: p, label: t(`directory.province.${p}` as MessageId) }))}
            value={province || null}
            onChange={setProvince}
            placeholder={t('directory.field.choose')}
          />
        </FormSection>
      )}
      <FormSection title={t('directory.record.section.confidentiality')}>
        <div className="field-wide stack-tight">
          <CheckboxField isSelected={confidential} onChange={setConfidential}>
            {t('directory.field.confidential')}
          </CheckboxField>
          <p className="field-description">
            {t(`directory.field.confidentialHelp.${data.type}` as MessageId)}
          </p>
        </div>
      </FormSection>
      <FormError error={save.error} />
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={save.isPending}>
          {creating ? t('directory.record.create') : t('directory.record.save')}
        </PendingButton>
      </div>
    </Form>
  );
}

function cleanPhone(p: Phone): { number: string; type?: string; description?: string } {
  return {
    number: p.number.trim(),
    ...(p.type ? { type: p.type } : {}),
    ...(p.description?.trim() ? { description: p.description.trim() } : {}),
  };
}

function TranslationForm({ data, onSaved }: { data: Loaded; onSaved: (s: string) => void }) {
  const t = useT();
  const refresh = useSaved(data.type, data.record.id);
  const translatable = FIELDS[data.type].filter((f) => f.translation);
  const translations = data.record.translations ?? {};
  const [lang, setLang] = useState<'fr' | 'en'>(translationLanguage(translations));
  const initial = (l: string) => {
    const existing = translations[l] ?? translations[`${l}-CA`] ?? {};
    return Object.fromEntries(translatable.map((f) => [f.translation!, existing[f.translation!] ?? '']));
  };
  const [texts, setTexts] = useState<Record<string, string>>(() => initial(lang));
  const save = useMutation({
    mutationFn: async () => {
      const merged = mergeTranslations(translations, lang, texts);
      if (JSON.stringify(merged) === JSON.stringify(translations)) return 'unchanged' as const;
      const body = { translations: merged };
      if (data.type === 'organization') await updateOrganization(data.record.id, body);
      else if (data.type === 'service') await updateService(data.record.id, body);
      else await updateLocation(data.record.id, body);
      return 'saved' as const;
    },
    onSuccess: (result) => {
      onSaved(result === 'saved' ? t('directory.record.saved') : t('directory.record.unchanged'));
      if (result === 'saved') refresh();
    },
  });
  return (
    <Form
      className="record-form stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!save.isPending) save.mutate();
      }}
      aria-label={t('directory.record.tab.translation')}
    >
      <p className="muted">{t('directory.record.translationIntro')}</p>
      <div className="lang-picker">
        <SelectField
          label={t('directory.record.translationLanguage')}
          options={[
            { id: 'fr', label: t('directory.lang.fr') },
            { id: 'en', label: t('directory.lang.en') },
          ]}
          value={lang}
          onChange={(v) => {
            const next = v === 'en' ? 'en' : 'fr';
            setLang(next);
            setTexts(initial(next));
          }}
        />
      </div>
      <div className="form-grid">
        {translatable.map((f) => {
          const base = data.record[f.key];
          const baseText =
            base === null || base === undefined || base === '' ? t('directory.field.none') : String(base);
          const spec: FieldSpec = { ...f, required: false };
          return (
            <div
              key={f.key}
              className={f.kind === 'textarea' || f.key === 'name' ? 'field-wide' : undefined}
              lang={lang === 'fr' ? 'fr-CA' : 'en-CA'}
            >
              <FieldInput
                spec={spec}
                value={texts[f.translation!] ?? ''}
                onChange={(v) => setTexts((x) => ({ ...x, [f.translation!]: v }))}
                description={t('directory.record.baseText', { text: baseText })}
              />
            </div>
          );
        })}
      </div>
      <FormError error={save.error} />
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={save.isPending}>
          {t('directory.record.saveTranslation')}
        </PendingButton>
      </div>
    </Form>
  );
}

function CapacityForm({
  serviceId,
  capacity,
  onSaved,
}: {
  serviceId: string;
  capacity: Capacity[];
  onSaved: (s: string) => void;
}) {
  const t = useT();
  const refresh = useSaved('service', serviceId);
  const current = capacity[0];
  const [available, setAvailable] = useState(current ? String(current.available) : '');
  const [maximum, setMaximum] = useState(current?.maximum !== null && current ? String(current.maximum) : '');
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      setCapacity(serviceId, {
        available: Number(available),
        maximum: maximum.trim() === '' ? null : Number(maximum),
      }),
    onSuccess: () => {
      onSaved(t('directory.capacity.saved'));
      refresh();
    },
  });
  const intRule = (v: string) =>
    v.trim() === '' || /^\d{1,6}$/.test(v.trim()) ? null : t('directory.validation.wholeNumber');
  return (
    <Form
      className="record-form stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        if (maximum.trim() !== '' && Number(available) > Number(maximum)) {
          setProblem(t('directory.validation.capacity'));
          return;
        }
        setProblem(null);
        save.mutate();
      }}
      aria-label={t('directory.record.tab.capacity')}
    >
      <p>
        {current ? (
          <>
            {current.maximum !== null
              ? t('directory.result.bedsOf', { available: current.available, maximum: current.maximum })
              : t('directory.result.beds', { available: current.available })}{' '}
            <span className="muted">
              {t('directory.result.updated')} <RelativeTime value={current.updated} />
            </span>
          </>
        ) : (
          <span className="muted">{t('directory.capacity.none')}</span>
        )}
      </p>
      <div className="form-grid narrow">
        <TextInputField
          label={t('directory.capacity.available')}
          value={available}
          onChange={setAvailable}
          isRequired
          inputMode="numeric"
          validate={intRule}
        />
        <TextInputField
          label={t('directory.capacity.maximum')}
          value={maximum}
          onChange={setMaximum}
          inputMode="numeric"
          validate={intRule}
        />
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <FormError error={save.error} />
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={save.isPending}>
          {t('directory.capacity.save')}
        </PendingButton>
      </div>
    </Form>
  );
}

function HistoryList({ type, id }: { type: RecordType; id: string }) {
  const t = useT();
  const history = useQuery({
    queryKey: ['directory', 'history', type, id],
    queryFn: () => getHistory(type, id),
    select: (r) => r.history,
  });
  if (history.isPending) return <Loading label={t('directory.history.loading')} />;
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.length === 0) return <EmptyState>{t('directory.history.empty')}</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{t('directory.record.tab.history')}</caption>
        <thead>
          <tr>
            <th scope="col" className="column">
              {t('directory.history.when')}
            </th>
            <th scope="col" className="column">
              {t('directory.proposals.field')}
            </th>
            <th scope="col" className="column">
              {t('directory.proposals.before')}
            </th>
            <th scope="col" className="column">
              {t('directory.proposals.after')}
            </th>
            <th scope="col" className="column">
              {t('directory.history.by')}
            </th>
          </tr>
        </thead>
        <tbody>
          {history.data.map((h) => (
            <tr key={h.id} className="row">
              <td className="cell nowrap">
                <RelativeTime value={h.lastActionDate} />
              </td>
              <th scope="row" className="cell row-head">
                <code>{h.fieldName}</code> <span className="muted small-text">{h.lastActionType}</span>
              </th>
              <td className="cell diff-before">{h.previousValue}</td>
              <td className="cell diff-after">{h.replacementValue}</td>
              <td className="cell">{h.updatedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
