import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import { publicPolicy } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import {
  createHsdsPresenter,
  type HsdsObject,
  type PresentContext,
  pickLanguage,
  presentPage,
  presentTaxonomy,
  presentTaxonomyTerm,
} from './hsds.presenter.js';
import { type Audience, hsdsRepository, type SalFilters, type ServiceFilters } from './hsds.repository.js';

/** Where the Harbour profile of HSDS is documented (the `profile` of GET /hsds/). */
export const HSDS_PROFILE_URL =
  'https://github.com/harbour-hotline/harbour/blob/main/docs/directory/harbour-profile.md';
export const HSDS_MAX_PER_PAGE = 200;
const DEFAULT_PER_PAGE = 50;
/** Radius used when `lat`/`lng` are given without `proximity`. */
const DEFAULT_RADIUS_M = 50_000;

/** First letter of a Canadian postal code → provinces/territories (Canada Post's FSA regions). */
export const FSA_PROVINCES: Record<string, string[]> = {
  A: ['NL'],
  B: ['NS'],
  C: ['PE'],
  E: ['NB'],
  G: ['QC'],
  H: ['QC'],
  J: ['QC'],
  K: ['ON'],
  L: ['ON'],
  M: ['ON'],
  N: ['ON'],
  P: ['ON'],
  R: ['MB'],
  S: ['SK'],
  T: ['AB'],
  V: ['BC'],
  X: ['NT', 'NU'],
  Y: ['YT'],
};

/**
 * Reads the directory as HSDS objects for one audience: page of ids → one batched graph load → presenter.
 * Exported so import/export can produce the same objects (staff) without HTTP.
 */
export function createHsdsReader(db: Db) {
  const repo = hsdsRepository;
  async function serviceAtLocations(ctx: PresentContext, ids: string[]) {
    const serviceIds = await repo.visibleServiceAtLocations(db, ctx.audience, ids);
    const graph = await repo.loadGraph(db, ctx.audience, { serviceIds });
    const present = createHsdsPresenter(graph, ctx);
    return ids.map((id) => present.serviceAtLocation(id)).filter((x): x is HsdsObject => !!x);
  }
  async function organizations(ctx: PresentContext, ids: string[], fullServices = false) {
    const graph = await repo.loadGraph(db, ctx.audience, {
      organizationIds: ids,
      withOrganizationChildren: true,
    });
    const present = createHsdsPresenter(graph, ctx);
    return ids.map((id) => present.organization(id, { fullServices })).filter((x): x is HsdsObject => !!x);
  }
  return {
    async servicesPage(
      ctx: PresentContext,
      f: ServiceFilters,
      page: number,
      perPage: number,
      minimal = false,
    ) {
      const { ids, total } = await repo.pageServiceIds(db, ctx.audience, f, perPage, (page - 1) * perPage);
      const graph = await repo.loadGraph(db, ctx.audience, { serviceIds: ids, topLevelOnly: minimal });
      const present = createHsdsPresenter(graph, ctx);
      const contents = ids.map((id) => present.service(id, { minimal })).filter((x): x is HsdsObject => !!x);
      return { contents, total };
    },
    async service(ctx: PresentContext, id: string) {
      const graph = await repo.loadGraph(db, ctx.audience, { serviceIds: [id] });
      return createHsdsPresenter(graph, ctx).service(id);
    },
    async serviceAtLocationsPage(ctx: PresentContext, f: SalFilters, page: number, perPage: number) {
      const { ids, total } = await repo.pageServiceAtLocationIds(
        db,
        ctx.audience,
        f,
        perPage,
        (page - 1) * perPage,
      );
      return { contents: await serviceAtLocations(ctx, ids), total };
    },
    serviceAtLocations,
    async organizationsPage(
      ctx: PresentContext,
      search: string | undefined,
      page: number,
      perPage: number,
      fullServices = false,
    ) {
      const { ids, total } = await repo.pageOrganizationIds(
        db,
        ctx.audience,
        search,
        perPage,
        (page - 1) * perPage,
      );
      return { contents: await organizations(ctx, ids, fullServices), total };
    },
    organizations,
  };
}

export type HsdsReader = ReturnType<typeof createHsdsReader>;

