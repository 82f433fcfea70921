import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NEEDS, REFERRAL_SHARE_FIELDS } from '../../../shared/cases.js';
import { dayValue } from '../../../shared/period.js';
import { REPORT_ROLES } from '../../../shared/reports.js';
import { AppError } from '../../platform/errors.js';
import { parseVersion, requireVersion } from '../../platform/http.js';
import { staff } from '../../platform/policy.js';
import { SearchText } from '../../platform/schemas.js';
import { presentStaffSearch, StaffSearchResponse } from '../directory/search.presenter.js';
import { createSearchService } from '../directory/search.service.js';
import { CASE_WORKERS } from './access.js';
import { enumOf } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import { caseErrors, NeedsReport, Referral } from './referrals.presenter.js';
import { createReferralsService } from './referrals.service.js';

const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Id });
const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** What the person agreed to, in their words, and which fields may leave with the referral. */
export const ConsentBody = Type.Object({
  kind: enumOf(['verbal', 'written'] as const),
  agreed: Type.String({ minLength: 1, maxLength: 1000 }),
  shared_fields: Type.Array(enumOf(REFERRAL_SHARE_FIELDS), {
    maxItems: REFERRAL_SHARE_FIELDS.length,
    uniqueItems: true,
  }),
});

/** What was agreed must say something: blank wording is refused. */
function checkConsent(consent: { agreed: string } | undefined): void {
  if (consent && !consent.agreed.trim()) throw new AppError('VALIDATION_FAILED', 400, { fields: 'agreed' });
}

/** Referrals of a case (docs/api/cases.md "Referrals"): thin; the service decides. */
export async function referralRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = createReferralsService(deps);
  const search = createSearchService({ db: deps.db });

  r.get(
    '/api/cases/:id/referral-search',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Directory search pre-filled from the case: need → service types, near = the case’s city or province, language = the person’s',
        params: IdParams,
        querystring: Type.Object({
          need: Type.Optional(enumOf(NEEDS)),
          near: Type.Optional(SearchText(100, 1)),
          language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}$' })),
          population: Type.Optional(Type.Union([Code, Type.Array(Code, { maxItems: 20 })])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
          lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('fr')])),
        }),
        response: { 200: StaffSearchResponse, ...caseErrors },
      },
    },
    async (request) => {
      const q = request.query;
      const population = q.population === undefined ? undefined : [...new Set([q.population].flat())];
      const params = await svc.searchParams(request.actor, request.auth!.user, request.params.id, {
        ...(q.need !== undefined ? { need: q.need } : {}),
        ...(q.near !== undefined ? { near: q.near } : {}),
        ...(q.language !== undefined ? { language: q.language } : {}),
        ...(population ? { population } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.offset !== undefined ? { offset: q.offset } : {}),
      });
      const outcome = await search.search(params, 'staff');
      const lang = q.lang ?? (request.locale === 'fr-CA' ? 'fr' : 'en');
      return presentStaffSearch(outcome, lang, params.limit, params.offset);
    },
  );

  r.post(
    '/api/cases/:id/referrals',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'Propose a referral to a directory organisation (consent may be recorded now or later)',
        params: IdParams,
        body: Type.Object({
          person_id: Type.Optional(Id),
          need: enumOf(NEEDS),
          organization_id: Id,
          service_id: Type.Optional(Id),
          consent: Type.Optional(ConsentBody),
        }),
        response: { 201: Referral, ...caseErrors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      checkConsent(b.consent);
      const created = await svc.create(request.actor, request.auth!.user, request.params.id, {
        person_id: b.person_id,
        need: b.need,
        organization_id: b.organization_id,
        service_id: b.service_id,
        consent: b.consent,
      });
      return reply.code(201).header('etag', `"${created.version}"`).send(created);
    },
  );

  r.post(
    '/api/referrals/:id/consent',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'Record or replace the person’s consent while the referral is proposed (If-Match)',
        params: IdParams,
        body: ConsentBody,
        response: { 200: Referral, ...caseErrors },
      },
    },
    async (request) => {
      checkConsent(request.body);
      return svc.consent(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body,
      );
    },
  );

  r.post(
    '/api/referrals/:id/override',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Supervisor only (403 OVERRIDE_NEEDS_SUPERVISOR): let the referral go without consent, with a reason (If-Match checked when sent)',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
        response: { 200: Referral, ...caseErrors },
      },
    },
    async (request) => {
      if (!request.body.reason.trim()) throw new AppError('VALIDATION_FAILED', 400, { fields: 'reason' });
      return svc.override(
        request.actor,
        request.auth!.user,
        request.params.id,
        parseVersion(request.headers['if-match']),
        request.body.reason,
      );
    },
  );

  r.post(
    '/api/referrals/:id/send',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Send: only consented fields leave (sealed); creates a follow-up task; e-mails the partner (no personal data)',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Referral, ...caseErrors },
      },
    },
    async (request) =>
      svc.send(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
      ),
  );

  r.post(
    '/api/referrals/:id/status',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Withdraw, or record the partner’s answer / the outcome on their behalf (REFERRAL_TRANSITIONS; If-Match)',
        params: IdParams,
        body: Type.Object({
          status: enumOf([
            'withdrawn',
            'accepted',
            'declined',
            'service_received',
            'could_not_reach',
          ] as const),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Referral, ...caseErrors },
      },
    },
    async (request) =>
      svc.setStatus(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.status,
        request.body.note,
      ),
  );

  r.get(
    '/api/referrals/needs',
    {
      config: { policy: staff(REPORT_ROLES) },
      schema: {
        tags: ['cases'],
        summary:
          'Needs of referrals created in the period: each referral once; share = count / total (0.1 %)',
        querystring: Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString) }),
        response: { 200: NeedsReport, ...caseErrors },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      // A real day (2021-02-30 is not): the database would refuse it with a 500.
      for (const [k, v] of [
        ['from', from],
        ['to', to],
      ] as const)
        if (v !== undefined && dayValue(v) === undefined)
          throw new AppError('VALIDATION_FAILED', 400, { fields: k });
      return svc.needs(from, to);
    },
  );
}
