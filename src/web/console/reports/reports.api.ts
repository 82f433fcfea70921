import { api } from '../api/client';
import type { Period } from './period';

// The two reports of the page (docs/api/reports.md): aggregate counts only.

export interface NeedsReport {
  total: number;
  needs: { need: string; count: number; share: number }[];
}

export interface FieldCounts {
  field: string;
  counts: { code: string; count: number }[];
  declined: number;
  unknown: number;
  not_asked: number;
}

export interface ScreeningReport {
  from: string;
  to: string;
  time_zone: string;
  screenings: number;
  fields: FieldCounts[];
  people: number;
  people_by_role: { role: string; people: number; fields: FieldCounts[] }[];
}

const query = (p: Period) => new URLSearchParams({ from: p.from, to: p.to }).toString();

export const reportKeys = {
  needs: (p: Period) => ['reports', 'needs', p.from, p.to] as const,
  screening: (p: Period) => ['reports', 'screening', p.from, p.to] as const,
};

export const fetchNeeds = (p: Period, signal?: AbortSignal) =>
  api<NeedsReport>(`/api/referrals/needs?${query(p)}`, signal ? { signal } : {});

export const fetchScreening = (p: Period, signal?: AbortSignal) =>
  api<ScreeningReport>(`/api/reports/screening?${query(p)}`, signal ? { signal } : {});
