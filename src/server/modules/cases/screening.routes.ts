import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CLASSIFICATIONS, NEEDS, SAFETY } from '../../../shared/cases.js';
import { requireVersion } from '../../platform/http.js';
import { ConflictResponse, ErrorResponse } from '../../platform/schemas.js';
import { CASE_WORKERS } from './access.js';
import { Answer, AnswerList } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import { type SafetyPlan, SafetyPlanSchema } from './safety.js';
import { createScreeningService } from './screening.service.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const UserRef = Type.Object({ id: Type.String(), display_name: Type.String() });

/** 403 CASE_RESTRICTED carries the case reference, so that the person can break glass. */
export const RestrictedResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
  reference: Type.Optional(Type.String()),
  restricted: Type.Optional(Type.Boolean()),
});

export const ScreeningView = Type.Object({
  signal_id: Type.String({ format: 'uuid' }),
  safety: Type.Union([Type.String(), Type.Null()]),
  classification: Type.Union([Type.String(), Type.Null()]),
  needs: Type.Array(Type.String()),
  safety_plan: Type.Union([SafetyPlanSchema, Type.Null()]),
  emergency_prompted_at: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  updated_at: Type.Union([Type.String(), Type.Null()]),
  updated_by: Type.Union([UserRef, Type.Null()]),
});

/** Every field optional: absent = keep. Classification markers pass the schema and are refused with 422. */
export const ScreeningBody = Type.Object({
  safety: Type.Optional(Answer(SAFETY)),
  classification: Type.Optional(Answer(CLASSIFICATIONS)),
  needs: Type.Optional(Type.Union([AnswerList(NEEDS, NEEDS.length), Type.Null()])),
  safety_plan: Type.Optional(Type.Union([SafetyPlanSchema, Type.Null()])),
  emergency_prompted: Type.Optional(Type.Boolean()),
});

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: RestrictedResponse,
  404: ErrorResponse,
};

/** The screening of a signal (docs/api/cases.md "Screening"). Thin: screening.service.ts decides. */
export async function screeningRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = createScreeningService(deps);

  r.get(
    '/api/signals/:id/screening',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'The screening of a signal (version 0 and nulls when none is recorded yet)',
        params: IdParams,
        response: { 200: ScreeningView, ...errors },
      },
    },
    async (request, reply) => {
      const view = await svc.get(request.auth!.user, request.params.id);
      reply.header('etag', `"${view.version}"`).header('cache-control', 'no-store');
      return view;
    },
  );

  r.put(
    '/api/signals/:id/screening',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Save the screening (If-Match: the version loaded, 0 for the first save); the advocate holding the signal or a supervisor',
        params: IdParams,
        body: ScreeningBody,
        response: {
          200: ScreeningView,
          ...errors,
          409: ConflictResponse,
          422: ErrorResponse,
          428: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const b = request.body;
      const view = await svc.update(request.actor, request.auth!.user, request.params.id, version, {
        ...(b.safety !== undefined ? { safety: b.safety } : {}),
        ...(b.classification !== undefined ? { classification: b.classification } : {}),
        ...(b.needs !== undefined ? { needs: b.needs } : {}),
        ...(b.safety_plan !== undefined ? { safety_plan: b.safety_plan as SafetyPlan | null } : {}),
        ...(b.emergency_prompted !== undefined ? { emergency_prompted: b.emergency_prompted } : {}),
      });
      reply.header('etag', `"${view.version}"`).header('cache-control', 'no-store');
      return view;
    },
  );
}
