import type { NeedsReport, ScreeningReport } from '../../../shared/reports';
import { api } from '../api/client';
import type { Period } from './period';

// The two reports of the page (docs/api/reports.md): aggregate counts only.

export type { FieldCounts, NeedsReport, ScreeningReport } from '../../../shared/reports';

const query = (p: Period) => new URLSearchParams({ from: p.from, to: p.to }).toString();

export const reportKeys = {
  needs: (p: Period) => ['reports', 'needs', p.from, p.to] as const,
  screening: (p: Period) => ['reports', 'screening', p.from, p.to] as const,
};

export const fetchNeeds = (p: Period, signal?: AbortSignal) =>
  api<NeedsReport>(`/api/referrals/needs?${query(p)}`, signal ? { signal } : {});

export const fetchScreening = (p: Period, signal?: AbortSignal) =>
  api<ScreeningReport>(`/api/reports/screening?${query(p)}`, signal ? { signal } : {});
