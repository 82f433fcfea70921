import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../platform/db.js';
import { POPULATIONS_TAXONOMY, SERVICE_TYPE_TAXONOMIES } from './directory.projection.js';

/** Statuses that search shows; inactive and defunct services are only reachable through the editor. */
export const SEARCHABLE_STATUSES = ['active', 'temporarily closed'] as const;
/** The typo pass ("Shleter" for "shelter" scores 0.33): only run when the strict pass finds nothing. */
export const FUZZY_THRESHOLD = 0.3;
/** The typo pass looks at no more rows than this (after the other filters), so it stays bounded. */
export const FUZZY_CANDIDATES = 2000;
/**
 * Near a place, search ranks the NEAR_CANDIDATES nearest matching rows (exact whenever relevance does not
 * vary, e.g. a one-word or no-text query); `total` then counts at most this many (`totalCapped`).
 */
export const NEAR_CANDIDATES = 200;
/** Weights of the ranking: score = W_TEXT·relevance + W_NEAR·proximity (see search.service.ts). */
export const W_TEXT = 0.6;
export const W_NEAR = 0.4;

/** Current local weekday/time in one time zone, computed by the service (so tests can fix the clock). */
export interface ZoneNow {
  tz: string;
  /** RFC 5545 weekday of today and of yesterday in that zone (MO..SU). */
  day: string;
  prevDay: string;
  /** HH:MM local time. */
  hm: string;
  /** YYYY-MM-DD local date. */
  date: string;
}

export interface SearchQuery {
  audience: 'staff' | 'public';
  /** Unaccented, lower-cased words. Empty: no text condition. */
  words: string[];
  /** 'strict' uses the index operator; 'fuzzy' the explicit lower threshold (typo pass). */
  textMode: 'strict' | 'fuzzy';
  origin?: { lat: number; lng: number };
  radiusM: number;
  /** Near: within radius of origin. Serving: provinces include `province`. */
  mode: 'near' | 'serving';
  province?: string;
  populations: string[];
  types: string[];
  language?: string;
  hasCapacity: boolean;
  /** When set, only rows with a weekly schedule open now in its zone. Schedules without a zone use `defaultTz`. */
  openNow?: { zones: ZoneNow[]; defaultTz: string };
  limit: number;
  offset: number;
}

export interface SearchHit {
  id: string;
  serviceId: string;
  locationId: string | null;
  organizationId: string;
  city: string | null;
  provinces: string[];
  populations: string[];
  serviceTypes: string[];
  languages: string[];
  latitude: number | null;
  longitude: number | null;
  confidential: boolean;
  locationConfidential: boolean;
  relevance: number;
  distanceM: number | null;
  score: number;
  total: number;
}

type Row = Record<string, unknown>;

