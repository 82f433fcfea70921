import { api } from '../api/client';
import type {
  Capacity,
  HistoryEntry,
  HsdsPage,
  LocationRecord,
  Organization,
  OverdueService,
  Proposal,
  ProposalStatus,
  RecordType,
  SearchResponse,
  Service,
  ServiceRecord,
  TaxonomyTerm,
} from './types';

// One function per directory endpoint, so components never build URLs or bodies by hand.

const id = (value: string) => encodeURIComponent(value);

export const searchDirectory = (query: URLSearchParams, signal?: AbortSignal) =>
  api<SearchResponse>(`/api/directory/search?${query.toString()}`, { signal });

/** Every taxonomy term (populations, service types), labels in the request's language; the HSDS page cap is 200. */
export async function allTaxonomyTerms(): Promise<TaxonomyTerm[]> {
  const terms: TaxonomyTerm[] = [];
  for (let page = 1; page <= 20; page++) {
    const result = await api<HsdsPage<TaxonomyTerm>>(`/hsds/taxonomy_terms?per_page=200&page=${page}`);
    terms.push(...result.contents);
    if (page >= result.total_pages || result.contents.length === 0) break;
  }
  return terms;
}

export const getOrganization = (orgId: string) =>
  api<{ organization: Organization }>(`/api/directory/organizations/${id(orgId)}`);
export const updateOrganization = (orgId: string, body: Record<string, unknown>) =>
  api<{ organization: Organization }>(`/api/directory/organizations/${id(orgId)}`, { method: 'PATCH', body });

export const getService = (serviceId: string) =>
  api<ServiceRecord>(`/api/directory/services/${id(serviceId)}`);
export const updateService = (serviceId: string, body: Record<string, unknown>) =>
  api<{ service: Service }>(`/api/directory/services/${id(serviceId)}`, { method: 'PATCH', body });
export const setCapacity = (serviceId: string, body: { available: number; maximum: number | null }) =>
  api<{ capacity: Capacity[] }>(`/api/directory/services/${id(serviceId)}/capacity`, { method: 'PUT', body });
export const verifyService = (serviceId: string, note?: string) =>
  api<{ service: Service }>(`/api/directory/services/${id(serviceId)}/verify`, {
    method: 'POST',
    body: note ? { note } : {},
  });

export const getLocation = (locationId: string) =>
  api<LocationRecord>(`/api/directory/locations/${id(locationId)}`);
export const updateLocation = (locationId: string, body: Record<string, unknown>) =>
  api<{ location: LocationRecord['location'] }>(`/api/directory/locations/${id(locationId)}`, {
    method: 'PATCH',
    body,
  });

export const getHistory = (type: RecordType, recordId: string) =>
  api<{ history: HistoryEntry[] }>(`/api/directory/history/${type}/${id(recordId)}`);

export const OVERDUE_PAGE_SIZE = 50;
export const listOverdue = (offset: number) =>
  api<{ services: OverdueService[] }>(
    `/api/directory/verification/overdue?limit=${OVERDUE_PAGE_SIZE}&offset=${offset}`,
  );

export const listProposals = (status: ProposalStatus) =>
  api<{ proposals: Proposal[] }>(`/api/directory/proposals?status=${status}`);
export const decideProposal = (proposalId: string, decision: 'approve' | 'reject', note?: string) =>
  api<{ proposal: Proposal }>(`/api/directory/proposals/${id(proposalId)}/${decision}`, {
    method: 'POST',
    body: note ? { note } : {},
  });
export const createProposal = (body: {
  resourceType: string;
  resourceId: string;
  changes: Record<string, unknown>;
}) => api<{ proposal: Proposal }>('/api/directory/proposals', { method: 'POST', body });

export const createOrganization = (body: Record<string, unknown>) =>
  api<{ organization: Organization }>('/api/directory/organizations', { method: 'POST', body });
export const createService = (body: Record<string, unknown>) =>
  api<{ service: Service }>('/api/directory/services', { method: 'POST', body });
export const createLocation = (body: Record<string, unknown>) =>
  api<{ location: LocationRecord['location'] }>('/api/directory/locations', { method: 'POST', body });
