import { describe, expect, it } from 'vitest';
import { parseRoute } from '../router';
import {
  formatDistance,
  isAllDay,
  isConfidential,
  languageName,
  mainCapacity,
  proposalRows,
  show,
  telHref,
  uniqueLabels,
} from './format';
import { groupLabel, groupPoints, offsetKm, project, ringsFor } from './plot';
import {
  changedFields,
  FIELDS,
  fromDraft,
  mergeTranslations,
  numberProblem,
  toDraft,
  translationLanguage,
} from './recordForm';
import { parseDirectoryPath } from './routes';
import {
  EMPTY_SEARCH,
  hasCriteria,
  isPostcode,
  normalisePostcode,
  readSearchState,
  toApiQuery,
  writeSearchState,
} from './searchParams';

// Pure rules of the directory screens: URL ↔ form state ↔ API query, formatting, the distance plot, record forms.

describe('parseDirectoryPath', () => {
  const id = '3e6ceedc-c977-4f2d-8f1a-bb8d250fa8e2';
  it.each([
    [[], { page: 'search' }],
    [['verification'], { page: 'verification' }],
    [['proposals'], { page: 'proposals' }],
    [['services', id], { page: 'record', type: 'service', id }],
    [['organizations', id.toUpperCase()], { page: 'record', type: 'organization', id }],
    [['locations', id], { page: 'record', type: 'location', id }],
    [['organizations', 'new'], { page: 'new', type: 'organization', organizationId: null }],
    [['organizations', id, 'new-service'], { page: 'new', type: 'service', organizationId: id }],
    [['organizations', id, 'new-location'], { page: 'new', type: 'location', organizationId: id }],
  ])('%j', (parts, view) => {
    expect(parseDirectoryPath(parts)).toEqual(view);
  });
  it.each([
    [['services']],
    [['services', 'not-a-uuid']],
    [['constructor', id]],
    [['nope']],
    [['services', id, 'x']],
  ])('%j is not a page', (parts) => {
    expect(parseDirectoryPath(parts)).toBeNull();
  });
});

describe('parseRoute hands /console/directory/* to the directory', () => {
  it('routes directory paths and refuses unknown ones', () => {
    expect(parseRoute('/console/directory')).toEqual({ name: 'directory', view: { page: 'search' } });
    expect(parseRoute('/console/directory/verification/')).toEqual({
      name: 'directory',
      view: { page: 'verification' },
    });
    expect(parseRoute('/console/directory/services/x')).toEqual({ name: 'not-found' });
  });
});

describe('search state', () => {
  it('round-trips through the console URL, keeping only what differs from the defaults', () => {
    const state = {
      ...EMPTY_SEARCH,
      q: 'shelter',
      place: 'Sudbury',
      radiusKm: 100,
      mode: 'serving' as const,
      populations: ['women', 'first-nations'],
      type: 'trafficking-emergency-shelter',
      language: 'fr',
      openNow: true,
      hasCapacity: true,
      page: 2,
    };
    const url = writeSearchState(state);
    expect(readSearchState(url)).toEqual(state);
    expect(writeSearchState(EMPTY_SEARCH)).toBe('');
    expect(writeSearchState({ ...EMPTY_SEARCH, q: '  refuge  ' })).toBe('?q=refuge');
  });

  it('falls back to defaults on malformed or hostile values', () => {
    const s = readSearchState(
      '?radius=9999&mode=x&population=%27%3B+drop&type=a%20b&language=english&page=-3&open=yes',
    );
    expect(s.radiusKm).toBe(50);
    expect(s.mode).toBe('near');
    expect(s.populations).toEqual([]);
    expect(s.type).toBeNull();
    expect(s.language).toBeNull();
    expect(s.page).toBe(0);
    expect(s.openNow).toBe(false);
    expect(readSearchState(`?q=${'x'.repeat(500)}`).q).toHaveLength(200);
  });

  it('needs some criterion before searching', () => {
    expect(hasCriteria(EMPTY_SEARCH)).toBe(false);
    expect(hasCriteria({ ...EMPTY_SEARCH, q: '   ' })).toBe(false);
    expect(hasCriteria({ ...EMPTY_SEARCH, populations: ['youth'] })).toBe(true);
    expect(hasCriteria({ ...EMPTY_SEARCH, hasCapacity: true })).toBe(true);
  });
});