/** `%word%` for LIKE: a plural's final s dropped (shelters → shelter, femmes → femme), wildcards escaped. */
export function likePattern(word: string): string {
  const stem = word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
  return `%${stem.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const textArray = (values: string[]) =>
  values.length === 0
    ? sql`'{}'::text[]`
    : sql`array[${sql.join(
        values.map((v) => sql`${v}::text`),
        sql`, `,
      )}]`;

const dayMatch = (day: SQL) =>
  sql`(upper(coalesce(sch.freq, '')) = 'DAILY' or coalesce(sch.byday, '') = ''
       or ${day} = any(string_to_array(upper(replace(sch.byday, ' ', '')), ',')))`;

/** The open-now condition: a weekly (or daily) rule of the row's service, service-at-location or location. */
function openNowCondition(openNow: NonNullable<SearchQuery['openNow']>): SQL {
  if (openNow.zones.length === 0) return sql`false`;
  const zones = sql.join(
    openNow.zones.map(
      (z) => sql`(${z.tz}::text, ${z.day}::text, ${z.prevDay}::text, ${z.hm}::text, ${z.date}::date)`,
    ),
    sql`, `,
  );
  const opens = sql`left(sch.opens_at, 5)`;
  const closes = sql`left(sch.closes_at, 5)`;
  return sql`exists (
    select 1 from schedule sch
    join (values ${zones}) as z(tz, day, prev_day, hm, local_date)
      on z.tz = coalesce(sch.timezone, ${openNow.defaultTz}::text)
    where (sch.service_id = ds.service_id or sch.service_at_location_id = ds.id
           or (ds.location_id is not null and sch.location_id = ds.location_id and sch.service_id is null))
      and upper(coalesce(sch.freq, 'WEEKLY')) in ('WEEKLY', 'DAILY')
      and sch.opens_at is not null and sch.closes_at is not null
      and (sch.valid_from is null or sch.valid_from <= z.local_date)
      and (sch.valid_to is null or sch.valid_to >= z.local_date)
      and (
        (${opens} <= ${closes} and ${dayMatch(sql`z.day`)} and z.hm >= ${opens} and z.hm < ${closes})
        or (${opens} > ${closes} and (
              (${dayMatch(sql`z.day`)} and z.hm >= ${opens})
           or (${dayMatch(sql`z.prev_day`)} and z.hm < ${closes})))
      ))`;
}

/** A lexeme quoted for tsquery input (words are letters and digits; codes are ours, but quote anyway). */
const lexeme = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** The prefix a typed word matches: its stem (plural s dropped), as `likePattern` does for substrings. */
export function wordStem(word: string): string {
  return word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
}

/** Degrees of latitude per metre on earthdistance's sphere (earth() = 6,378,168 m), with a little slack. */
const METRES_PER_DEGREE = (6_378_168 * Math.PI) / 180;
/** More grid cells than this in one query and the coarser grid (or no grid) is used. */
const MAX_CELLS = 48;

/**
 * The grid cells (the projection's `~c1:lat:lng` 1° and `~c5:` 5° keys) covering the bounding box of a circle,
 * or undefined when the circle is too large (or reaches a pole) for cells to narrow anything. Every point within
 * `radiusM` of the origin lies in one of the returned cells.
 */
export function coveringCells(lat: number, lng: number, radiusM: number): string[] | undefined {
  const dLat = radiusM / METRES_PER_DEGREE + 0.01;
  const south = lat - dLat;
  const north = lat + dLat;
  if (south <= -89 || north >= 89) return undefined;
  const widest = Math.max(Math.abs(south), Math.abs(north));
  const dLng = radiusM / (METRES_PER_DEGREE * Math.cos((widest * Math.PI) / 180)) + 0.01;
  if (dLng >= 170) return undefined;
  for (const [size, prefix] of [
    [1, '~c1'],
    [5, '~c5'],
  ] as const) {
    const rows = Math.floor(north / size) - Math.floor(south / size) + 1;
    const first = Math.floor((lng - dLng) / size);
    const last = Math.floor((lng + dLng) / size);
    if (rows * (last - first + 1) > MAX_CELLS) continue;
    const span = 360 / size;
    const cells: string[] = [];
    for (let y = Math.floor(south / size); y <= Math.floor(north / size); y++) {
      for (let x = first; x <= last; x++) {
        // Longitudes wrap: cell indexes live in [-180, 180) / size.
        const wrapped = ((((x + span / 2) % span) + span) % span) - span / 2;
        cells.push(`${prefix}:${y}:${wrapped}`);
      }
    }
    return cells;
  }
  return undefined;
}

/**
 * The text search as one tsquery over the projection's `terms`: any typed word as a prefix (staff also match
 * a confidential location's own words, stored as `x:` lexemes), AND every filter key, AND (near a place) one of
 * the covering grid cells. Everything a search narrows by is intersected inside the GIN index.
 */
export function termsQuery(q: SearchQuery, options: { filters: boolean } = { filters: true }): string {
  const any = (values: string[]) => `(${values.join(' | ')})`;
  const wordQuery = (w: string) => {
    const stem = wordStem(w);
    return q.audience === 'staff' ? `(${lexeme(stem)}:* | ${lexeme(`x:${stem}`)}:*)` : `${lexeme(stem)}:*`;
  };
  const parts = [any(q.words.map(wordQuery))];
  if (!options.filters) return parts[0]!;
  for (const p of q.populations) parts.push(lexeme(`~p:${p}`));
  if (q.types.length > 0) parts.push(any(q.types.map((t) => lexeme(`~t:${t}`))));
  if (q.language) parts.push(lexeme(`~g:${q.language}`));
  if (q.hasCapacity) parts.push(lexeme('~cap'));
  if (q.mode === 'serving' || !q.origin) {
    if (q.province) parts.push(lexeme(`~v:${q.province}`));
  } else {
    const cells = coveringCells(q.origin.lat, q.origin.lng, q.radiusM);
    if (cells) parts.push(any(cells.map(lexeme)));
  }
  return parts.join(' & ');
}

/** All SQL of directory search. Reads the projection; display details come from the base tables. */
export const searchRepository = {
  /**
   * (The inner select is fenced with OFFSET 0 so the scan computes the score and the window count never
   * carries the long document column — it spilled to disk otherwise.)
   * One page of ranked search rows plus the total (window count over the same filters, so the total never
   * counts rows the audience may not see). Uses the projection's GIN (trigram, arrays) and GiST (earth) indexes.
   */
  async search(db: Db, q: SearchQuery): Promise<SearchHit[]> {
    // Typed words near a place go through the GiST index in distance order (dense areas: a few hundred rows
    // read, whatever the total); elsewhere the GIN index on `terms` finds exactly the matching rows.
    const near = q.origin !== undefined && q.mode === 'near';
    const rows =
      q.words.length > 0 && q.textMode === 'strict' && !near
        ? await rowsOf(db, termsSearchSql(q))
        : await searchRepository.scanSearch(db, q);
    return rows.map(toHit);
  },

  /**
   * Searches without typed words (by place and filters only) and the typo pass: near a place, the nearest
   * NEAR_CANDIDATES matching rows from the GiST index (KNN), otherwise the array indexes.
   */
  async scanSearch(db: Db, q: SearchQuery): Promise<Row[]> {
    const conditions: SQL[] = [
      sql`ds.status in (${sql.join(
        SEARCHABLE_STATUSES.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    ];
    if (q.audience === 'public') conditions.push(sql`not ds.confidential`);

    let relevance: SQL = sql`0::float8`;
    const textConditions: SQL[] = [];
    let joins = sql``;
    if (q.words.length > 0 && q.textMode === 'strict') {
      // Words as prefixes of the row's own `terms` (a sorted array: a cheap check per row read).
      textConditions.push(sql`ds.terms @@ ${termsQuery(q, { filters: false })}::tsquery`);
      relevance = wordsRelevance(q);
    } else if (q.words.length > 0) {
      // Typo pass: trigram word similarity against service and organisation names (short strings, so cheap),
      // over at most FUZZY_CANDIDATES rows that pass the other filters.
      joins = sql`join lateral (
        select lower(unaccent(concat_ws(' ', s.name, s.alternate_name, o.name, o.alternate_name,
               s.translations->'en'->>'name', s.translations->'fr'->>'name',
               o.translations->'en'->>'name', o.translations->'fr'->>'name'))) as names
          from service s join organization o on o.id = s.organization_id
         where s.id = ds.service_id) nm on true`;
      const sims = q.words.map((w) => sql`word_similarity(${w}::text, nm.names)`);
      relevance = sql`((${sql.join(sims, sql` + `)}) / ${q.words.length}::float8)`;
      textConditions.push(
        sql`(${sql.join(
          sims.map((x) => sql`${x} >= ${FUZZY_THRESHOLD}::float8`),
          sql` or `,
        )})`,
      );
    }

    let distance: SQL = sql`null::float8`;
    let proximity: SQL | undefined;
    if (q.origin) {
      const origin = sql`ll_to_earth(${q.origin.lat}::float8, ${q.origin.lng}::float8)`;
      // A confidential location's coordinates never position anything for the public.
      distance =
        q.audience === 'public'
          ? sql`case when ds.location_confidential then null else earth_distance(${origin}, ds.earth) end`
          : sql`earth_distance(${origin}, ds.earth)`;
      if (q.mode === 'near') {
        conditions.push(sql`earth_box(${origin}, ${q.radiusM}::float8) @> ds.earth`);
        conditions.push(sql`earth_distance(${origin}, ds.earth) <= ${q.radiusM}::float8`);
        if (q.audience === 'public') conditions.push(sql`not ds.location_confidential`);
        proximity = sql`(1 - earth_distance(${origin}, ds.earth) / ${q.radiusM}::float8)`;
      }
    }
    if (q.mode === 'serving' || (!q.origin && q.province)) {
      if (q.province) conditions.push(sql`ds.provinces @> ${textArray([q.province])}`);
    }
    if (q.populations.length > 0) conditions.push(sql`ds.populations @> ${textArray(q.populations)}`);
    if (q.types.length > 0) conditions.push(sql`ds.service_types && ${textArray(q.types)}`);
    if (q.language) conditions.push(sql`ds.languages @> ${textArray([q.language])}`);
    if (q.hasCapacity) conditions.push(sql`ds.has_capacity`);
    if (q.openNow) conditions.push(openNowCondition(q.openNow));

    const score =
      q.words.length > 0 && proximity
        ? sql`(${W_TEXT}::float8 * ${relevance} + ${W_NEAR}::float8 * ${proximity})`
        : q.words.length > 0
          ? relevance
          : (proximity ?? sql`0::float8`);

    const fuzzy = q.words.length > 0 && q.textMode === 'fuzzy';
    // Near a place: candidates come from the GiST index in distance order (KNN), at most NEAR_CANDIDATES,
    // so a dense metro area costs a few hundred rows instead of every row in the box.
    const knn =
      q.origin && q.mode === 'near'
        ? sql`order by ds.earth <-> ll_to_earth(${q.origin.lat}::float8, ${q.origin.lng}::float8)`
        : sql``;
    const nearCap = q.origin && q.mode === 'near';
    const source = fuzzy
      ? sql`(select * from directory_search ds where ${sql.join(conditions, sql` and `)}
              ${knn} limit ${FUZZY_CANDIDATES}) ds`
      : sql`directory_search ds`;
    const outer = fuzzy ? textConditions : [...conditions, ...textConditions];
    const query = sql`
      select m.*, count(*) over () as total from (
        select ds.id, ds.service_id, ds.location_id, ds.organization_id, ds.city, ds.provinces, ds.populations,
               ds.service_types, ds.languages, ds.latitude, ds.longitude, ds.confidential, ds.location_confidential,
               ${relevance} as relevance, ${distance} as distance_m, ${score} as score
          from ${source} ${joins}
         where ${sql.join(outer, sql` and `)}
         ${nearCap && !fuzzy ? sql`${knn} limit ${NEAR_CANDIDATES}` : sql`offset 0`}) m
       order by m.score desc, m.distance_m asc nulls last, m.id
       limit ${q.limit} offset ${q.offset}`;
    // The planner thinks a cube box matches almost nothing (fixed selectivity) and picks a bitmap scan of
    // the whole box plus a sort; without bitmap scans it walks the GiST index in distance order and stops.
    const result = nearCap
      ? await db.transaction(async (tx) => {
          await tx.execute(sql`set local enable_bitmapscan = off`);
          return rowsOf(tx, query);
        })
      : await rowsOf(db, query);
    return result as Row[];
  },

  /** Total for the same filters when the requested page is past the end (the window count needs a row). */
  async count(db: Db, q: SearchQuery): Promise<number> {
    const rows = await searchRepository.search(db, { ...q, limit: 1, offset: 0 });
    return rows[0]?.total ?? 0;
  },

  /** Named time zones used by schedules (the open-now filter evaluates each zone's local time once). */
  async scheduleTimezones(db: Db): Promise<string[]> {
    const r = await rowsOf(
      db,
      sql`select distinct timezone from schedule where timezone is not null and timezone <> ''`,
    );
    return (r as { timezone: string }[]).map((x) => x.timezone);
  },

  /**
   * Display details for one page of hits (≤ 100 services): everything an advocate needs to refer.
   * Phones and schedules are read by service and by location only (indexed); organisation-level phones and
   * service-at-location schedules would need indexes on phone.organization_id and
   * schedule.service_at_location_id (reported as missing) and are left out for now.
   */
  async details(db: Db, serviceIds: string[], locationIds: string[], organizationIds: string[]) {
    const ids = (values: string[]) =>
      values.length === 0
        ? sql`null::uuid`
        : sql.join(
            values.map((v) => sql`${v}::uuid`),
            sql`, `,
          );
    // One statement (one round trip, one plan) returning each list as JSON.
    const list = (query: SQL) => sql`(select coalesce(json_agg(x), '[]'::json) from (${query}) x)`;
    const [row] = await rowsOf<Record<string, Record<string, unknown>[]>>(
      db,
      sql`select
        ${list(sql`
          select id, organization_id, name, description, url, email, status, eligibility_description,
                 minimum_age, maximum_age, intake_notes, application_process, confidential, translations
            from service where id in (${ids(serviceIds)})`)} as services,
        ${list(sql`
          select id, name, website, organization_type, confidential, translations
            from organization where id in (${ids(organizationIds)})`)} as organizations,
        ${list(sql`
          select id, name, latitude, longitude, confidential, translations
            from location where id in (${ids(locationIds)})`)} as locations,
        ${list(sql`
          select distinct on (location_id) location_id, address_1, address_2, city, state_province, postal_code,
                 country
            from address where location_id in (${ids(locationIds)})
           order by location_id, (address_type = 'physical') desc`)} as addresses,
        ${list(sql`
          select * from (
            select id, service_id, location_id, organization_id, contact_id, number, extension, type, description
              from phone
             where service_id in (${ids(serviceIds)})
            union
            select id, service_id, location_id, organization_id, contact_id, number, extension, type, description
              from phone
             where location_id in (${ids(locationIds)})) p
           order by number`)} as phones,
        ${list(sql`
          select service_id, location_id, service_at_location_id, timezone, freq, byday, opens_at, closes_at,
                 valid_from::text as valid_from, valid_to::text as valid_to, description
            from schedule where service_id in (${ids(serviceIds)})
          union all
          select service_id, location_id, service_at_location_id, timezone, freq, byday, opens_at, closes_at,
                 valid_from::text as valid_from, valid_to::text as valid_to, description
            from schedule where location_id in (${ids(locationIds)}) and service_id is null`)} as schedules,
        ${list(sql`
          select c.service_id, c.available, c.maximum, c.updated, u.name as unit, u.translations as unit_translations
            from service_capacity c join unit u on u.id = c.unit_id
           where c.service_id in (${ids(serviceIds)})
           order by c.updated desc`)} as capacity`,
    );
    const { services, organizations: orgs, locations, addresses, phones, schedules, capacity } = row!;
    return {
      services: services as Record<string, unknown>[],
      organizations: orgs as Record<string, unknown>[],
      locations: locations as Record<string, unknown>[],
      addresses: addresses as Record<string, unknown>[],
      phones: phones as Record<string, unknown>[],
      schedules: schedules as Record<string, unknown>[],
      capacity: capacity as Record<string, unknown>[],
    };
  },

  /** Every population and service-type term with a code: EN name and translations (a few hundred rows). */
  async allTerms(db: Db) {
    const taxonomies = [POPULATIONS_TAXONOMY, ...SERVICE_TYPE_TAXONOMIES];
    return rowsOf<{
      code: string;
      taxonomy: string;
      name: string;
      translations: Record<string, Record<string, string>>;
    }>(
      db,
      sql`select distinct on (code, taxonomy) code, taxonomy, name, translations from taxonomy_term
           where code is not null and taxonomy in (${sql.join(
             taxonomies.map((t) => sql`${t}`),
             sql`, `,
           )})
           order by code, taxonomy, id`,
    );
  },

  /**
   * Autocomplete over public data only: names of non-confidential services (whose organisation is not
   * confidential either) and organisations, in any language, and city names.
   */
  async suggest(db: Db, word: string, limit: number) {
    const prefix = `${word.replace(/[\\%_]/g, '')}%`;
    const names = await rowsOf(
      db,
      sql`
      with hits as (
        select ds.service_id, ds.organization_id from directory_search ds
         where not ds.confidential and ds.status in ('active', 'temporarily closed')
           and ds.document like ${`%${word.replace(/[\\%_]/g, '')}%`}
         limit 500)
      select kind, label, max(sim) as sim from (
        select 'service' as kind, n.label, word_similarity(${word}::text, lower(unaccent(n.label))) as sim
          from (select distinct service_id from hits) h
          join service s on s.id = h.service_id and not s.confidential
          cross join lateral (select s.name as label
                              union select x.value from jsonb_each(s.translations) t(lang, obj),
                                                       jsonb_each_text(t.obj) x where x.key = 'name') n
        union all
        select 'organization', n.label, word_similarity(${word}::text, lower(unaccent(n.label)))
          from (select distinct organization_id from hits) h
          join organization o on o.id = h.organization_id and not o.confidential
          cross join lateral (select o.name as label
                              union select x.value from jsonb_each(o.translations) t(lang, obj),
                                                       jsonb_each_text(t.obj) x where x.key = 'name') n
      ) all_names
      where sim >= ${FUZZY_THRESHOLD}::float8 or lower(unaccent(label)) like ${prefix}
      group by kind, label
      order by sim desc, label
      limit ${limit}`,
    );
    const places = await rowsOf(
      db,
      sql`
      select name, province, greatest(similarity(key, ${word}), case when key like ${prefix} then 1 else 0 end) as sim
        from place
       where kind = 'city' and (key like ${prefix} or key % ${word})
       order by sim desc, population desc nulls last
       limit ${limit}`,
    );
    return {
      names: names as { kind: 'service' | 'organization'; label: string; sim: number }[],
      places: places as { name: string; province: string; sim: number }[],
    };
  },
};

/** A search row as the service uses it. */
function toHit(r: Row): SearchHit {
  return {
    id: String(r.id),
    serviceId: String(r.service_id),
    locationId: (r.location_id as string | null) ?? null,
    organizationId: String(r.organization_id),
    city: (r.city as string | null) ?? null,
    provinces: (r.provinces as string[]) ?? [],
    populations: (r.populations as string[]) ?? [],
    serviceTypes: (r.service_types as string[]) ?? [],
    languages: (r.languages as string[]) ?? [],
    latitude: r.latitude === null ? null : Number(r.latitude),
    longitude: r.longitude === null ? null : Number(r.longitude),
    confidential: Boolean(r.confidential),
    locationConfidential: Boolean(r.location_confidential),
    relevance: Number(r.relevance ?? 0),
    distanceM: r.distance_m === null || r.distance_m === undefined ? null : Number(r.distance_m),
    score: Number(r.score ?? 0),
    total: Number(r.total),
  };
}

/** Relevance: the share of typed words a row matches (every row matches the only word of a one-word query). */
function wordsRelevance(q: SearchQuery): SQL {
  if (q.words.length === 1) return sql`1::float8`;
  const wordMatch = (w: string) =>
    sql`(ds.terms @@ ${termsQuery({ ...q, words: [w] }, { filters: false })}::tsquery)`;
  return sql`((${sql.join(
    q.words.map((w) => sql`${wordMatch(w)}::int`),
    sql` + `,
  )}) / ${q.words.length}::float8)`;
}

/**
 * Typed words away from a place (strict pass): one GIN lookup of `termsQuery` yields exactly the rows that match the words and
 * every filter (and lie in the cells around the place); only those rows are read, scored and ranked, so the
 * total is exact. Distance and open-now are checked on those rows.
 */
function termsSearchSql(q: SearchQuery): SQL {
  const conditions: SQL[] = [
    sql`ds.terms @@ ${termsQuery(q)}::tsquery`,
    sql`ds.status in (${sql.join(
      SEARCHABLE_STATUSES.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  ];
  if (q.audience === 'public') conditions.push(sql`not ds.confidential`);
  const relevance = wordsRelevance(q);
  let distance: SQL = sql`null::float8`;
  let proximity: SQL | undefined;
  if (q.origin) {
    const origin = sql`ll_to_earth(${q.origin.lat}::float8, ${q.origin.lng}::float8)`;
    distance =
      q.audience === 'public'
        ? sql`case when ds.location_confidential then null else earth_distance(${origin}, ds.earth) end`
        : sql`earth_distance(${origin}, ds.earth)`;
    if (q.mode === 'near') {
      conditions.push(sql`earth_distance(${origin}, ds.earth) <= ${q.radiusM}::float8`);
      if (q.audience === 'public') conditions.push(sql`not ds.location_confidential`);
      proximity = sql`(1 - earth_distance(${origin}, ds.earth) / ${q.radiusM}::float8)`;
    }
  }
  if (q.openNow) conditions.push(openNowCondition(q.openNow));
  const score = proximity
    ? sql`(${W_TEXT}::float8 * m.relevance + ${W_NEAR}::float8 * m.proximity)`
    : sql`m.relevance`;
  return sql`
    select m.*, ${score} as score, count(*) over () as total from (
      select ds.id, ds.service_id, ds.location_id, ds.organization_id, ds.city, ds.provinces, ds.populations,
             ds.service_types, ds.languages, ds.latitude, ds.longitude, ds.confidential, ds.location_confidential,
             ${relevance} as relevance, ${distance} as distance_m, ${proximity ?? sql`null::float8`} as proximity
        from directory_search ds
       where ${sql.join(conditions, sql` and `)}
       offset 0) m
     order by score desc, m.distance_m asc nulls last, m.id
     limit ${q.limit} offset ${q.offset}`;
}
