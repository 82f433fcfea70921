// Pure rules of the import screen: which files make which import, and how exports are named.

/** A file chosen in the browser, already read as text. */
export interface ChosenFile {
  name: string;
  text: string;
}

export type ImportBody = { format: 'json'; data: unknown } | { format: 'csv'; files: Record<string, string> };

/** Why a selection cannot be sent, as a message id suffix (directory.import.problem.*) and the file concerned. */
export type SelectionProblem =
  | { problem: 'empty' }
  | { problem: 'mixed' }
  | { problem: 'severalJson' }
  | { problem: 'onlyDatapackage' }
  | { problem: 'unknownType'; file: string }
  | { problem: 'badJson'; file: string }
  | { problem: 'duplicate'; file: string };

export const DATAPACKAGE = 'datapackage.json';
/** The server's request limit (bodyLimit of POST /api/directory/import). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

const lower = (name: string) => name.toLowerCase();

/**
 * One HSDS JSON file, or CSV files with an optional datapackage.json: the two shapes the import endpoint takes.
 * Anything else is refused here, in the user's language, before it reaches the server.
 */
export function importBodyFor(files: ChosenFile[]): ImportBody | SelectionProblem {
  if (files.length === 0) return { problem: 'empty' };
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(lower(f.name))) return { problem: 'duplicate', file: f.name };
    seen.add(lower(f.name));
    if (!lower(f.name).endsWith('.json') && !lower(f.name).endsWith('.csv'))
      return { problem: 'unknownType', file: f.name };
  }
  const csv = files.filter((f) => lower(f.name).endsWith('.csv'));
  const datapackage = files.find((f) => lower(f.name) === DATAPACKAGE);
  const json = files.filter((f) => lower(f.name).endsWith('.json') && lower(f.name) !== DATAPACKAGE);
  if (json.length > 0 && csv.length > 0) return { problem: 'mixed' };
  if (json.length > 1) return { problem: 'severalJson' };
  if (json.length === 1) {
    const [only] = json as [ChosenFile];
    if (datapackage) return { problem: 'mixed' };
    try {
      return { format: 'json', data: JSON.parse(only.text) as unknown };
    } catch {
      return { problem: 'badJson', file: only.name };
    }
  }
  if (csv.length === 0) return { problem: 'onlyDatapackage' };
  const out: Record<string, string> = {};
  // The server knows the tables by their official file names (organization.csv …), in lower case.
  for (const f of csv) out[lower(f.name)] = f.text;
  if (datapackage) out[DATAPACKAGE] = datapackage.text;
  return { format: 'csv', files: out };
}

export function isProblem(value: ImportBody | SelectionProblem): value is SelectionProblem {
  return 'problem' in value;
}

/** Total size of the selection, to warn before the server refuses it. */
export function selectionBytes(files: ChosenFile[]): number {
  return files.reduce((sum, f) => sum + new Blob([f.text]).size, 0);
}

export type ExportFormat = 'json' | 'ndjson' | 'csv';

/** `harbour-directory-2026-11-28.json`; a confidential export says so in its name. */
export function exportFileName(format: 'json' | 'ndjson', confidential: boolean, date: Date): string {
  const day = date.toISOString().slice(0, 10);
  return `harbour-directory-${day}${confidential ? '-confidential' : ''}.${format}`;
}

/** The export URL for a format, confidential data only when asked. */
export function exportPath(format: ExportFormat, confidential: boolean): string {
  return `/api/directory/export?format=${format}${confidential ? '&include_confidential=true' : ''}`;
}

/** Counts per table in a stable order: most rows first, then by name. */
export function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
