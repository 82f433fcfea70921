import type {
  ESCALATION_KINDS,
  NEEDS,
  OVERRIDE_REASONS,
  REFERRAL_SHARE_FIELDS,
  REFERRAL_STATUSES,
} from '../../../shared/cases';
import { api } from '../api/client';
import type { SearchResponse } from '../directory/types';

// Referrals of a case (docs/api/cases.md "Referrals"): the shapes the console reads and one function per call.

export type Need = (typeof NEEDS)[number];
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export type ShareField = (typeof REFERRAL_SHARE_FIELDS)[number];
export type EscalationKind = (typeof ESCALATION_KINDS)[number];
export type OverrideReason = (typeof OVERRIDE_REASONS)[number];

export interface UserRef {
  id: string;
  display_name: string;
}

export interface Referral {
  id: string;
  case_id: string;
  person_id: string | null;
  need: string;
  organization: { id: string; name: string };
  service: { id: string; name: string } | null;
  status: string;
  consent: { kind: string; agreed: string | null; at: string; recorded_by: UserRef | null } | null;
  override: { by: UserRef | null; at: string; reason: string | null } | null;
  shared_fields: string[];
  sent_at: string | null;
  responded_at: string | null;
  outcome_at: string | null;
  outcome_note: string | null;
  follow_up_task_id: string | null;
  version: number;
  created_at: string;
}

export interface ConsentInput {
  kind: 'verbal' | 'written';
  agreed: string;
  shared_fields: ShareField[];
}

/** The parts of the case detail the referral and escalation sections read (the full type is the case pages'). */
export interface CaseForSections {
  id: string;
  reference: string;
  status: string;
  region: string | null;
  involves_minor: boolean;
  people: {
    id: string;
    role: string;
    name: string | null;
    alias: string | null;
    languages: string[] | null;
    is_minor: boolean;
  }[];
  tasks?: { id: string; due_at: string; done_at: string | null; assignee: UserRef | null }[];
  referrals: Referral[];
  escalations: import('./escalations.api').Escalation[];
  pending_protocols: { kind: string; escalation_id: string | null }[];
}

const id = (value: string) => encodeURIComponent(value);
const ifMatch = (version: number) => ({ 'If-Match': String(version) });

export function referralSearch(
  caseId: string,
  query: { need: string; language?: string | null },
  signal?: AbortSignal,
) {
  const params = new URLSearchParams({ need: query.need });
  // The directory knows languages by their primary subtag (`fr`, not `fr-CA`).
  const primary = query.language?.split('-')[0];
  if (primary && /^[A-Za-z]{2,3}$/.test(primary)) params.set('language', primary.toLowerCase());
  return api<SearchResponse>(`/api/cases/${id(caseId)}/referral-search?${params.toString()}`, { signal });
}

export const createReferral = (
  caseId: string,
  body: {
    person_id?: string;
    need: string;
    organization_id: string;
    service_id?: string;
    consent?: ConsentInput;
  },
) => api<Referral>(`/api/cases/${id(caseId)}/referrals`, { method: 'POST', body });

export const sendReferral = (r: Referral) =>
  api<Referral>(`/api/referrals/${id(r.id)}/send`, { method: 'POST', body: {}, headers: ifMatch(r.version) });

export const overrideReferral = (r: Referral, reason: string) =>
  api<Referral>(`/api/referrals/${id(r.id)}/override`, {
    method: 'POST',
    body: { reason },
    headers: ifMatch(r.version),
  });

export const recordConsent = (r: Referral, consent: ConsentInput) =>
  api<Referral>(`/api/referrals/${id(r.id)}/consent`, {
    method: 'POST',
    body: consent,
    headers: ifMatch(r.version),
  });

export const setReferralStatus = (r: Referral, status: string, note?: string) =>
  api<Referral>(`/api/referrals/${id(r.id)}/status`, {
    method: 'POST',
    body: note ? { status, note } : { status },
    headers: ifMatch(r.version),
  });
