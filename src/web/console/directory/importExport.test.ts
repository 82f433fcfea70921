import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { importDirectory } from './importExport.api';
import {
  exportFileName,
  exportPath,
  importBodyFor,
  isProblem,
  selectionBytes,
  sortedCounts,
} from './importExport.files';
import { parseDirectoryPath } from './routes';

// The import screen's rules: which selections become which request, before anything reaches the server.

const file = (name: string, text = 'id,name\n1,A (fictional)\n') => ({ name, text });

describe('importBodyFor', () => {
  it('one HSDS JSON file becomes a json import with the parsed data', () => {
    expect(importBodyFor([file('service_full.json', '{"id":"x"}')])).toEqual({
      format: 'json',
      data: { id: 'x' },
    });
  });

  it('CSV files (names lowered) and datapackage.json become a csv package', () => {
    const body = importBodyFor([
      file('Organizations.CSV'),
      file('services.csv'),
      file('datapackage.json', '{}'),
    ]);
    expect(body).toEqual({
      format: 'csv',
      files: { 'organizations.csv': file('').text, 'services.csv': file('').text, 'datapackage.json': '{}' },
    });
  });

  it('CSV files without datapackage.json are fine too', () => {
    const body = importBodyFor([file('organizations.csv')]);
    expect(!isProblem(body) && body.format === 'csv' && Object.keys(body.files)).toEqual([
      'organizations.csv',
    ]);
  });

  it.each([
    [[], { problem: 'empty' }],
    [[file('a.json', '{}'), file('organizations.csv')], { problem: 'mixed' }],
    [[file('a.json', '{}'), file('datapackage.json', '{}')], { problem: 'mixed' }],
    [[file('a.json', '{}'), file('b.json', '{}')], { problem: 'severalJson' }],
    [[file('datapackage.json', '{}')], { problem: 'onlyDatapackage' }],
    [[file('notes.txt')], { problem: 'unknownType', file: 'notes.txt' }],
    [[file('broken.json', '{"id": ')], { problem: 'badJson', file: 'broken.json' }],
    [[file('phones.csv'), file('PHONES.csv')], { problem: 'duplicate', file: 'PHONES.csv' }],
  ])('refuses %j', (files, problem) => {
    expect(importBodyFor(files)).toEqual(problem);
  });

  it('does not judge the text of datapackage.json (the server reports it, row-level)', () => {
    const body = importBodyFor([
      file('organizations.csv'),
      file('datapackage.json', '../../datapackage.json'),
    ]);
    expect(isProblem(body)).toBe(false);
  });
});

describe('export helpers', () => {
  it('names files by day and says when they are confidential', () => {
    const day = new Date('2026-11-28T23:30:00Z');
    expect(exportFileName('json', false, day)).toBe('harbour-directory-2026-11-28.json');
    expect(exportFileName('ndjson', true, day)).toBe('harbour-directory-2026-11-28-confidential.ndjson');
  });

  it('asks for confidential data only when the box is ticked', () => {
    expect(exportPath('csv', false)).toBe('/api/directory/export?format=csv');
    expect(exportPath('json', true)).toBe('/api/directory/export?format=json&include_confidential=true');
  });

  it('sorts counts by rows then name, and measures bytes not characters', () => {
    expect(sortedCounts({ service: 2, address: 2, organization: 5 })).toEqual([
      ['organization', 5],
      ['address', 2],
      ['service', 2],
    ]);
    expect(selectionBytes([file('a.csv', 'é')])).toBe(2);
  });
});

describe('directory paths for import and surveys', () => {
  const id = '3e6ceedc-c977-4f2d-8f1a-bb8d250fa8e2';
  it.each([
    [['import'], { page: 'importExport' }],
    [['surveys'], { page: 'surveys' }],
    [['surveys', id.toUpperCase()], { page: 'survey', id }],
  ])('%j', (parts, view) => {
    expect(parseDirectoryPath(parts)).toEqual(view);
  });
  it.each([[['surveys', 'nope']], [['import', 'x']], [['surveys', id, 'x']]])('%j is not a page', (parts) => {
    expect(parseDirectoryPath(parts)).toBeNull();
  });
});

describe('importDirectory', () => {
  const report = {
    ok: false,
    dryRun: true,
    counts: { service: 1 },
    errors: ['service row 1: name is required'],
    warnings: [],
  };
  const respond = (status: number, body: unknown) =>
    vi.fn(async (_url: string, _init: RequestInit) => new Response(JSON.stringify(body), { status }));

  afterEach(() => vi.unstubAllGlobals());

  it('returns the report of a refused import (422) instead of throwing it away, sending CSRF and language', async () => {
    const fetchMock = respond(422, report);
    vi.stubGlobal('fetch', fetchMock);
    const got = await importDirectory(
      { format: 'csv', files: { 'services.csv': 'id\n' }, dryRun: true },
      { csrfToken: 'tok', locale: 'fr-CA' },
    );
    expect(got).toEqual(report);
    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.headers).toMatchObject({ 'x-csrf-token': 'tok', 'Accept-Language': 'fr-CA' });
    expect(JSON.parse(String(init?.body))).toMatchObject({ format: 'csv', dryRun: true });
  });

  it('throws the server’s own error for anything else (403)', async () => {
    vi.stubGlobal('fetch', respond(403, { error: { code: 'FORBIDDEN', message: 'Accès refusé.' } }));
    const failure = importDirectory(
      { format: 'json', data: {}, dryRun: false },
      { csrfToken: 't', locale: 'fr-CA' },
    );
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'Accès refusé.' });
  });
});
