import { api } from '../api/client';
import type { UserRef } from '../cases/referrals.api';

// Supervision (docs/api/cases.md "Supervision"): break-glass reads to review, approvals, overrides, protocols.

export interface BreakGlassRead {
  id: string;
  case_id: string;
  case_reference: string;
  user: UserRef;
  reason: string;
  note: string | null;
  granted_at: string;
  expires_at: string;
  reviewed_by: UserRef | null;
  reviewed_at: string | null;
}

export interface Approval {
  id: string;
  case_id: string;
  case_reference: string;
  kind: string;
  consent_given: boolean;
  override_reason: string | null;
  created_by: UserRef | null;
  created_at: string;
  version: number;
}

export interface OverrideReferral {
  id: string;
  case_id: string;
  case_reference: string;
  need: string;
  status: string;
  organization: { id: string; name: string };
  override_by: UserRef | null;
  override_at: string;
  reason: string | null;
  sent_at: string | null;
}

export interface OverrideEscalation {
  id: string;
  case_id: string;
  case_reference: string;
  kind: string;
  status: string;
  override_reason: string | null;
  note: string | null;
  created_by: UserRef | null;
  created_at: string;
}

export interface ProtocolWaiver {
  case_id: string;
  case_reference: string;
  status: string;
  close_reason: string | null;
  closed_at: string | null;
  waiver: string | null;
}

export interface OverridesResponse {
  referrals: OverrideReferral[];
  escalations: OverrideEscalation[];
  waivers: ProtocolWaiver[];
}

export interface Protocol {
  kind: string;
  version: number;
  steps: { key: string; en: string; fr: string; required: boolean }[];
  requires_approval: boolean;
}

export const supervisionKeys = {
  breakGlass: ['supervision', 'break-glass'] as const,
  approvals: ['supervision', 'approvals'] as const,
  overrides: ['supervision', 'overrides'] as const,
  protocols: ['supervision', 'protocols'] as const,
};

const id = (value: string) => encodeURIComponent(value);

export const listBreakGlass = () =>
  api<{ items: BreakGlassRead[] }>('/api/supervision/break-glass?reviewed=false');
export const reviewBreakGlass = (grantId: string) =>
  api<unknown>(`/api/supervision/break-glass/${id(grantId)}/review`, { method: 'POST', body: {} });
export const listApprovals = () => api<{ items: Approval[] }>('/api/supervision/approvals');
export const listOverrides = () => api<OverridesResponse>('/api/supervision/overrides');
export const listProtocols = () => api<{ items: Protocol[] }>('/api/protocols');
export const saveProtocol = (p: Protocol, body: Pick<Protocol, 'steps' | 'requires_approval'>) =>
  api<Protocol>(`/api/protocols/${id(p.kind)}`, {
    method: 'PUT',
    body,
    headers: { 'If-Match': String(p.version) },
  });
