import { eq, inArray, sql } from 'drizzle-orm';
import { directorySearch, settings } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/** Taxonomy names (taxonomy_term.taxonomy) whose codes the projection lifts into filter columns. */
export const POPULATIONS_TAXONOMY = 'harbour-populations';
export const SERVICE_TYPE_TAXONOMIES = ['open-eligibility', 'harbour-service-types'] as const;

/**
 * Only public text fields (and their translations) enter the search document: staff-only text such as
 * intake notes must never make a public search match.
 *
 * Rebuilds the search rows of the given services (all services when `serviceIds` is undefined), in the
 * caller's transaction, so search never disagrees with what was just written.
 * One row per service_at_location; a service without a location gets one row keyed by its own id.
 */
export async function refreshSearch(tx: Db, serviceIds?: string[]): Promise<void> {
  if (serviceIds && serviceIds.length === 0) return;
  const only = serviceIds
    ? sql`where s.id in (${sql.join(
        serviceIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql``;
  if (serviceIds) await tx.delete(directorySearch).where(inArray(directorySearch.serviceId, serviceIds));
  else await tx.delete(directorySearch);
  await tx.execute(sql`
    insert into directory_search (
      id, service_id, location_id, organization_id, document, terms, populations, service_types, languages,
      provinces, city, latitude, longitude, earth, organization_type, status, confidential,
      location_confidential, has_capacity, updated_at)
    select
      r.id, r.service_id, r.location_id, r.organization_id, concat_ws(' ', nullif(r.pub_doc, ''), r.loc_doc),
      array_to_tsvector(array(select distinct w from (
          select w from unnest(regexp_split_to_array(r.pub_doc, ${WORD_SEPARATORS})) w
          union all
          select case when r.location_confidential then 'x:' || w else w end
            from unnest(regexp_split_to_array(coalesce(r.loc_doc, ''), ${WORD_SEPARATORS})) w
          union all
          select '~p:' || c from unnest(r.populations) c
          union all
          select '~t:' || c from unnest(r.service_types) c
          union all
          select '~g:' || c from unnest(r.languages) c
          union all
          select '~v:' || c from unnest(r.provinces) c
          union all
          select '~cap' where r.has_capacity
          union all
          select '~c1:' || floor(r.latitude)::int || ':' || floor(r.longitude)::int
           where r.latitude is not null and r.longitude is not null
          union all
          select '~c5:' || floor(r.latitude / 5)::int || ':' || floor(r.longitude / 5)::int
           where r.latitude is not null and r.longitude is not null
        ) words(w) where w <> '' and length(w) <= ${MAX_LEXEME})),
      r.populations, r.service_types, r.languages, r.provinces, r.city, r.latitude, r.longitude,
      case when r.latitude is not null and r.longitude is not null then ll_to_earth(r.latitude, r.longitude) end,
      r.organization_type, r.status, r.confidential, r.location_confidential, r.has_capacity, now()
    from (
      select
        coalesce(sal.id, s.id) as id, s.id as service_id, l.id as location_id, o.id as organization_id,
        lower(unaccent(concat_ws(' ',
          o.name, o.alternate_name, s.name, s.alternate_name, s.description, s.eligibility_description,
          (select string_agg(x.value, ' ') from jsonb_each(o.translations) t(lang, obj), jsonb_each_text(t.obj) x where x.key in ('name', 'alternate_name', 'description')),
          (select string_agg(x.value, ' ') from jsonb_each(s.translations) t(lang, obj), jsonb_each_text(t.obj) x where x.key in ('name', 'alternate_name', 'description', 'eligibility_description')),
          (select string_agg(concat_ws(' ', tt.name,
              (select string_agg(x.value, ' ') from jsonb_each(tt.translations) t(lang, obj), jsonb_each_text(t.obj) x)), ' ')
             from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
            where at.link_entity = 'service' and at.link_id = s.id)))) as pub_doc,
        nullif(lower(unaccent(concat_ws(' ', l.name, a.city))), '') as loc_doc,
        coalesce(array(select distinct tt.code from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
           where at.link_entity = 'service' and at.link_id = s.id and tt.taxonomy = ${POPULATIONS_TAXONOMY}
             and tt.code is not null), '{}') as populations,
        coalesce(array(select distinct tt.code from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
           where at.link_entity = 'service' and at.link_id = s.id
             and tt.taxonomy in (${sql.join(
               SERVICE_TYPE_TAXONOMIES.map((t) => sql`${t}`),
               sql`, `,
             )}) and tt.code is not null), '{}') as service_types,
        coalesce(array(select distinct lower(lg.code) from language lg
           where (lg.service_id = s.id or (l.id is not null and lg.location_id = l.id)) and lg.code is not null), '{}')
           as languages,
        coalesce(array(select distinct p from unnest(
           array_remove(array[upper(a.state_province)], null)
           || o.jurisdiction
           || coalesce(array(select upper(sa.extent) from service_area sa
                where sa.service_id = s.id and sa.extent_type = 'province' and sa.extent is not null), '{}')
         ) p), '{}') as provinces,
        a.city, l.latitude, l.longitude, o.organization_type, s.status,
        o.confidential or s.confidential as confidential,
        coalesce(l.confidential, false) as location_confidential,
        exists(select 1 from service_capacity c where c.service_id = s.id and c.available > 0) as has_capacity
      from service s
      join organization o on o.id = s.organization_id
      left join service_at_location sal on sal.service_id = s.id
      left join location l on l.id = sal.location_id
      left join lateral (select * from address ad where ad.location_id = l.id
                         order by (ad.address_type = 'physical') desc limit 1) a on true
      ${only}
    ) r
    ${
      serviceIds
        ? sql``
        : // A full rebuild writes rows grouped by 1° cell: a search near a place then reads a few pages
          // of its area instead of one page per row all over the table.
          sql`order by floor(r.latitude) nulls last, floor(r.longitude), r.latitude, r.longitude`
    }
    -- Two writers refreshing the same service at once: the later one wins instead of failing on the key.
    on conflict (id) do update set
      service_id = excluded.service_id, location_id = excluded.location_id,
      organization_id = excluded.organization_id, document = excluded.document, terms = excluded.terms,
      populations = excluded.populations, service_types = excluded.service_types, languages = excluded.languages,
      provinces = excluded.provinces, city = excluded.city, latitude = excluded.latitude,
      longitude = excluded.longitude, earth = excluded.earth, organization_type = excluded.organization_type,
      status = excluded.status, confidential = excluded.confidential,
      location_confidential = excluded.location_confidential, has_capacity = excluded.has_capacity,
      updated_at = excluded.updated_at
  `);
}

/**
 * What splits the unaccented document into words for `terms`: white space and punctuation. Search splits a
 * query the same way (search.service.ts `searchWords`), so every typed word is a prefix of a stored one.
 */
const WORD_SEPARATORS = sql`'[[:space:][:punct:]]+'`;
/** Longer "words" (pasted URLs, hashes) are not worth indexing; tsvector's own limit is 2 KB. */
const MAX_LEXEME = 100;

/**
 * Bumped whenever what refreshSearch writes changes: a start with an older projection rebuilds it once.
 * (2: `terms` added; 3: rows grouped by cell, `terms` kept in the row.)
 */
export const SEARCH_PROJECTION_VERSION = 'v3';

/** Rebuilds the whole projection if it was written by an older version of refreshSearch. */
export async function ensureSearchProjection(db: Db): Promise<boolean> {
  const [row] = await db
    .select()
    .from(settings)
    .where(eq(settings.key, 'search_projection_version'))
    .limit(1);
  // (String(): a numeric-looking JSON string comes back from the pg driver as a number.)
  if (String(row?.value) === SEARCH_PROJECTION_VERSION) return false;
  await db.transaction(async (tx) => {
    await refreshSearch(tx);
    await tx
      .insert(settings)
      .values({ key: 'search_projection_version', value: SEARCH_PROJECTION_VERSION })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value: SEARCH_PROJECTION_VERSION, updatedAt: new Date() },
      });
  });
  return true;
}
