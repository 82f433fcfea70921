import { inArray, sql } from 'drizzle-orm';
import { directorySearch } from '../../db/schema.js';
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
      id, service_id, location_id, organization_id, document, populations, service_types, languages,
      provinces, city, latitude, longitude, earth, organization_type, status, confidential,
      location_confidential, has_capacity, updated_at)
    select
      coalesce(sal.id, s.id), s.id, l.id, o.id,
      lower(unaccent(concat_ws(' ',
        o.name, o.alternate_name, s.name, s.alternate_name, s.description, s.eligibility_description,
        (select string_agg(x.value, ' ') from jsonb_each(o.translations) t(lang, obj), jsonb_each_text(t.obj) x where x.key in ('name', 'alternate_name', 'description')),
        (select string_agg(x.value, ' ') from jsonb_each(s.translations) t(lang, obj), jsonb_each_text(t.obj) x where x.key in ('name', 'alternate_name', 'description', 'eligibility_description')),
        (select string_agg(concat_ws(' ', tt.name,
            (select string_agg(x.value, ' ') from jsonb_each(tt.translations) t(lang, obj), jsonb_each_text(t.obj) x)), ' ')
           from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
          where at.link_entity = 'service' and at.link_id = s.id),
        l.name, a.city))),
      coalesce(array(select distinct tt.code from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
         where at.link_entity = 'service' and at.link_id = s.id and tt.taxonomy = ${POPULATIONS_TAXONOMY}
           and tt.code is not null), '{}'),
      coalesce(array(select distinct tt.code from attribute at join taxonomy_term tt on tt.id = at.taxonomy_term_id
         where at.link_entity = 'service' and at.link_id = s.id
           and tt.taxonomy in (${sql.join(
             SERVICE_TYPE_TAXONOMIES.map((t) => sql`${t}`),
             sql`, `,
           )}) and tt.code is not null), '{}'),
      coalesce(array(select distinct lower(lg.code) from language lg
         where (lg.service_id = s.id or (l.id is not null and lg.location_id = l.id)) and lg.code is not null), '{}'),
      coalesce(array(select distinct p from unnest(
         array_remove(array[upper(a.state_province)], null)
         || o.jurisdiction
         || coalesce(array(select upper(sa.extent) from service_area sa
              where sa.service_id = s.id and sa.extent_type = 'province' and sa.extent is not null), '{}')
       ) p), '{}'),
      a.city, l.latitude, l.longitude,
      case when l.latitude is not null and l.longitude is not null then ll_to_earth(l.latitude, l.longitude) end,
      o.organization_type, s.status,
      o.confidential or s.confidential,
      coalesce(l.confidential, false),
      exists(select 1 from service_capacity c where c.service_id = s.id and c.available > 0),
      now()
    from service s
    join organization o on o.id = s.organization_id
    left join service_at_location sal on sal.service_id = s.id
    left join location l on l.id = sal.location_id
    left join lateral (select * from address ad where ad.location_id = l.id
                       order by (ad.address_type = 'physical') desc limit 1) a on true
    ${only}
  `);
}
