import { ApiError, api, NetworkError } from '../api/client';
import type { Locale } from '../api/types';
import { type ExportFormat, exportPath, type ImportBody } from './importExport.files';

/** What the server says about an import: the same shape whether it went through (200) or not (422). */
export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  counts: Record<string, number>;
  errors: string[];
  warnings: string[];
}

function isReport(value: unknown): value is ImportReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.ok === 'boolean' && Array.isArray(r.errors) && typeof r.counts === 'object';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch (error) {
    if (!response.ok) throw new ApiError(response.status, 'UNREADABLE_RESPONSE', response.statusText);
    throw new NetworkError(error);
  }
}

function apiErrorOf(response: Response, payload: unknown): ApiError {
  const error =
    typeof payload === 'object' && payload !== null ? (payload as { error?: unknown }).error : undefined;
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  return new ApiError(
    response.status,
    typeof code === 'string' ? code : 'UNKNOWN',
    typeof message === 'string' && message ? message : response.statusText,
  );
}

/**
 * POST /api/directory/import. The shared client throws away the body of a failed call, but a refused import
 * (422) carries the very report the screen must show, so this one call reads it itself.
 */
export async function importDirectory(
  body: ImportBody & { dryRun: boolean },
  context: { csrfToken: string; locale: Locale },
): Promise<ImportReport> {
  let response: Response;
  try {
    response = await fetch('/api/directory/import', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Accept-Language': context.locale,
        'Content-Type': 'application/json',
        'x-csrf-token': context.csrfToken,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new NetworkError(error);
  }
  const payload = await readJson(response);
  if ((response.ok || response.status === 422) && isReport(payload)) return payload;
  throw apiErrorOf(response, payload);
}

/** JSON and NDJSON exports as one file (a Blob to hand to a download link). */
export async function exportFile(
  format: 'json' | 'ndjson',
  confidential: boolean,
  locale: Locale,
): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(exportPath(format, confidential), {
      credentials: 'same-origin',
      headers: {
        Accept: format === 'json' ? 'application/json' : 'application/x-ndjson',
        'Accept-Language': locale,
      },
    });
  } catch (error) {
    throw new NetworkError(error);
  }
  if (!response.ok) throw apiErrorOf(response, await readJson(response).catch(() => undefined));
  const text = await response.text();
  return new Blob([text], {
    type: format === 'json' ? 'application/json' : 'application/x-ndjson',
  });
}

/** The CSV package: file name → text (datapackage.json included). */
export const exportCsv = (confidential: boolean) =>
  api<{ files: Record<string, string> }>(exportPath('csv' satisfies ExportFormat, confidential));