const NoControl = '^[^\\u0000-\\u001f\\u007f]*$';
const Search = Type.String({ maxLength: 200, pattern: NoControl, description: 'Words that must all appear' });
const Uuid = Type.String({ format: 'uuid' });
const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  per_page: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: DEFAULT_PER_PAGE,
    description: `Capped at ${HSDS_MAX_PER_PAGE}`,
  }),
};
const Lang = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$',
  maxLength: 35,
  description: 'Language of text fields (Harbour profile); falls back to the record’s own text',
});
const Format = Type.Unsafe<'json' | 'ndjson'>({ type: 'string', enum: ['json', 'ndjson'] });
const ServiceQueryFields = {
  ...Paging,
  search: Type.Optional(Search),
  taxonomy_term_id: Type.Optional(Uuid),
  taxonomy_id: Type.Optional(Uuid),
  organization_id: Type.Optional(Uuid),
  modified_after: Type.Optional(Type.String({ format: 'date-time' })),
  format: Type.Optional(Format),
  lang: Type.Optional(Lang),
};
const ServicesQuery = Type.Object({ ...ServiceQueryFields, minimal: Type.Optional(Type.Boolean()) });
const SalQuery = Type.Object({
  ...ServiceQueryFields,
  full: Type.Optional(Type.Boolean()),
  postcode: Type.Optional(
    Type.String({ pattern: '^[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][A-Za-z]( ?[0-9][A-Za-z][0-9])?$' }),
  ),
  proximity: Type.Optional(Type.Number({ minimum: 1, maximum: 1_000_000, description: 'Metres' })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
});
const OrganizationsQuery = Type.Object({
  ...Paging,
  search: Type.Optional(Search),
  full_service: Type.Optional(Type.Boolean()),
  full: Type.Optional(Type.Boolean()),
  format: Type.Optional(Format),
  lang: Type.Optional(Lang),
});
const TaxonomiesQuery = Type.Object({
  ...Paging,
  search: Type.Optional(Search),
  format: Type.Optional(Format),
});
const TermsQuery = Type.Object({
  ...Paging,
  search: Type.Optional(Search),
  format: Type.Optional(Format),
  taxonomy_id: Type.Optional(Uuid),
  parent_id: Type.Optional(Uuid),
  top_only: Type.Optional(Type.Boolean()),
  lang: Type.Optional(Lang),
});
const LangQuery = Type.Object({ lang: Type.Optional(Lang) });
const OrgDetailQuery = Type.Object({
  lang: Type.Optional(Lang),
  full_service: Type.Optional(Type.Boolean()),
});
const IdParams = Type.Object({ id: Uuid });

const HsdsItem = Type.Unknown({
  description: 'An HSDS 3.0 object (Harbour profile); see the official schemas',
});
/** HSDS Page (openapi.json components.schemas.Page) with its contents. */
const PageResponse = Type.Object({
  total_items: Type.Integer(),
  total_pages: Type.Integer(),
  page_number: Type.Integer(),
  size: Type.Integer(),
  first_page: Type.Boolean(),
  last_page: Type.Boolean(),
  empty: Type.Boolean(),
  contents: Type.Array(HsdsItem),
});
const listResponses = { 200: PageResponse, 400: ErrorResponse, 429: ErrorResponse };
const itemResponses = { 200: HsdsItem, 400: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

export interface HsdsRoutesDeps {
  db: Db;
  publicRateLimit: number;
  publicUrl: string;
}

/**
 * The public HSDS 3.0 API (Open Referral) at /hsds: public data only. Confidential organizations and
 * services do not exist here (unknown and confidential ids get the same 404), confidential locations are
 * absent, and totals count only public rows.
 */
export async function hsdsRoutes(app: FastifyInstance, deps: HsdsRoutesDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const reader = createHsdsReader(deps.db);
  const audience: Audience = 'public';
  const config = { policy: publicPolicy, rateLimit: { max: deps.publicRateLimit, timeWindow: '1 minute' } };
  const tags = ['hsds'];

  function context(request: FastifyRequest, reply: FastifyReply, lang: string | undefined): PresentContext {
    const chosen = pickLanguage(lang, request.headers['accept-language']);
    reply.header('vary', 'accept-language');
    if (chosen) reply.header('content-language', chosen);
    return { audience, lang: chosen };
  }
  const perPageOf = (n: number) => Math.min(n, HSDS_MAX_PER_PAGE);

  /** `format=ndjson`: every matching record, one JSON object per line, fetched a page at a time. */
  function ndjson(
    reply: FastifyReply,
    fetch: (page: number, perPage: number) => Promise<{ contents: unknown[]; total: number }>,
  ) {
    async function* lines() {
      for (let page = 1; ; page++) {
        const { contents } = await fetch(page, HSDS_MAX_PER_PAGE);
        for (const item of contents) yield `${JSON.stringify(item)}\n`;
        if (contents.length < HSDS_MAX_PER_PAGE) return;
      }
    }
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines()));
  }

  const meta = {
    config,
    schema: {
      tags,
      summary: 'HSDS API information: version, profile, OpenAPI',
      response: {
        200: Type.Object({
          version: Type.String(),
          profile: Type.String({ format: 'uri' }),
          openapi_url: Type.String({ format: 'uri' }),
        }),
      },
    },
  };
  const metaBody = () => ({
    version: '3.0',
    profile: HSDS_PROFILE_URL,
    openapi_url: `${deps.publicUrl.replace(/\/$/, '')}/api/docs/json`,
  });
  r.get('/hsds/', meta, async () => metaBody());
  r.get('/hsds', meta, async () => metaBody());

  r.get(
    '/hsds/services',
    {
      config,
      schema: {
        tags,
        summary: 'Public services (HSDS Page)',
        querystring: ServicesQuery,
        response: listResponses,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ctx = context(request, reply, q.lang);
      const filters: ServiceFilters = {
        search: q.search,
        taxonomyTermId: q.taxonomy_term_id,
        taxonomyId: q.taxonomy_id,
        organizationId: q.organization_id,
        modifiedAfter: q.modified_after ? new Date(q.modified_after) : undefined,
      };
      const minimal = q.minimal === true;
      if (q.format === 'ndjson') {
        return ndjson(reply, (page, perPage) => reader.servicesPage(ctx, filters, page, perPage, minimal));
      }
      const perPage = perPageOf(q.per_page);
      const { contents, total } = await reader.servicesPage(ctx, filters, q.page, perPage, minimal);
      return presentPage(contents, total, q.page, perPage);
    },
  );

  r.get(
    '/hsds/services/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One public service',
        params: IdParams,
        querystring: LangQuery,
        response: itemResponses,
      },
    },
    async (request, reply) => {
      const ctx = context(request, reply, request.query.lang);
      const found = await reader.service(ctx, request.params.id);
      if (!found) throw notFound();
      return found;
    },
  );

  r.get(
    '/hsds/service_at_locations',
    {
      config,
      schema: {
        tags,
        summary: 'Public services at public locations (HSDS Page); postcode/proximity and lat/lng filters',
        querystring: SalQuery,
        response: listResponses,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ctx = context(request, reply, q.lang);
      if ((q.lat === undefined) !== (q.lng === undefined))
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'lat, lng' });
      if (q.proximity !== undefined && q.lat === undefined && !q.postcode) {
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'proximity' });
      }
      const filters: SalFilters = {
        search: q.search,
        taxonomyTermId: q.taxonomy_term_id,
        taxonomyId: q.taxonomy_id,
        organizationId: q.organization_id,
        modifiedAfter: q.modified_after ? new Date(q.modified_after) : undefined,
      };
      if (q.lat !== undefined && q.lng !== undefined) {
        filters.near = { lat: q.lat, lng: q.lng, radius: q.proximity ?? DEFAULT_RADIUS_M };
      }
      if (q.postcode) {
        const fsa = q.postcode.slice(0, 3).toUpperCase();
        const known = await hsdsRepository.findFsa(deps.db, fsa);
        if (known && q.proximity !== undefined && !filters.near) {
          filters.near = { lat: known.lat, lng: known.lng, radius: q.proximity };
          reply.header('x-harbour-postcode-match', 'fsa-centroid');
        } else if (!filters.near) {
          // No FSA centroid (or no proximity asked): the postcode narrows to its province or territory.
          filters.provinces = known ? [known.province] : (FSA_PROVINCES[fsa[0] ?? ''] ?? []);
          reply.header('x-harbour-postcode-match', 'province');
        }
      }
      if (q.format === 'ndjson') {
        return ndjson(reply, (page, perPage) => reader.serviceAtLocationsPage(ctx, filters, page, perPage));
      }
      const perPage = perPageOf(q.per_page);
      const { contents, total } = await reader.serviceAtLocationsPage(ctx, filters, q.page, perPage);
      return presentPage(contents, total, q.page, perPage);
    },
  );

  r.get(
    '/hsds/service_at_locations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One public service at a public location',
        params: IdParams,
        querystring: LangQuery,
        response: itemResponses,
      },
    },
    async (request, reply) => {
      const ctx = context(request, reply, request.query.lang);
      const [found] = await reader.serviceAtLocations(ctx, [request.params.id]);
      if (!found) throw notFound();
      return found;
    },
  );

  r.get(
    '/hsds/organizations',
    {
      config,
      schema: {
        tags,
        summary: 'Public organizations (HSDS Page)',
        querystring: OrganizationsQuery,
        response: listResponses,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ctx = context(request, reply, q.lang);
      const full = q.full_service === true;
      if (q.format === 'ndjson') {
        return ndjson(reply, (page, perPage) => reader.organizationsPage(ctx, q.search, page, perPage, full));
      }
      const perPage = perPageOf(q.per_page);
      const { contents, total } = await reader.organizationsPage(ctx, q.search, q.page, perPage, full);
      return presentPage(contents, total, q.page, perPage);
    },
  );

  r.get(
    '/hsds/organizations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One public organization',
        params: IdParams,
        querystring: OrgDetailQuery,
        response: itemResponses,
      },
    },
    async (request, reply) => {
      const ctx = context(request, reply, request.query.lang);
      const [found] = await reader.organizations(
        ctx,
        [request.params.id],
        request.query.full_service === true,
      );
      if (!found) throw notFound();
      return found;
    },
  );

  r.get(
    '/hsds/taxonomies',
    {
      config,
      schema: {
        tags,
        summary: 'Taxonomies (HSDS Page)',
        querystring: TaxonomiesQuery,
        response: listResponses,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const fetch = async (page: number, perPage: number) => {
        const { rows, total } = await hsdsRepository.pageTaxonomies(
          deps.db,
          q.search,
          perPage,
          (page - 1) * perPage,
        );
        return { contents: rows.map(presentTaxonomy), total };
      };
      if (q.format === 'ndjson') return ndjson(reply, fetch);
      const perPage = perPageOf(q.per_page);
      const { contents, total } = await fetch(q.page, perPage);
      return presentPage(contents, total, q.page, perPage);
    },
  );

  r.get(
    '/hsds/taxonomies/:id',
    { config, schema: { tags, summary: 'One taxonomy', params: IdParams, response: itemResponses } },
    async (request) => {
      const row = await hsdsRepository.findTaxonomy(deps.db, request.params.id);
      if (!row) throw notFound();
      return presentTaxonomy(row);
    },
  );

  r.get(
    '/hsds/taxonomy_terms',
    {
      config,
      schema: {
        tags,
        summary: 'Taxonomy terms (HSDS Page)',
        querystring: TermsQuery,
        response: listResponses,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ctx = context(request, reply, q.lang);
      const fetch = async (page: number, perPage: number) => {
        const { rows, total } = await hsdsRepository.pageTaxonomyTerms(
          deps.db,
          {
            search: q.search,
            taxonomyId: q.taxonomy_id,
            parentId: q.parent_id,
            topOnly: q.top_only === true,
          },
          perPage,
          (page - 1) * perPage,
        );
        const taxonomies = new Map(
          (
            await hsdsRepository.taxonomiesByIds(
              deps.db,
              rows.map((t) => t.taxonomyId).filter((x): x is string => !!x),
            )
          ).map((t) => [t.id, t]),
        );
        return {
          contents: rows.map((t) =>
            presentTaxonomyTerm(t, t.taxonomyId ? taxonomies.get(t.taxonomyId) : undefined, ctx),
          ),
          total,
        };
      };
      if (q.format === 'ndjson') return ndjson(reply, fetch);
      const perPage = perPageOf(q.per_page);
      const { contents, total } = await fetch(q.page, perPage);
      return presentPage(contents, total, q.page, perPage);
    },
  );

  r.get(
    '/hsds/taxonomy_terms/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One taxonomy term',
        params: IdParams,
        querystring: LangQuery,
        response: itemResponses,
      },
    },
    async (request, reply) => {
      const ctx = context(request, reply, request.query.lang);
      const row = await hsdsRepository.findTaxonomyTerm(deps.db, request.params.id);
      if (!row) throw notFound();
      const [taxonomy] = row.taxonomyId
        ? await hsdsRepository.taxonomiesByIds(deps.db, [row.taxonomyId])
        : [];
      return presentTaxonomyTerm(row, taxonomy, ctx);
    },
  );
}
