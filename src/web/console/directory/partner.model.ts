import { changedFields, mergeTranslations } from './recordForm';
import type { Capacity, Organization, Phone, ServiceRecord, Translations } from './types';

// What a partner may propose from the console, as pure functions: the form's strings in, a proposal's
// `changes` out (only what differs from the record as it is now), so the hotline's team reviews a short diff.

/** Organization fields a partner edits; confidentiality, type and jurisdiction stay the hotline's decision. */
export const PARTNER_ORG_FIELDS = ['name', 'alternateName', 'description', 'email', 'website'] as const;
/** Service fields a partner edits (intake notes and confidentiality are refused by the server anyway). */
export const PARTNER_SERVICE_FIELDS = [
  'status',
  'description',
  'eligibilityDescription',
  'url',
  'email',
] as const;
/** Translated text fields (HSDS snake_case name inside `translations[lang]`). */
export const ORG_TRANSLATED = { name: 'name', description: 'description' } as const;
export const SERVICE_TRANSLATED = {
  description: 'description',
  eligibilityDescription: 'eligibility_description',
} as const;

export type Draft = Record<string, string>;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The record's fields as form strings (null → ''). */
export function draftOf(record: object, keys: readonly string[]): Draft {
  const values = record as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, text(values[k])]));
}

/** The translation's texts as form strings, keyed by the record's field name. */
export function translationDraft(
  translations: Translations,
  lang: string,
  names: Record<string, string>,
): Draft {
  const texts = translations[lang] ?? {};
  return Object.fromEntries(Object.entries(names).map(([key, hsds]) => [key, texts[hsds] ?? '']));
}

function plainChanges(record: object, keys: readonly string[], draft: Draft, required: string[]) {
  const next: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (draft[k] ?? '').trim();
    next[k] = v === '' ? (required.includes(k) ? '' : null) : v;
  }
  const values = record as Record<string, unknown>;
  const before = Object.fromEntries(keys.map((k) => [k, values[k] === '' ? null : (values[k] ?? null)]));
  return changedFields(before, next);
}

function translationChanges(
  current: Translations,
  lang: string,
  names: Record<string, string>,
  draft: Draft,
): Translations | null {
  const texts = Object.fromEntries(Object.entries(names).map(([key, hsds]) => [hsds, draft[key] ?? '']));
  // Other fields of that language (e.g. a translated name the form does not show) are kept as they are.
  const merged = mergeTranslations(current, lang, { ...(current[lang] ?? {}), ...texts });
  return JSON.stringify(merged) === JSON.stringify(current) ? null : merged;
}

/** An organization proposal's `changes`: changed fields, plus the whole translations object if a text in `lang` changed. */
export function organizationChanges(
  org: Organization,
  draft: Draft,
  lang: string,
  translated: Draft,
): Record<string, unknown> {
  const changes = plainChanges(org, PARTNER_ORG_FIELDS, draft, ['name']);
  const translations = translationChanges(org.translations, lang, ORG_TRANSLATED, translated);
  if (translations) changes.translations = translations;
  return changes;
}

/** Phone rows as the API wants them: blank rows dropped, blank type/note left out. */
export function cleanPhones(phones: Phone[]): { number: string; type?: string; description?: string }[] {
  return phones
    .filter((p) => p.number.trim() !== '')
    .map((p) => ({
      number: p.number.trim(),
      ...(p.type ? { type: p.type } : {}),
      ...(p.description?.trim() ? { description: p.description.trim() } : {}),
    }));
}

/** A service proposal's `changes`: changed fields, translations if changed, the full phone list if it changed. */
export function serviceChanges(
  record: ServiceRecord,
  draft: Draft,
  phones: Phone[],
  lang: string,
  translated: Draft,
): Record<string, unknown> {
  const changes = plainChanges(record.service, PARTNER_SERVICE_FIELDS, draft, ['status']);
  const translations = translationChanges(record.service.translations, lang, SERVICE_TRANSLATED, translated);
  if (translations) changes.translations = translations;
  const next = cleanPhones(phones);
  if (JSON.stringify(next) !== JSON.stringify(cleanPhones(record.phones))) changes.phones = next;
  return changes;
}

export type CapacityProblem = 'wholeNumber' | 'availableRequired' | 'moreThanTotal';

/** A capacity proposal from the two boxes, or the reason it cannot be sent. */
export function capacityChanges(
  available: string,
  maximum: string,
): { changes: { available: number; maximum: number | null } } | { problem: CapacityProblem } {
  const a = available.trim();
  const m = maximum.trim();
  if (a === '') return { problem: 'availableRequired' };
  if (!/^\d{1,6}$/.test(a) || (m !== '' && !/^\d{1,6}$/.test(m))) return { problem: 'wholeNumber' };
  const changes = { available: Number(a), maximum: m === '' ? null : Number(m) };
  if (changes.available > 100000 || (changes.maximum ?? 0) > 100000) return { problem: 'wholeNumber' };
  if (changes.maximum !== null && changes.available > changes.maximum) return { problem: 'moreThanTotal' };
  return { changes };
}

/** The service's latest bed count, if it reports one. */
export function latestCapacity(capacity: Capacity[]): Capacity | null {
  return capacity[0] ?? null;
}
