import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
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

/** Rows of a raw query, on either driver (both return `{ rows }`). */
async function rowsOf<T = Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

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

/** All SQL of directory search. Reads the projection; display details come from the base tables. */
export const searchRepository = {
  /**
   * (The inner select is fenced with OFFSET 0 so the scan computes the score and the window count never
   * carries the long document column — it spilled to disk otherwise.)
   * One page of ranked search rows plus the total (window count over the same filters, so the total never
   * counts rows the audience may not see). Uses the projection's GIN (trigram, arrays) and GiST (earth) indexes.
   */
  async search(db: Db, q: SearchQuery): Promise<SearchHit[]> {
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
      // Substring match of each (lightly stemmed) word: the GIN trigram index serves LIKE, and its recheck
      // is cheap, unlike word_similarity over a long multilingual document.
      const patterns = q.words.map(likePattern);
      const has = (doc: SQL) => patterns.map((p) => sql`(${doc} like ${p})`);
      // The projection's document holds a confidential location's name and city (staff search them); for
      // the public, such a row is matched and ranked on its service and organisation text only.
      const doc = q.audience === 'public' ? sql`coalesce(pub.doc, ds.document)` : sql`ds.document`;
      relevance = sql`((${sql.join(
        has(doc).map((h) => sql`${h}::int`),
        sql` + `,
      )}) / ${q.words.length}::float8)`;
      textConditions.push(sql`(${sql.join(has(sql`ds.document`), sql` or `)})`);
      if (q.audience === 'public') {
        textConditions.push(sql`(pub.doc is null or ${sql.join(has(sql`pub.doc`), sql` or `)})`);
        joins = sql`left join lateral (
          select lower(unaccent(concat_ws(' ', o.name, o.alternate_name, s.name, s.alternate_name, s.description,
                 s.eligibility_description,
                 (select string_agg(x.value, ' ') from jsonb_each(o.translations) t(lang, obj), jsonb_each_text(t.obj) x
                   where x.key in ('name', 'alternate_name', 'description')),
                 (select string_agg(x.value, ' ') from jsonb_each(s.translations) t(lang, obj), jsonb_each_text(t.obj) x
                   where x.key in ('name', 'alternate_name', 'description', 'eligibility_description'))
                 ))) as doc
            from service s join organization o on o.id = s.organization_id
           where ds.location_confidential and s.id = ds.service_id) pub on true`;
      }
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
    return (result as Record<string, unknown>[]).map((r) => ({
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
    }));
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
    const [services, orgs, locations, addresses, phones, schedules, capacity] = await Promise.all([
      rowsOf(
        db,
        sql`
        select id, organization_id, name, description, url, email, status, eligibility_description,
               minimum_age, maximum_age, intake_notes, application_process, confidential, translations
          from service where id in (${ids(serviceIds)})`,
      ),
      rowsOf(
        db,
        sql`
        select id, name, website, organization_type, confidential, translations
          from organization where id in (${ids(organizationIds)})`,
      ),
      rowsOf(
        db,
        sql`
        select id, name, latitude, longitude, confidential, translations
          from location where id in (${ids(locationIds)})`,
      ),
      rowsOf(
        db,
        sql`
        select distinct on (location_id) location_id, address_1, address_2, city, state_province, postal_code, country
          from address where location_id in (${ids(locationIds)})
         order by location_id, (address_type = 'physical') desc`,
      ),
      rowsOf(
        db,
        sql`
        select id, service_id, location_id, organization_id, contact_id, number, extension, type, description
          from phone
         where service_id in (${ids(serviceIds)})
        union
        select id, service_id, location_id, organization_id, contact_id, number, extension, type, description
          from phone
         where location_id in (${ids(locationIds)})
         order by number`,
      ),
      rowsOf(
        db,
        sql`
        select service_id, location_id, service_at_location_id, timezone, freq, byday, opens_at, closes_at,
               valid_from::text as valid_from, valid_to::text as valid_to, description
          from schedule where service_id in (${ids(serviceIds)})
        union all
        select service_id, location_id, service_at_location_id, timezone, freq, byday, opens_at, closes_at,
               valid_from::text as valid_from, valid_to::text as valid_to, description
          from schedule where location_id in (${ids(locationIds)}) and service_id is null`,
      ),
      rowsOf(
        db,
        sql`
        select c.service_id, c.available, c.maximum, c.updated, u.name as unit, u.translations as unit_translations
          from service_capacity c join unit u on u.id = c.unit_id
         where c.service_id in (${ids(serviceIds)})
         order by c.updated desc`,
      ),
    ]);
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
