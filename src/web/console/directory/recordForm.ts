import type { MessageId } from '../../i18n/messages';
import type { RecordType, Translations } from './types';

// What each editable record has: its plain fields (with the HSDS name of their translation, if any), and the
// rules turning the form's strings into the PATCH body with only what changed. Pure, unit-tested.

export type FieldKind = 'text' | 'textarea' | 'email' | 'url' | 'number' | 'postcode';

export interface FieldSpec {
  key: string;
  label: MessageId;
  kind: FieldKind;
  required?: boolean;
  max?: number;
  /** Key inside `translations[lang]` (HSDS snake_case field name); absent: not translated. */
  translation?: string;
  min?: number;
  maxValue?: number;
}

export const FIELDS: Record<RecordType, FieldSpec[]> = {
  organization: [
    {
      key: 'name',
      label: 'directory.field.name',
      kind: 'text',
      required: true,
      max: 300,
      translation: 'name',
    },
    {
      key: 'alternateName',
      label: 'directory.field.alternateName',
      kind: 'text',
      max: 300,
      translation: 'alternate_name',
    },
    {
      key: 'description',
      label: 'directory.field.description',
      kind: 'textarea',
      max: 5000,
      translation: 'description',
    },
    { key: 'email', label: 'directory.field.email', kind: 'email', max: 254 },
    { key: 'website', label: 'directory.field.website', kind: 'url', max: 500 },
  ],
  service: [
    {
      key: 'name',
      label: 'directory.field.name',
      kind: 'text',
      required: true,
      max: 300,
      translation: 'name',
    },
    {
      key: 'alternateName',
      label: 'directory.field.alternateName',
      kind: 'text',
      max: 300,
      translation: 'alternate_name',
    },
    {
      key: 'description',
      label: 'directory.field.description',
      kind: 'textarea',
      max: 5000,
      translation: 'description',
    },
    {
      key: 'eligibilityDescription',
      label: 'directory.field.eligibility',
      kind: 'textarea',
      max: 5000,
      translation: 'eligibility_description',
    },
    { key: 'minimumAge', label: 'directory.field.minimumAge', kind: 'number', min: 0, maxValue: 130 },
    { key: 'maximumAge', label: 'directory.field.maximumAge', kind: 'number', min: 0, maxValue: 130 },
    {
      key: 'applicationProcess',
      label: 'directory.field.applicationProcess',
      kind: 'textarea',
      max: 5000,
      translation: 'application_process',
    },
    {
      key: 'interpretationServices',
      label: 'directory.field.interpretation',
      kind: 'text',
      max: 2000,
      translation: 'interpretation_services',
    },
    {
      key: 'feesDescription',
      label: 'directory.field.fees',
      kind: 'text',
      max: 2000,
      translation: 'fees_description',
    },
    { key: 'intakeNotes', label: 'directory.field.intakeNotes', kind: 'textarea', max: 5000 },
    { key: 'url', label: 'directory.field.website', kind: 'url', max: 500 },
    { key: 'email', label: 'directory.field.email', kind: 'email', max: 254 },
  ],
  location: [
    { key: 'name', label: 'directory.field.name', kind: 'text', max: 300, translation: 'name' },
    {
      key: 'description',
      label: 'directory.field.description',
      kind: 'textarea',
      max: 5000,
      translation: 'description',
    },
    { key: 'latitude', label: 'directory.field.latitude', kind: 'number', min: -90, maxValue: 90 },
    { key: 'longitude', label: 'directory.field.longitude', kind: 'number', min: -180, maxValue: 180 },
  ],
};

export const ADDRESS_FIELDS: FieldSpec[] = [
  { key: 'address1', label: 'directory.field.address1', kind: 'text', required: true, max: 300 },
  { key: 'address2', label: 'directory.field.address2', kind: 'text', max: 300 },
  { key: 'city', label: 'directory.field.city', kind: 'text', required: true, max: 120 },
  { key: 'postalCode', label: 'directory.field.postalCode', kind: 'postcode', required: true },
];

export const PROVINCES = [
  'AB',
  'BC',
  'MB',
  'NB',
  'NL',
  'NS',
  'NT',
  'NU',
  'ON',
  'PE',
  'QC',
  'SK',
  'YT',
] as const;
export const ORGANIZATION_TYPES = [
  'service_provider',
  'law_enforcement',
  'child_protection',
  'government',
  'other',
];
export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'];
export const PHONE_TYPES = ['voice', 'text', 'fax', 'cell', 'video', 'pager', 'textphone'];

/** Record values → form strings (null → ''). */
export function toDraft(fields: FieldSpec[], record: Record<string, unknown>): Record<string, string> {
  const draft: Record<string, string> = {};
  for (const f of fields) {
    const v = record[f.key];
    draft[f.key] = v === null || v === undefined ? '' : String(v);
  }
  return draft;
}

/** Form strings → API values: blank is null, numbers are numbers (an unreadable number stays a string and fails validation). */
export function fromDraft(fields: FieldSpec[], draft: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const text = (draft[f.key] ?? '').trim();
    if (text === '') out[f.key] = f.required ? '' : null;
    else if (f.kind === 'number') out[f.key] = Number.isFinite(Number(text)) ? Number(text) : text;
    else out[f.key] = text;
  }
  return out;
}

/** The number-field rule (range, decimals) as a message id, or null when fine. */
export function numberProblem(spec: FieldSpec, text: string): MessageId | null {
  const value = text.trim();
  if (value === '') return null;
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n)) return 'validation.badInput';
  if ((spec.min !== undefined && n < spec.min) || (spec.maxValue !== undefined && n > spec.maxValue))
    return 'validation.range';
  return null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Only the fields whose value differs from the record: a PATCH that says what changed, for the history. */
export function changedFields(
  original: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (!same(original[key], value)) out[key] = value;
  return out;
}

/** Translations with one language's texts replaced; blank texts dropped, an empty language removed. */
export function mergeTranslations(
  current: Translations,
  lang: string,
  texts: Record<string, string>,
): Translations {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(texts)) if (v.trim()) kept[k] = v.trim();
  const out: Translations = {};
  for (const [l, v] of Object.entries(current)) if (l !== lang) out[l] = v;
  if (Object.keys(kept).length > 0) out[lang] = kept;
  return out;
}

/** The translation language to edit first: the one already present (a French-based record holds `en`), else French. */
export function translationLanguage(translations: Translations): 'fr' | 'en' {
  if (translations.fr || translations['fr-CA']) return 'fr';
  if (translations.en || translations['en-CA']) return 'en';
  return 'fr';
}
