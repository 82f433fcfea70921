import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Db } from '../../platform/db.js';
import { publicPolicy, staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import {
  type Lang,
  PublicSearchResponse,
  presentPublicSearch,
  presentStaffSearch,
  presentSuggest,
  StaffSearchResponse,
  SuggestResponse,
} from './search.presenter.js';
import { createSearchService, type SearchParams, type SearchService } from './search.service.js';

const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' });
const Codes = Type.Union([Code, Type.Array(Code, { maxItems: 20 })]);

/** Query parameters shared by staff and public search. Free text is bounded: a longer `q` is a 400. */
const SearchQuerystring = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  near: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  postcode: Type.Optional(Type.String({ pattern: '^[A-Za-z][0-9][A-Za-z]( ?[0-9][A-Za-z][0-9])?$' })),
  radius_km: Type.Optional(Type.Number({ minimum: 1, maximum: 2000 })),
  mode: Type.Optional(Type.Union([Type.Literal('near'), Type.Literal('serving')])),
  population: Type.Optional(Codes),
  type: Type.Optional(Codes),
  language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}$' })),
  open_now: Type.Optional(Type.Boolean()),
  has_capacity: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('fr')])),
});
type SearchQs = Static<typeof SearchQuerystring>;

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };
const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function toParams(qs: SearchQs): SearchParams {
  return {
    ...(qs.q !== undefined ? { q: qs.q } : {}),
    ...(qs.near !== undefined ? { near: qs.near } : {}),
    ...(qs.lat !== undefined ? { lat: qs.lat } : {}),
    ...(qs.lng !== undefined ? { lng: qs.lng } : {}),
    ...(qs.postcode !== undefined ? { postcode: qs.postcode } : {}),
    radiusKm: qs.radius_km ?? 50,
    mode: qs.mode ?? 'near',
    populations: [...new Set(asList(qs.population))],
    types: [...new Set(asList(qs.type))],
    ...(qs.language !== undefined ? { language: qs.language } : {}),
    openNow: qs.open_now ?? false,
    hasCapacity: qs.has_capacity ?? false,
    limit: qs.limit ?? 25,
    offset: qs.offset ?? 0,
  };
}

/** `lang` wins; else the caller's language (Accept-Language, else the user's choice). */
const langOf = (request: FastifyRequest, lang?: Lang): Lang =>
  lang ?? (request.locale === 'fr-CA' ? 'fr' : 'en');

const DESCRIPTION =
  'Ranking: relevance r = share of the query words found in the unaccented text of the entry in every language ' +
  '(as a word prefix, plural s dropped); proximity p = 1 − distance/radius (mode near); score = 0.6·r + 0.4·p ' +
  '(r alone without a place, p alone without text); ties nearer first. Near a place, the 200 nearest ' +
  'matches are ranked and counted (`totalCapped` when there are more). ' +
  'When no entry contains any word, a typo pass matches service and organisation names by trigram word ' +
  'similarity ≥ 0.3 (r = mean similarity) and `fuzzy` is true. ' +
  'mode=serving: services whose provinces include the place’s province, at any distance. ' +
  'A postal code whose FSA is unknown searches its province (`place.approximate`). ' +
  'Names and descriptions in `lang` (or Accept-Language) when translated, else the record’s own text.';

export interface SearchRoutesDeps {
  db: Db;
  search?: SearchService;
}

/** Directory search: staff (confidential entries included and marked) and public (never confidential). */
export async function searchRoutes(app: FastifyInstance, deps: SearchRoutesDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const search = deps.search ?? createSearchService({ db: deps.db });

  r.get(
    '/api/directory/search',
    {
      config: {
        policy: staff(['advocate', 'supervisor', 'directory_manager', 'admin'], 'directory:read'),
      },
      schema: {
        tags: ['directory'],
        summary:
          'Search the referral directory (staff): by text, place, population, language, hours, capacity',
        description: DESCRIPTION,
        querystring: SearchQuerystring,
        response: { 200: StaffSearchResponse, ...errors },
      },
    },
    async (request) => {
      const params = toParams(request.query);
      const outcome = await search.search(params, 'staff');
      return presentStaffSearch(outcome, langOf(request, request.query.lang), params.limit, params.offset);
    },
  );

  r.get(
    '/api/public/directory/search',
    {
      config: { policy: publicPolicy },
      schema: {
        tags: ['directory'],
        summary: 'Search the referral directory (public): confidential entries and locations never appear',
        description: DESCRIPTION,
        querystring: SearchQuerystring,
        response: { 200: PublicSearchResponse, 400: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => {
      const params = toParams(request.query);
      const outcome = await search.search(params, 'public');
      return presentPublicSearch(outcome, langOf(request, request.query.lang), params.limit, params.offset);
    },
  );

  r.get(
    '/api/public/directory/suggest',
    {
      config: { policy: publicPolicy },
      schema: {
        tags: ['directory'],
        summary: 'Autocomplete: public service and organisation names, and cities',
        querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }),
        response: { 200: SuggestResponse, 400: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => presentSuggest(await search.suggest(request.query.q)),
  );
}
