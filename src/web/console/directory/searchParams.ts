// The search form's state lives in the page URL (shareable, Back returns to the same results), and is turned into
// the API's query string here: one place that knows both shapes, unit-tested in directory.test.ts.

export const RADIUS_OPTIONS = [10, 25, 50, 100, 250] as const;
export const DEFAULT_RADIUS = 50;
export const PAGE_SIZE = 25;

export type SearchMode = 'near' | 'serving';

export interface SearchState {
  q: string;
  place: string;
  radiusKm: number;
  mode: SearchMode;
  populations: string[];
  type: string | null;
  language: string | null;
  openNow: boolean;
  hasCapacity: boolean;
  page: number;
}

export const EMPTY_SEARCH: SearchState = {
  q: '',
  place: '',
  radiusKm: DEFAULT_RADIUS,
  mode: 'near',
  populations: [],
  type: null,
  language: null,
  openNow: false,
  hasCapacity: false,
  page: 0,
};

const POSTCODE = /^[A-Za-z][0-9][A-Za-z](?: ?[0-9][A-Za-z][0-9])?$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const LANGUAGE = /^[A-Za-z]{2,3}$/;

/** A full postal code or its first three characters (FSA), as the search API accepts them. */
export function isPostcode(text: string): boolean {
  return POSTCODE.test(text.trim());
}

/** "h2x1y4" → "H2X 1Y4": how people type it is not how it is written. */
export function normalisePostcode(text: string): string {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  return compact.length === 6 ? `${compact.slice(0, 3)} ${compact.slice(3)}` : compact;
}

/** True when there is something to search for; an empty form shows a hint, not the whole directory. */
export function hasCriteria(s: SearchState): boolean {
  return (
    s.q.trim() !== '' ||
    s.place.trim() !== '' ||
    s.populations.length > 0 ||
    s.type !== null ||
    s.language !== null ||
    s.openNow ||
    s.hasCapacity
  );
}

/** Reads the console URL's query (`?q=…&place=…`); anything malformed falls back to the default. */
export function readSearchState(search: string): SearchState {
  const p = new URLSearchParams(search);
  const radius = Number(p.get('radius'));
  const page = Number(p.get('page'));
  const type = p.get('type');
  const language = p.get('language');
  return {
    q: (p.get('q') ?? '').slice(0, 200),
    place: (p.get('place') ?? '').slice(0, 100),
    radiusKm: (RADIUS_OPTIONS as readonly number[]).includes(radius) ? radius : DEFAULT_RADIUS,
    mode: p.get('mode') === 'serving' ? 'serving' : 'near',
    populations: [...new Set(p.getAll('population').filter((c) => CODE.test(c)))].slice(0, 20),
    type: type && CODE.test(type) ? type : null,
    language: language && LANGUAGE.test(language) ? language.toLowerCase() : null,
    openNow: p.get('open') === '1',
    hasCapacity: p.get('beds') === '1',
    page: Number.isInteger(page) && page > 0 && page < 400 ? page : 0,
  };
}

/** The console URL's query for a state: only what differs from the defaults, in a stable order. */
export function writeSearchState(s: SearchState): string {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q.trim());
  if (s.place.trim()) p.set('place', s.place.trim());
  if (s.radiusKm !== DEFAULT_RADIUS) p.set('radius', String(s.radiusKm));
  if (s.mode !== 'near') p.set('mode', s.mode);
  for (const c of s.populations) p.append('population', c);
  if (s.type) p.set('type', s.type);
  if (s.language) p.set('language', s.language);
  if (s.openNow) p.set('open', '1');
  if (s.hasCapacity) p.set('beds', '1');
  if (s.page > 0) p.set('page', String(s.page));
  const text = p.toString();
  return text ? `?${text}` : '';
}

/**
 * The API query (`GET /api/directory/search`): a postal code goes to `postcode`, anything else to `near`
 * (the server resolves city names); radius and mode only mean something with a place.
 */
export function toApiQuery(s: SearchState, lang: 'en' | 'fr'): URLSearchParams {
  const p = new URLSearchParams();
  const q = s.q.trim();
  if (q) p.set('q', q);
  const place = s.place.trim();
  if (place) {
    if (isPostcode(place)) p.set('postcode', normalisePostcode(place));
    else p.set('near', place);
    p.set('radius_km', String(s.radiusKm));
    p.set('mode', s.mode);
  }
  for (const c of s.populations) p.append('population', c);
  if (s.type) p.set('type', s.type);
  if (s.language) p.set('language', s.language);
  if (s.openNow) p.set('open_now', 'true');
  if (s.hasCapacity) p.set('has_capacity', 'true');
  p.set('limit', String(PAGE_SIZE));
  if (s.page > 0) p.set('offset', String(s.page * PAGE_SIZE));
  p.set('lang', lang);
  return p;
}