describe('toApiQuery', () => {
  it('sends a postal code as postcode and a city as near, with radius and mode', () => {
    const byCode = toApiQuery({ ...EMPTY_SEARCH, place: 'h2x1y4', radiusKm: 25 }, 'fr');
    expect(byCode.get('postcode')).toBe('H2X 1Y4');
    expect(byCode.get('near')).toBeNull();
    expect(byCode.get('radius_km')).toBe('25');
    expect(byCode.get('mode')).toBe('near');
    expect(byCode.get('lang')).toBe('fr');
    const byCity = toApiQuery({ ...EMPTY_SEARCH, place: 'Thunder Bay', mode: 'serving' }, 'en');
    expect(byCity.get('near')).toBe('Thunder Bay');
    expect(byCity.get('mode')).toBe('serving');
  });

  it('leaves radius and mode out without a place, repeats populations, pages by offset', () => {
    const p = toApiQuery(
      {
        ...EMPTY_SEARCH,
        q: 'lit',
        populations: ['women', 'youth'],
        openNow: true,
        hasCapacity: true,
        page: 3,
      },
      'en',
    );
    expect(p.get('radius_km')).toBeNull();
    expect(p.get('mode')).toBeNull();
    expect(p.getAll('population')).toEqual(['women', 'youth']);
    expect(p.get('open_now')).toBe('true');
    expect(p.get('has_capacity')).toBe('true');
    expect(p.get('limit')).toBe('25');
    expect(p.get('offset')).toBe('75');
  });

  it('recognises postal codes and forward sortation areas only', () => {
    expect(isPostcode('K1A 0B1')).toBe(true);
    expect(isPostcode('k1a')).toBe(true);
    expect(isPostcode('Kamloops')).toBe(false);
    expect(isPostcode('12345')).toBe(false);
    expect(normalisePostcode(' k1a0b1 ')).toBe('K1A 0B1');
  });
});

describe('formatting', () => {
  it('builds dialable tel: links', () => {
    expect(telHref('(416) 555-0158')).toBe('tel:4165550158');
    expect(telHref('+1 416.555.0158', 22)).toBe('tel:+14165550158,22');
  });

  it('marks an entry confidential when any of its parts is', () => {
    const c = (organization: boolean, service: boolean, location: boolean) => ({
      confidential: { organization, service, location },
    });
    expect(isConfidential(c(false, false, false))).toBe(false);
    expect(isConfidential(c(false, false, true))).toBe(true);
    expect(isConfidential(c(true, false, false))).toBe(true);
  });

  it('formats distances in the UI language', () => {
    expect(formatDistance(1.25, 'en-CA')).toBe('1.3 km');
    expect(formatDistance(1.25, 'fr-CA')).toMatch(/^1,3\s?km$/);
    expect(formatDistance(42.4, 'en-CA')).toBe('42 km');
  });

  it('names languages, keeping codes the browser cannot name', () => {
    expect(languageName('fr', 'en-CA')).toBe('French');
    expect(languageName('en', 'fr-CA')).toBe('anglais');
    expect(languageName('zzz', 'en-CA')).toBe('zzz');
    expect(languageName('oj', 'en-CA')).toBe('Ojibwe');
    expect(languageName('oj', 'fr-CA')).toBe('ojibwé');
    expect(uniqueLabels(['Counseling', 'Counseling', 'Trauma'])).toEqual(['Counseling', 'Trauma']);
  });

  it('prefers beds among capacities', () => {
    const at = '2026-01-01T00:00:00Z';
    expect(mainCapacity([])).toBeNull();
    expect(
      mainCapacity([
        { unit: 'room', available: 1, maximum: 2, updated: at },
        { unit: 'bed', available: 3, maximum: 9, updated: at },
      ])?.available,
    ).toBe(3);
  });

  it('says "open 24 hours" for a whole-day period', () => {
    expect(isAllDay({ opens: '00:00', closes: '23:59' })).toBe(true);
    expect(isAllDay({ opens: '09:00', closes: '17:00' })).toBe(false);
  });

  it('shows proposal changes before → after, skipping unchanged values and flattening translations', () => {
    const rows = proposalRows(
      {
        name: 'New name',
        email: 'same@example.org',
        translations: { fr: { name: 'Nouveau nom' } },
        phones: [{ number: '416-555-0100', type: 'voice' }],
      },
      {
        name: 'Old name',
        email: 'same@example.org',
        translations: { fr: { name: 'Ancien nom' } },
        phones: [],
      },
    );
    expect(rows).toEqual([
      { field: 'name', before: 'Old name', after: 'New name' },
      { field: 'translations.fr.name', before: 'Ancien nom', after: 'Nouveau nom' },
      { field: 'phones', before: '', after: '416-555-0100 · voice' },
    ]);
    expect(proposalRows({ available: 3 }, undefined)).toEqual([
      { field: 'available', before: '', after: '3' },
    ]);
    expect(show({ address1: '1 Main St', address2: null, city: 'Gander' })).toBe(
      'address1: 1 Main St; city: Gander',
    );
  });
});

