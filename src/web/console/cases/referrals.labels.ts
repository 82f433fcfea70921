import {
  ESCALATION_KINDS,
  ESCALATION_STATUSES,
  NEEDS,
  OVERRIDE_REASONS,
  PERSON_ROLES,
  REFERRAL_SHARE_FIELDS,
  REFERRAL_STATUSES,
} from '../../../shared/cases';
import type { MessageId } from '../../i18n/messages';

// Words for every code the referral and escalation screens show (never a raw code, never colour alone).

export const NEED_LABELS = Object.fromEntries(NEEDS.map((n) => [n, `cases.code.need.${n}`])) as Record<
  (typeof NEEDS)[number],
  MessageId
>;

export const PERSON_ROLE_LABELS = Object.fromEntries(
  PERSON_ROLES.map((r) => [r, `cases.code.role.${r}`]),
) as Record<(typeof PERSON_ROLES)[number], MessageId>;

export const REFERRAL_STATUS_LABELS = Object.fromEntries(
  REFERRAL_STATUSES.map((s) => [s, `referrals.status.${s}`]),
) as Record<(typeof REFERRAL_STATUSES)[number], MessageId>;

export const SHARE_FIELD_LABELS = Object.fromEntries(
  REFERRAL_SHARE_FIELDS.map((f) => [f, `referrals.share.${f}`]),
) as Record<(typeof REFERRAL_SHARE_FIELDS)[number], MessageId>;

export const SHARE_FIELD_HELP = Object.fromEntries(
  REFERRAL_SHARE_FIELDS.map((f) => [f, `referrals.shareHelp.${f}`]),
) as Record<(typeof REFERRAL_SHARE_FIELDS)[number], MessageId>;

export const ESCALATION_KIND_LABELS = Object.fromEntries(
  ESCALATION_KINDS.map((k) => [k, `escalations.kind.${k}`]),
) as Record<(typeof ESCALATION_KINDS)[number], MessageId>;

export const ESCALATION_STATUS_LABELS = Object.fromEntries(
  ESCALATION_STATUSES.map((s) => [s, `escalations.status.${s}`]),
) as Record<(typeof ESCALATION_STATUSES)[number], MessageId>;

export const OVERRIDE_REASON_LABELS = Object.fromEntries(
  OVERRIDE_REASONS.map((r) => [r, `escalations.override.${r}`]),
) as Record<(typeof OVERRIDE_REASONS)[number], MessageId>;

/** Outcomes an advocate records when an escalation is completed (stored as these codes). */
export const ESCALATION_OUTCOMES = [
  'report_taken',
  'investigation_opened',
  'person_made_safe',
  'no_action_taken',
  'other',
] as const;
export const ESCALATION_OUTCOME_LABELS = Object.fromEntries(
  ESCALATION_OUTCOMES.map((o) => [o, `escalations.outcome.${o}`]),
) as Record<(typeof ESCALATION_OUTCOMES)[number], MessageId>;

/** The label of a code from one of the maps above, or the code itself when the server sent a newer one. */
export function labelFor(
  labels: Record<string, MessageId>,
  code: string | null | undefined,
  t: (id: MessageId) => string,
): string {
  if (!code) return '';
  const id = labels[code];
  return id ? t(id) : code;
}

/** Badge look + icon per status: the word carries the meaning, the icon and colour only repeat it. */
export function statusBadge(status: string): { className: string; icon: string } {
  switch (status) {
    case 'service_received':
    case 'completed':
    case 'accepted':
      return { className: 'badge badge-ok', icon: '✓' };
    case 'declined':
    case 'could_not_reach':
    case 'cancelled':
    case 'withdrawn':
      return { className: 'badge', icon: '✕' };
    case 'awaiting_approval':
    case 'proposed':
      return { className: 'badge badge-warn', icon: '○' };
    default:
      return { className: 'badge', icon: '●' };
  }
}
