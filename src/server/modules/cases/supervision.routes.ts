import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/schemas.js';
import { SUPERVISORS } from './access.js';
import type { CasesDeps } from './cases.module.js';
import { createSupervisionService, type SupervisionService } from './supervision.service.js';
import { teamRoutes } from './teams.routes.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
export const UserRefView = Type.Object({ id: Type.String(), display_name: Type.String() });

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const BreakGlassItem = Type.Object({
  id: Type.String({ format: 'uuid' }),
  case_id: Type.String({ format: 'uuid' }),
  case_reference: Type.String(),
  user: UserRefView,
  reason: Type.String(),
  note: Nullable(Type.String()),
  granted_at: Type.String(),
  expires_at: Type.String(),
  reviewed_by: Nullable(UserRefView),
  reviewed_at: Nullable(Type.String()),
});

const OverridesView = Type.Object({
  referrals: Type.Array(
    Type.Object({
      id: Type.String(),
      case_id: Type.String(),
      case_reference: Type.String(),
      need: Type.String(),
      status: Type.String(),
      organization: Type.Object({ id: Type.String(), name: Type.String() }),
      override_by: Nullable(UserRefView),
      override_at: Type.String(),
      reason: Nullable(Type.String()),
      sent_at: Nullable(Type.String()),
    }),
  ),
  escalations: Type.Array(
    Type.Object({
      id: Type.String(),
      case_id: Type.String(),
      case_reference: Type.String(),
      kind: Type.String(),
      status: Type.String(),
      override_reason: Nullable(Type.String()),
      note: Nullable(Type.String()),
      created_by: Nullable(UserRefView),
      created_at: Type.String(),
    }),
  ),
  waivers: Type.Array(
    Type.Object({
      case_id: Type.String(),
      case_reference: Type.String(),
      status: Type.String(),
      close_reason: Nullable(Type.String()),
      closed_at: Nullable(Type.String()),
      waiver: Nullable(Type.String()),
    }),
  ),
});

const ApprovalItem = Type.Object({
  id: Type.String(),
  case_id: Type.String(),
  case_reference: Type.String(),
  kind: Type.String(),
  consent_given: Type.Boolean(),
  override_reason: Nullable(Type.String()),
  created_by: Nullable(UserRefView),
  created_at: Type.String(),
  version: Type.Integer(),
});

/** Supervision lists (docs/api/cases.md "Supervision") and the teams (teams.routes.ts). Supervisors only. */
export async function supervisionRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc: SupervisionService = createSupervisionService(deps);

  r.get(
    '/api/supervision/break-glass',
    {
      config: { policy: SUPERVISORS },
      schema: {
        tags: ['supervision'],
        summary: 'Break-glass grants, newest first (reviewed=false: still to review); the read is audited',
        querystring: Type.Object({
          reviewed: Type.Optional(Type.Unsafe<'true' | 'false'>({ type: 'string', enum: ['true', 'false'] })),
        }),
        response: { 200: Type.Object({ items: Type.Array(BreakGlassItem) }), ...errors },
      },
    },
    async (request, reply) => {
      const { reviewed } = request.query;
      reply.header('cache-control', 'no-store');
      return svc.breakGlass(request.actor, reviewed === undefined ? {} : { reviewed: reviewed === 'true' });
    },
  );

  r.post(
    '/api/supervision/break-glass/:id/review',
    {
      config: { policy: SUPERVISORS },
      schema: {
        tags: ['supervision'],
        summary: 'Mark a break-glass grant reviewed (once; nobody reviews their own)',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: BreakGlassItem, ...errors },
      },
    },
    async (request) => svc.review(request.actor, request.auth!.user, request.params.id),
  );

  r.get(
    '/api/supervision/overrides',
    {
      config: { policy: SUPERVISORS },
      schema: {
        tags: ['supervision'],
        summary:
          'Last 90 days: referrals on a supervisor override, escalations without consent, cases closed with a protocol waiver',
        response: { 200: OverridesView, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return svc.overrides(request.actor);
    },
  );

  r.get(
    '/api/supervision/approvals',
    {
      config: { policy: SUPERVISORS },
      schema: {
        tags: ['supervision'],
        summary: 'Escalations waiting for a supervisor to approve them, the longest waiting first',
        response: { 200: Type.Object({ items: Type.Array(ApprovalItem) }), ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return svc.approvals(request.actor);
    },
  );

  await teamRoutes(app, svc);
}
