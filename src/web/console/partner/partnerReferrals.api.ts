import { api } from '../api/client';

// The partner's side of referrals (docs/api/cases.md "Partner side"): only what the person agreed to share.

export interface SafeTime {
  days?: string[];
  from?: string;
  to?: string;
}

export interface PartnerReferral {
  id: string;
  need: string;
  status: string;
  sent_at: string | null;
  responded_at: string | null;
  outcome_at: string | null;
  shared: {
    first_name?: string | null;
    contact?: string | null;
    language?: string | null;
    age_band?: string | null;
    gender?: string | null;
    need_details?: string | null;
    safe_times?: SafeTime[] | { time_zone?: string; times?: SafeTime[] } | string | null;
  };
  version: number;
}

export const partnerReferralKeys = {
  list: (status: string) => ['partner', 'referrals', status] as const,
  all: ['partner', 'referrals'] as const,
};

const id = (value: string) => encodeURIComponent(value);

export const listPartnerReferrals = (status: string) =>
  api<{ items: PartnerReferral[] }>(
    `/api/partner/referrals${status ? `?status=${encodeURIComponent(status)}` : ''}`,
  );

export const respondToReferral = (r: PartnerReferral, status: 'accepted' | 'declined', note: string) =>
  api<PartnerReferral>(`/api/partner/referrals/${id(r.id)}/respond`, {
    method: 'POST',
    body: note ? { status, note } : { status },
    headers: { 'If-Match': String(r.version) },
  });

export const recordPartnerOutcome = (
  r: PartnerReferral,
  status: 'service_received' | 'could_not_reach',
  note: string,
) =>
  api<PartnerReferral>(`/api/partner/referrals/${id(r.id)}/outcome`, {
    method: 'POST',
    body: note ? { status, note } : { status },
    headers: { 'If-Match': String(r.version) },
  });
