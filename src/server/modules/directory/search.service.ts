import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { POPULATIONS_TAXONOMY } from './directory.projection.js';
import { type FoundPlace, findPlace, fsaCentroid } from './places.js';
import {
  NEAR_CANDIDATES,
  searchRepository as repo,
  type SearchHit,
  type SearchQuery,
  type ZoneNow,
} from './search.repository.js';

/**
 * Directory search for staff and for the public.
 *
 * Ranking (documented in the API description too):
 * - relevance r ∈ [0, 1]: the share of the query's words found in the projection's `document` (unaccented,
 *   lower-cased text in every language; a word matches as a substring, a plural's final s dropped);
 * - proximity p ∈ [0, 1] (mode `near`): 1 − distance / radius;
 * - score = 0.6·r + 0.4·p with both a text and a place, r with text only, p with a place only;
 *   ties: nearer first, then a stable id order.
 * A row matches the text when any word is found (served by the GIN trigram index). When nothing matches,
 * a typo pass compares the words with service and organisation names by pg_trgm word_similarity ≥ 0.3
 * ("Shleter" for "shelter"), r being the mean similarity, and the answer says `fuzzy: true`.
 */

export const DEFAULT_TIMEZONE = 'America/Toronto';
const MAX_WORDS = 6;
const CACHE_MS = 5 * 60_000;
const MAX_WORD_LENGTH = 40;
const STOPWORDS = new Set([
  'the',
  'and',
  'for',
  'with',
  'of',
  'in',
  'to',
  'a',
  'an',
  'de',
  'des',
  'du',
  'la',
  'le',
  'les',
  'et',
  'pour',
  'avec',
  'au',
  'aux',
  'en',
  'un',
  'une',
  'dans',
  'sur',
]);
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
const SHORT_DAYS: Record<string, (typeof WEEKDAYS)[number]> = {
  Sun: 'SU',
  Mon: 'MO',
  Tue: 'TU',
  Wed: 'WE',
  Thu: 'TH',
  Fri: 'FR',
  Sat: 'SA',
};

/** Lower-case, unaccented (as SQL unaccent does for French), control characters and symbols dropped. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[\p{C}]/gu, ' ');
}

/** The words a query searches for: letters and digits only, stop words dropped when others remain. */
export function searchWords(q: string | undefined): string[] {
  if (!q) return [];
  const all = normalizeText(q)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2)
    .map((w) => w.slice(0, MAX_WORD_LENGTH));
  const unique = [...new Set(all)];
  const content = unique.filter((w) => !STOPWORDS.has(w));
  return (content.length > 0 ? content : unique).slice(0, MAX_WORDS);
}

/**
 * One formatter per time zone, kept: building an Intl.DateTimeFormat costs ~0.1 ms and every search result's
 * "open today" needs one (an unknown zone throws here, and is not kept).
 */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(tz: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    if (zoneFormats.size < 1000) zoneFormats.set(tz, format);
  }
  return format;
}

/** Local weekday, date and time of `now` in a named zone, or undefined if the zone is not a real one. */
export function zoneNow(tz: string, now: Date): ZoneNow | undefined {
  try {
    const parts = zoneFormat(tz).formatToParts(now);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    const day = SHORT_DAYS[get('weekday')];
    if (!day) return undefined;
    const prevDay = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
    return {
      tz,
      day,
      prevDay,
      hm: `${get('hour')}:${get('minute')}`,
      date: `${get('year')}-${get('month')}-${get('day')}`,
    };
  } catch {
    return undefined;
  }
}

export interface SearchParams {
  q?: string;
  near?: string;
  lat?: number;
  lng?: number;
  postcode?: string;
  radiusKm: number;
  mode: 'near' | 'serving';
  populations: string[];
  types: string[];
  language?: string;
  openNow: boolean;
  hasCapacity: boolean;
  limit: number;
  offset: number;
}