describe('distance plot', () => {
  const toronto = { latitude: 43.7, longitude: -79.4 };
  it('measures east/north offsets in km', () => {
    const north = offsetKm(toronto, { latitude: 44.7, longitude: -79.4 });
    expect(north.north).toBeCloseTo(111.3, 0);
    expect(north.east).toBeCloseTo(0, 5);
    const east = offsetKm(toronto, { latitude: 43.7, longitude: -78.4 });
    expect(east.east).toBeCloseTo(80.5, 0);
  });

  it('puts the centre in the middle, north up, and pulls far points onto the edge', () => {
    expect(project(toronto, toronto, 50, 320, 24)).toEqual({ x: 160, y: 160, clipped: false });
    const up = project(toronto, { latitude: 43.9, longitude: -79.4 }, 50, 320, 24);
    expect(up.x).toBe(160);
    expect(up.y).toBeLessThan(160);
    const far = project(toronto, { latitude: 49, longitude: -79.4 }, 50, 320, 24);
    expect(far.clipped).toBe(true);
    expect(far.y).toBeGreaterThanOrEqual(0);
  });

  it('merges dots at one address under the lowest number', () => {
    const groups = groupPoints(
      [
        { n: 3, x: 100, y: 100, clipped: false },
        { n: 1, x: 102, y: 101, clipped: false },
        { n: 2, x: 200, y: 50, clipped: true },
      ],
      14,
    );
    expect(groups.map(groupLabel)).toEqual(['1+', '2']);
    expect(groups[0]?.numbers).toEqual([1, 3]);
    expect(groups[1]?.clipped).toBe(true);
  });

  it('draws a few round rings up to the radius', () => {
    expect(ringsFor(10)).toEqual([2.5, 5, 10]);
    expect(ringsFor(50)).toEqual([10, 25, 50]);
    expect(ringsFor(250)).toEqual([63, 125, 250]);
  });
});

describe('record forms', () => {
  const fields = FIELDS.service;
  it('turns a record into form strings and back, blank meaning null', () => {
    const record = { name: 'Shelter', description: null, minimumAge: 16, email: '' };
    const draft = toDraft(fields, record);
    expect(draft.name).toBe('Shelter');
    expect(draft.minimumAge).toBe('16');
    expect(draft.description).toBe('');
    const back = fromDraft(fields, { ...draft, maximumAge: ' 24 ' });
    expect(back.minimumAge).toBe(16);
    expect(back.maximumAge).toBe(24);
    expect(back.description).toBeNull();
  });

  it('patches only what changed', () => {
    expect(
      changedFields(
        { name: 'A', email: null, populations: ['x'] },
        { name: 'A', email: null, populations: ['x', 'y'] },
      ),
    ).toEqual({
      populations: ['x', 'y'],
    });
    expect(changedFields({ description: null }, { description: null })).toEqual({});
  });

  it('validates number ranges', () => {
    const age = FIELDS.service.find((f) => f.key === 'minimumAge')!;
    expect(numberProblem(age, '')).toBeNull();
    expect(numberProblem(age, '17')).toBeNull();
    expect(numberProblem(age, '200')).toBe('validation.range');
    expect(numberProblem(age, 'abc')).toBe('validation.badInput');
  });

  it('merges one language of translations, dropping blanks and empty languages', () => {
    const current = { fr: { name: 'Refuge', description: 'Vieux' }, es: { name: 'Refugio' } };
    expect(mergeTranslations(current, 'fr', { name: 'Refuge', description: '  ' })).toEqual({
      es: { name: 'Refugio' },
      fr: { name: 'Refuge' },
    });
    expect(mergeTranslations(current, 'fr', { name: '' })).toEqual({ es: { name: 'Refugio' } });
  });

  it('edits the translation already present, else French', () => {
    expect(translationLanguage({})).toBe('fr');
    expect(translationLanguage({ en: { name: 'Shelter' } })).toBe('en');
    expect(translationLanguage({ fr: { name: 'Refuge' } })).toBe('fr');
  });
});
