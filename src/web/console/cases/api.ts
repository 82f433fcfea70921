import { ApiError, api } from '../api/client';

import type {
  CaseDetail,
  CaseInput,
  CasePatch,
  CaseSearchParams,
  CaseSearchResult,
  CaseSummary,
  NoteRef,
  Person,
  PersonInput,
  Place,
  PlaceInput,
  Screening,
  ScreeningInput,
  Task,
  TaskInput,
  TeamRef,
  UserRef,
} from './types';

// One function per screening / case endpoint (docs/api/cases.md). Case errors carry more than a code (a 409
// VERSION_CONFLICT the record as it is now and who changed it, a 403 CASE_RESTRICTED the reference to break glass
// with, a 409 CASE_MERGED the case it went into): the shared client keeps the whole error body on `ApiError.body`.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

export const request = api;

/** The other change of a 409 VERSION_CONFLICT: the record as stored now, and who saved it. */
export function conflictOf<T>(error: unknown): { current: T; changedBy: UserRef | null } | null {
  if (!(error instanceof ApiError) || error.code !== 'VERSION_CONFLICT') return null;
  const changed = error.body.changed_by;
  return {
    current: error.body.current as T,
    changedBy:
      isRecord(changed) && typeof changed.display_name === 'string' ? (changed as unknown as UserRef) : null,
  };
}

export function isCode(error: unknown, code: string): error is ApiError {
  return error instanceof ApiError && error.code === code;
}

const id = (value: string) => encodeURIComponent(value);
const ifMatch = (version: number) => ({ 'If-Match': String(version) });

// Screening
export const getScreening = (signalId: string) =>
  request<Screening>(`/api/signals/${id(signalId)}/screening`);
export const saveScreening = (signalId: string, version: number, body: ScreeningInput) =>
  request<Screening>(`/api/signals/${id(signalId)}/screening`, {
    method: 'PUT',
    body,
    headers: ifMatch(version),
  });
export const getSignalCase = (signalId: string) =>
  request<{ case: CaseSummary | null }>(`/api/signals/${id(signalId)}/case`);

// Cases
export function searchParamsOf(params: CaseSearchParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  return search.toString();
}
export const searchCases = (params: CaseSearchParams) => {
  const query = searchParamsOf(params);
  return request<CaseSearchResult>(`/api/cases${query ? `?${query}` : ''}`);
};
export const createCase = (body: CaseInput) => request<CaseDetail>('/api/cases', { method: 'POST', body });
export const getCase = (caseId: string) => request<CaseDetail>(`/api/cases/${id(caseId)}`);
export const getTimeline = (caseId: string, cursor: string) =>
  request<CaseDetail['timeline']>(`/api/cases/${id(caseId)}/timeline?cursor=${encodeURIComponent(cursor)}`);
export const patchCase = (caseId: string, version: number, body: CasePatch) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}`, { method: 'PATCH', body, headers: ifMatch(version) });
export const attachSignal = (caseId: string, signalId: string) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}/signals`, { method: 'POST', body: { signal_id: signalId } });
export const detachSignal = (caseId: string, signalId: string) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}/signals/${id(signalId)}`, { method: 'DELETE' });
export const mergeCase = (caseId: string, version: number, fromCaseId: string) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}/merge`, {
    method: 'POST',
    body: { from_case_id: fromCaseId },
    headers: ifMatch(version),
  });
export const closeCase = (
  caseId: string,
  version: number,
  body: { reason: string; protocol_waiver?: string },
) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}/close`, { method: 'POST', body, headers: ifMatch(version) });
export const reopenCase = (caseId: string, version: number) =>
  request<CaseDetail>(`/api/cases/${id(caseId)}/reopen`, {
    method: 'POST',
    body: {},
    headers: ifMatch(version),
  });
export const breakGlass = (body: { reference: string; reason: string; note?: string }) =>
  request<{ case_id: string; expires_at: string | null }>('/api/cases/break-glass', { method: 'POST', body });
export const listTeams = () => request<{ items: TeamRef[] }>('/api/teams');

// People, places, notes, tasks
export const addPerson = (caseId: string, body: PersonInput) =>
  request<Person>(`/api/cases/${id(caseId)}/people`, { method: 'POST', body });
export const updatePerson = (caseId: string, personId: string, version: number, body: PersonInput) =>
  request<Person>(`/api/cases/${id(caseId)}/people/${id(personId)}`, {
    method: 'PATCH',
    body,
    headers: ifMatch(version),
  });
export const deletePerson = (caseId: string, personId: string, version: number) =>
  request<unknown>(`/api/cases/${id(caseId)}/people/${id(personId)}`, {
    method: 'DELETE',
    headers: ifMatch(version),
  });
export const addPlace = (caseId: string, body: PlaceInput) =>
  request<Place>(`/api/cases/${id(caseId)}/places`, { method: 'POST', body });
export const deletePlace = (caseId: string, placeId: string) =>
  request<unknown>(`/api/cases/${id(caseId)}/places/${id(placeId)}`, { method: 'DELETE' });
export const addNote = (caseId: string, body: string) =>
  request<NoteRef & { created_at: string }>(`/api/cases/${id(caseId)}/notes`, {
    method: 'POST',
    body: { body },
  });
export const addTask = (caseId: string, body: TaskInput) =>
  request<Task>(`/api/cases/${id(caseId)}/tasks`, { method: 'POST', body });
export const updateTask = (
  caseId: string,
  taskId: string,
  version: number,
  body: { done?: boolean; due_at?: string; title?: string },
) =>
  request<Task>(`/api/cases/${id(caseId)}/tasks/${id(taskId)}`, {
    method: 'PATCH',
    body,
    headers: ifMatch(version),
  });