export interface ResolvedPlace {
  kind: 'city' | 'fsa' | 'point' | 'province';
  name: string | null;
  province: string | null;
  latitude: number | null;
  longitude: number | null;
  approximate: boolean;
}

export type ScheduleRow = Record<string, unknown>;

export interface SearchDetails {
  services: Map<string, Record<string, unknown>>;
  organizations: Map<string, Record<string, unknown>>;
  locations: Map<string, Record<string, unknown>>;
  addresses: Map<string, Record<string, unknown>>;
  phones: Record<string, unknown>[];
  schedules: ScheduleRow[];
  capacity: Record<string, unknown>[];
  terms: Map<string, { name: string; translations: Record<string, Record<string, string>> }>;
}

export interface SearchOutcome {
  audience: 'staff' | 'public';
  hits: SearchHit[];
  total: number;
  /** Near a place, at most NEAR_CANDIDATES matches are counted and ranked: "200+". */
  totalCapped: boolean;
  fuzzy: boolean;
  place: ResolvedPlace | null;
  mode: 'near' | 'serving';
  radiusKm: number;
  details: SearchDetails;
  now: Date;
}

export interface SearchServiceDeps {
  db: Db;
  /** Injected so tests can fix the clock for "open now" and today's hours. */
  now?: () => Date;
}

const byId = (rows: Record<string, unknown>[], key = 'id') => new Map(rows.map((r) => [String(r[key]), r]));

