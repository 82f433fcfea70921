import { api } from '../api/client';
import type { UserRef } from './referrals.api';

// Escalations of a case (docs/api/cases.md "Escalations"): shapes and one function per call.

export interface ProtocolStep {
  key: string;
  en: string;
  fr: string;
  required: boolean;
  done_at?: string | null;
  done_by?: UserRef | string | null;
}

export interface Escalation {
  id: string;
  case_id: string;
  kind: string;
  organization: { id: string; name: string } | null;
  status: string;
  protocol: { version: number; steps: ProtocolStep[] };
  consent_given: boolean;
  override_reason: string | null;
  override_note: string | null;
  approval_required: boolean;
  approved_by: UserRef | string | null;
  approved_at: string | null;
  agency_reference: string | null;
  outcome: string | null;
  outcome_note: string | null;
  made_at: string | null;
  completed_at: string | null;
  version: number;
  created_at: string;
}

export interface Agency {
  id: string;
  name: string;
  city?: string | null;
  province?: string | null;
  distance_km?: number | null;
}

const id = (value: string) => encodeURIComponent(value);
const ifMatch = (version: number) => ({ 'If-Match': String(version) });

/** Agencies of a kind that cover the case's region, nearest first (any of the shapes a list endpoint uses). */
export async function listAgencies(caseId: string, kind: string): Promise<Agency[]> {
  const result = await api<{ items?: Agency[] } | Agency[]>(
    `/api/cases/${id(caseId)}/agencies?kind=${encodeURIComponent(kind)}`,
  );
  return Array.isArray(result) ? result : (result.items ?? []);
}

export const createEscalation = (
  caseId: string,
  body: {
    kind: string;
    organization_id?: string;
    consent_given: boolean;
    override_reason?: string;
    override_note?: string;
  },
) => api<Escalation>(`/api/cases/${id(caseId)}/escalations`, { method: 'POST', body });

export const approveEscalation = (e: { id: string; version: number }) =>
  api<Escalation>(`/api/escalations/${id(e.id)}/approve`, {
    method: 'POST',
    body: {},
    headers: ifMatch(e.version),
  });

export const toggleStep = (e: Escalation, key: string, done: boolean) =>
  api<Escalation>(`/api/escalations/${id(e.id)}/steps`, {
    method: 'POST',
    body: { key, done },
    headers: ifMatch(e.version),
  });

export const markMade = (e: Escalation, agencyReference: string) =>
  api<Escalation>(`/api/escalations/${id(e.id)}/made`, {
    method: 'POST',
    body: agencyReference ? { agency_reference: agencyReference } : {},
    headers: ifMatch(e.version),
  });

export const completeEscalation = (e: Escalation, outcome: string, note: string) =>
  api<Escalation>(`/api/escalations/${id(e.id)}/complete`, {
    method: 'POST',
    body: note ? { outcome, outcome_note: note } : { outcome },
    headers: ifMatch(e.version),
  });

export const cancelEscalation = (e: Escalation, note: string) =>
  api<Escalation>(`/api/escalations/${id(e.id)}/cancel`, {
    method: 'POST',
    body: { note },
    headers: ifMatch(e.version),
  });

/** Who, in words, whichever shape the server uses for a person reference. */
export function userName(value: UserRef | string | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? null : value.display_name;
}
