import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { REFERRAL_STATUSES } from '../../../shared/cases.js';
import { requireVersion } from '../../platform/http.js';
import { staff } from '../../platform/policy.js';
import { enumOf } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import { caseErrors, PartnerReferral } from './referrals.presenter.js';
import { createReferralsService } from './referrals.service.js';

const PARTNERS = staff(['partner']);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Note = Type.Optional(Type.String({ maxLength: 2000 }));

/**
 * The partner's side of referrals (docs/api/cases.md "Partner side"): their own organisation's referrals once
 * sent, only the consented values; other organisations' referrals are 404.
 */
export async function partnerRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = createReferralsService(deps);

  r.get(
    '/api/partner/referrals',
    {
      config: { policy: PARTNERS },
      schema: {
        tags: ['partner'],
        summary: 'Referrals sent to my organisation (only what the person agreed to share)',
        querystring: Type.Object({
          status: Type.Optional(enumOf(REFERRAL_STATUSES.filter((s) => s !== 'proposed'))),
        }),
        response: { 200: Type.Object({ items: Type.Array(PartnerReferral) }), ...caseErrors },
      },
    },
    async (request) => ({
      items: await svc.partnerList(request.actor, request.auth!.user.id, request.query.status),
    }),
  );

  r.get(
    '/api/partner/referrals/:id',
    {
      config: { policy: PARTNERS },
      schema: {
        tags: ['partner'],
        summary: 'One referral of my organisation (audited referral.partner_read)',
        params: IdParams,
        response: { 200: PartnerReferral, ...caseErrors },
      },
    },
    async (request) => svc.partnerGet(request.actor, request.auth!.user.id, request.params.id),
  );

  r.post(
    '/api/partner/referrals/:id/respond',
    {
      config: { policy: PARTNERS },
      schema: {
        tags: ['partner'],
        summary: 'Accept or decline a referral (If-Match)',
        params: IdParams,
        body: Type.Object({ status: enumOf(['accepted', 'declined'] as const), note: Note }),
        response: { 200: PartnerReferral, ...caseErrors },
      },
    },
    async (request) =>
      svc.partnerUpdate(
        request.actor,
        request.auth!.user.id,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.status,
        request.body.note,
        'referral.partner_respond',
      ),
  );

  r.post(
    '/api/partner/referrals/:id/outcome',
    {
      config: { policy: PARTNERS },
      schema: {
        tags: ['partner'],
        summary: 'Record the outcome of an accepted referral (If-Match)',
        params: IdParams,
        body: Type.Object({
          status: enumOf(['service_received', 'could_not_reach'] as const),
          note: Note,
        }),
        response: { 200: PartnerReferral, ...caseErrors },
      },
    },
    async (request) =>
      svc.partnerUpdate(
        request.actor,
        request.auth!.user.id,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.status,
        request.body.note,
        'referral.partner_outcome',
      ),
  );
}
