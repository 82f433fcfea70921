import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ESCALATION_KINDS, OVERRIDE_REASONS } from '../../../shared/cases.js';
import { AppError } from '../../platform/errors.js';
import { parseVersion, requireVersion } from '../../platform/http.js';
import { staff } from '../../platform/policy.js';
import { CASE_WORKERS, SUPERVISORS } from './access.js';
import { enumOf } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import { Agency, Escalation, Protocol, ProtocolStep } from './escalations.presenter.js';
import { createEscalationsService } from './escalations.service.js';
import { caseErrors } from './referrals.presenter.js';

const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Id });
const Kind = enumOf(ESCALATION_KINDS);

/** Escalations and their protocols (docs/api/cases.md "Escalations"): thin; the service decides. */
export async function escalationRoutes(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = createEscalationsService(deps);

  r.get(
    '/api/protocols',
    {
      config: { policy: staff(['advocate', 'supervisor', 'admin']) },
      schema: {
        tags: ['cases'],
        summary: 'Escalation protocols: the checklist of each kind, its version, whether it needs approval',
        response: { 200: Type.Object({ items: Type.Array(Protocol) }), ...caseErrors },
      },
    },
    async () => ({ items: await svc.protocols() }),
  );

  r.put(
    '/api/protocols/:kind',
    {
      config: { policy: staff(['supervisor', 'admin']) },
      schema: {
        tags: ['cases'],
        summary:
          'Replace a protocol (If-Match = its version): 1–20 steps, unique keys; running escalations keep their snapshot',
        params: Type.Object({ kind: Kind }),
        body: Type.Object({
          steps: Type.Array(ProtocolStep, { minItems: 1, maxItems: 20 }),
          requires_approval: Type.Boolean(),
        }),
        response: { 200: Protocol, ...caseErrors },
      },
    },
    async (request, reply) => {
      const saved = await svc.putProtocol(
        request.actor,
        request.auth!.user.id,
        request.params.kind,
        requireVersion(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', `"${saved.version}"`);
      return saved;
    },
  );

  r.get(
    '/api/cases/:id/agencies',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Agencies for an escalation: police or child protection whose jurisdiction covers the case’s province, nearest first',
        params: IdParams,
        querystring: Type.Object({ kind: Kind }),
        response: { 200: Type.Object({ items: Type.Array(Agency) }), ...caseErrors },
      },
    },
    async (request) => ({
      items: await svc.agencies(request.actor, request.auth!.user, request.params.id, request.query.kind),
    }),
  );

  r.post(
    '/api/cases/:id/escalations',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary:
          'Start an escalation: consent, or a reason to go ahead without it (422 ESCALATION_OVERRIDE_REQUIRED)',
        params: IdParams,
        body: Type.Object({
          kind: Kind,
          organization_id: Type.Optional(Id),
          consent_given: Type.Boolean(),
          override_reason: Type.Optional(enumOf(OVERRIDE_REASONS)),
          override_note: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: { 201: Escalation, ...caseErrors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await svc.create(request.actor, request.auth!.user, request.params.id, {
        kind: b.kind,
        organization_id: b.organization_id,
        consent_given: b.consent_given,
        override_reason: b.override_reason,
        override_note: b.override_note,
      });
      return reply.code(201).header('etag', `"${created.version}"`).send(created);
    },
  );

  r.post(
    '/api/escalations/:id/approve',
    {
      config: { policy: SUPERVISORS },
      schema: {
        tags: ['cases'],
        summary: 'Approve an escalation awaiting approval (supervisor; If-Match checked when sent)',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Escalation, ...caseErrors },
      },
    },
    async (request) =>
      svc.approve(
        request.actor,
        request.auth!.user,
        request.params.id,
        parseVersion(request.headers['if-match']),
      ),
  );

  r.post(
    '/api/escalations/:id/steps',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'Mark a protocol step done or not done (If-Match; unknown key: 400)',
        params: IdParams,
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 40 }), done: Type.Boolean() }),
        response: { 200: Escalation, ...caseErrors },
      },
    },
    async (request) =>
      svc.step(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.key,
        request.body.done,
      ),
  );

  r.post(
    '/api/escalations/:id/made',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'The escalation was made (If-Match); approval first when required',
        params: IdParams,
        body: Type.Object({
          agency_reference: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Escalation, ...caseErrors },
      },
    },
    async (request) => {
      const ref = request.body.agency_reference?.trim();
      // A file number is a short line of text: control characters (new lines included) are refused.
      if (ref && /\p{Cc}/u.test(ref))
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'agency_reference' });
      return svc.made(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        ref || undefined,
      );
    },
  );

  r.post(
    '/api/escalations/:id/complete',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'Complete (If-Match): every required step done, else 409 ESCALATION_STEPS_PENDING',
        params: IdParams,
        body: Type.Object({
          outcome: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$' }),
          outcome_note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Escalation, ...caseErrors },
      },
    },
    async (request) =>
      svc.complete(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.outcome,
        request.body.outcome_note,
      ),
  );

  r.post(
    '/api/escalations/:id/cancel',
    {
      config: { policy: CASE_WORKERS },
      schema: {
        tags: ['cases'],
        summary: 'Cancel a running escalation, with a note (If-Match)',
        params: IdParams,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: Escalation, ...caseErrors },
      },
    },
    async (request) => {
      if (!request.body.note.trim()) throw new AppError('VALIDATION_FAILED', 400, { fields: 'note' });
      return svc.cancel(
        request.actor,
        request.auth!.user,
        request.params.id,
        requireVersion(request.headers['if-match']),
        request.body.note,
      );
    },
  );
}