/** Directory search as plain functions over the database; routes call it, presenters shape the result. */
export function createSearchService(deps: SearchServiceDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

  // Taxonomy terms and resolved city names change rarely and are read by every search: kept in memory and
  // re-read on a miss (a new term) or after a few minutes, which saves round trips per search.
  type Term = {
    code: string;
    taxonomy: string;
    name: string;
    translations: Record<string, Record<string, string>>;
  };
  let terms: { at: number; byCode: Map<string, Term>; populations: Set<string> } | undefined;
  async function loadTerms(force: boolean) {
    if (!force && terms && Date.now() - terms.at < CACHE_MS) return terms;
    const rows = await repo.allTerms(db);
    terms = {
      at: Date.now(),
      byCode: new Map(rows.map((t) => [t.code, t])),
      populations: new Set(rows.filter((t) => t.taxonomy === POPULATIONS_TAXONOMY).map((t) => t.code)),
    };
    return terms;
  }
  const places = new Map<string, { at: number; place: FoundPlace }>();
  async function cachedPlace(text: string) {
    const hit = places.get(text);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.place;
    const found = await findPlace(db, text);
    if (found) {
      if (places.size >= 1000) places.clear();
      places.set(text, { at: Date.now(), place: found });
    }
    return found;
  }

  async function resolvePlace(p: SearchParams): Promise<ResolvedPlace | null> {
    if (p.lat !== undefined || p.lng !== undefined) {
      if (p.lat === undefined || p.lng === undefined)
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'lat, lng' });
      return {
        kind: 'point',
        name: null,
        province: null,
        latitude: p.lat,
        longitude: p.lng,
        approximate: false,
      };
    }
    if (p.postcode) {
      const found = await fsaCentroid(db, p.postcode);
      if (!found) throw new AppError('UNKNOWN_PLACE', 400);
      if (found.approximate) {
        return {
          kind: 'province',
          name: null,
          province: found.province,
          latitude: null,
          longitude: null,
          approximate: true,
        };
      }
      return fromRow('fsa', found);
    }
    if (p.near) {
      const found = await cachedPlace(p.near);
      if (!found) throw new AppError('UNKNOWN_PLACE', 400);
      return fromRow('city', found);
    }
    return null;
  }

  async function openNowZones(now: Date) {
    const zones = new Set([DEFAULT_TIMEZONE, ...(await repo.scheduleTimezones(db))]);
    return [...zones].map((tz) => zoneNow(tz, now)).filter((z): z is ZoneNow => z !== undefined);
  }

  async function loadDetails(hits: SearchHit[]): Promise<SearchDetails> {
    const uniq = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => Boolean(v)))];
    const raw = await repo.details(
      db,
      uniq(hits.map((h) => h.serviceId)),
      uniq(hits.map((h) => h.locationId)),
      uniq(hits.map((h) => h.organizationId)),
    );
    const codes = uniq(hits.flatMap((h) => [...h.populations, ...h.serviceTypes]));
    let known = await loadTerms(false);
    if (codes.some((c) => !known.byCode.has(c))) known = await loadTerms(true);
    return {
      services: byId(raw.services),
      organizations: byId(raw.organizations),
      locations: byId(raw.locations),
      addresses: byId(raw.addresses, 'location_id'),
      phones: raw.phones,
      schedules: raw.schedules,
      capacity: raw.capacity,
      terms: new Map(codes.flatMap((c) => (known.byCode.has(c) ? [[c, known.byCode.get(c)!] as const] : []))),
    };
  }

  return {
    /**
     * Runs a search for one audience. Validation that needs the database (population codes, place names)
     * happens here; the public audience never sees confidential rows, in the items or in the total.
     */
    async search(params: SearchParams, audience: 'staff' | 'public'): Promise<SearchOutcome> {
      const now = clock();
      let known = await loadTerms(false);
      if (params.populations.some((c) => !known.populations.has(c))) known = await loadTerms(true);
      const unknown = params.populations.filter((c) => !known.populations.has(c));
      if (unknown.length > 0) throw new AppError('UNKNOWN_POPULATION', 400, { codes: unknown.join(', ') });
      const place = await resolvePlace(params);
      const mode: 'near' | 'serving' = place && place.latitude === null ? 'serving' : params.mode;
      if (mode === 'serving' && !place?.province && params.mode === 'serving')
        throw new AppError('SEARCH_PLACE_REQUIRED', 400);
      const words = searchWords(params.q);
      const query: SearchQuery = {
        audience,
        words,
        textMode: 'strict',
        ...(place && place.latitude !== null && place.longitude !== null
          ? { origin: { lat: place.latitude, lng: place.longitude } }
          : {}),
        radiusM: params.radiusKm * 1000,
        mode,
        ...(place?.province && mode === 'serving' ? { province: place.province } : {}),
        populations: params.populations,
        types: params.types,
        ...(params.language ? { language: params.language.toLowerCase() } : {}),
        hasCapacity: params.hasCapacity,
        ...(params.openNow
          ? { openNow: { zones: await openNowZones(now), defaultTz: DEFAULT_TIMEZONE } }
          : {}),
        limit: params.limit,
        offset: params.offset,
      };
      const run = async (q: SearchQuery) => {
        const hits = await repo.search(db, q);
        const total = hits[0]?.total ?? (q.offset > 0 ? await repo.count(db, q) : 0);
        return { hits, total };
      };
      let { hits, total } = await run(query);
      let fuzzy = false;
      if (total === 0 && words.length > 0) {
        ({ hits, total } = await run({ ...query, textMode: 'fuzzy' }));
        fuzzy = true;
      }
      return {
        audience,
        hits,
        total,
        // Near a place, search ranks the NEAR_CANDIDATES nearest matching rows (see search.repository.ts).
        totalCapped: query.origin !== undefined && mode === 'near' && total >= NEAR_CANDIDATES,
        fuzzy,
        place,
        mode,
        radiusKm: params.radiusKm,
        details: await loadDetails(hits),
        now,
      };
    },

    /** Autocomplete for the public search box: public service/organisation names and city names. */
    async suggest(q: string) {
      const words = searchWords(q);
      const word = words.join(' ').slice(0, 60);
      if (word.length < 2) return { names: [], places: [] };
      return repo.suggest(db, word, 8);
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;

function fromRow(kind: 'city' | 'fsa', p: FoundPlace): ResolvedPlace {
  return {
    kind,
    name: p.name,
    province: p.province,
    latitude: p.latitude,
    longitude: p.longitude,
    approximate: false,
  };
}
