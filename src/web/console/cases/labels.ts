import {
  AGE_BANDS,
  BREAK_GLASS_REASONS,
  CASE_EVENT_TYPES,
  CASE_STATUSES,
  CLASSIFICATIONS,
  CLOSE_REASONS,
  ESCALATION_KINDS,
  ESCALATION_STATUSES,
  EXPLOITATION_TYPES,
  GENDERS,
  INDICATORS,
  ISIC_SECTIONS,
  MEANS_OF_CONTROL,
  NEEDS,
  OVERRIDE_REASONS,
  PERSON_ROLES,
  PLACE_EVENT_TYPES,
  POLARIS_TYPES,
  RECRUITMENT_METHODS,
  REFERRAL_SHARE_FIELDS,
  REFERRAL_STATUSES,
  RELATIONSHIPS,
  SAFETY,
  TASK_KINDS,
} from '../../../shared/cases';
import type { MessageId } from '../../i18n/messages';

// Labels of every code of src/shared/cases.ts live in the catalogues as `cases.code.<group>.<code>`; the two
// "do no harm" markers as `cases.answer.declined` / `cases.answer.unknown`.

export const CODE_GROUPS = {
  safety: SAFETY,
  classification: CLASSIFICATIONS,
  need: NEEDS,
  status: CASE_STATUSES,
  close_reason: CLOSE_REASONS,
  role: PERSON_ROLES,
  gender: GENDERS,
  age_band: AGE_BANDS,
  relationship: RELATIONSHIPS,
  exploitation: EXPLOITATION_TYPES,
  venue: POLARIS_TYPES,
  industry: ISIC_SECTIONS,
  control: MEANS_OF_CONTROL,
  recruitment: RECRUITMENT_METHODS,
  indicator: INDICATORS,
  place_type: PLACE_EVENT_TYPES,
  task_kind: TASK_KINDS,
  referral_status: REFERRAL_STATUSES,
  share_field: REFERRAL_SHARE_FIELDS,
  escalation_kind: ESCALATION_KINDS,
  escalation_status: ESCALATION_STATUSES,
  override_reason: OVERRIDE_REASONS,
  break_glass: BREAK_GLASS_REASONS,
} as const;

export type CodeGroup = keyof typeof CODE_GROUPS;

export const MARKERS = ['declined', 'unknown'] as const;
export const isMarker = (value: string | null | undefined): boolean =>
  value === 'declined' || value === 'unknown';

export const codeKey = (group: CodeGroup, code: string) => `cases.code.${group}.${code}` as MessageId;

type T = (id: MessageId, values?: Record<string, string | number>) => string;

/** The label of a code or marker; a code the console does not know (newer server) shows as itself. */
export function codeLabel(t: T, group: CodeGroup, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return t('cases.answer.notAsked');
  if (isMarker(code)) return t(`cases.answer.${code}` as MessageId);
  if (!(CODE_GROUPS[group] as readonly string[]).includes(code)) return code;
  return t(codeKey(group, code));
}

/** "Sex, Labour" / "Declined to say" / "Not asked". */
export function listLabel(t: T, group: CodeGroup, codes: readonly string[] | null | undefined): string {
  if (!codes || codes.length === 0) return t('cases.answer.notAsked');
  return codes.map((c) => codeLabel(t, group, c)).join(', ');
}

/** Free codes (ISO countries, languages) as typed, the markers in words. */
export function codesLabel(t: T, codes: readonly string[] | null | undefined): string {
  if (!codes || codes.length === 0) return t('cases.answer.notAsked');
  return codes.map((c) => (isMarker(c) ? t(`cases.answer.${c}` as MessageId) : c)).join(', ');
}

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const dayLabel = (t: T, day: string) => t(`cases.day.${day}` as MessageId);

/** The timeline's event types, labelled in the catalogues as `cases.timeline.type.<type>`. */
export const TIMELINE_TYPES = CASE_EVENT_TYPES;

export function timelineLabel(t: T, type: string): string {
  return (TIMELINE_TYPES as readonly string[]).includes(type)
    ? t(`cases.timeline.type.${type}` as MessageId)
    : type.replaceAll('_', ' ');
}

/** What a call-back's plan conflict (the server's rule code) means, in words. */
export function planConflictLabel(t: T, code: string): string {
  if (code === 'CALLBACK_NUMBER_NOT_SAFE') return t('cases.tasks.planChangedNumber');
  if (code === 'CALLBACK_OUTSIDE_SAFE_WINDOW') return t('cases.tasks.planChangedTime');
  return t('cases.tasks.planChangedNoPlan');
}
