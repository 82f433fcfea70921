import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { SignalRow } from '../../db/schema.js';
import { AppError } from '../../platform/errors.js';
import { requireVersion } from '../../platform/http.js';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { Router } from './routing.service.js';
import { MAX_CLIENT_ID_CHARS, MAX_MESSAGE_CHARS } from './signals.service.js';
import {
  presentQueue,
  presentSignalDetail,
  QueueView,
  SignalDetailView,
  WrapUpBody,
} from './staff.presenter.js';
import type { StaffService } from './staff.service.js';

/** Advocates and supervisors handle signals. */
export const SIGNAL_HANDLERS = staff(['advocate', 'supervisor']);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};

/**
 * What a channel does after the queue committed an answer, a transfer or an end (docs/api/channels.md): the voice
 * module connects, moves or hangs up the call. Called after the commit; a failure is logged, never undoes it.
 */
export interface ChannelHooks {
  answered(signal: SignalRow, userId: string): Promise<void>;
  transferred(signal: SignalRow, byUserId: string, toUserId: string): Promise<void>;
  ended(signal: SignalRow, actorId: string): Promise<void>;
}

export interface StaffRoutesDeps {
  staff: StaffService;
  router: Router;
  channelHooks?: ChannelHooks | undefined;
}

/** The staff REST side of the live queue (docs/api/live-queue.md, "Staff API"). Thin: the services decide. */
export async function staffRoutes(app: FastifyInstance, deps: StaffRoutesDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = deps.staff;
  const hook = async (name: keyof ChannelHooks, run: (h: ChannelHooks) => Promise<void>) => {
    if (!deps.channelHooks) return;
    try {
      await run(deps.channelHooks);
    } catch (err) {
      app.log.warn(
        { err: { type: (err as Error)?.name, code: (err as { code?: unknown })?.code }, hook: name },
        'channel hook failed',
      );
    }
  };

  r.get(
    '/api/queue',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'Waiting signals (no content), my pending offers, my conversations',
        response: { 200: QueueView, ...errors },
      },
    },
    async (request) => presentQueue(await svc.queue(request.auth!.user)),
  );

  r.post(
    '/api/offers/:id/accept',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'Take an offered signal: it becomes my conversation',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Type.Object({ signalId: Type.String({ format: 'uuid' }) }), ...errors },
      },
    },
    async (request) => {
      const s = await deps.router.accept(request.params.id, request.auth!.user.id, request.actor);
      await hook('answered', (h) => h.answered(s, request.auth!.user.id));
      return { signalId: s.id };
    },
  );

  r.post(
    '/api/offers/:id/decline',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'Pass on an offer: it goes to the next advocate and never comes back to me',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deps.router.decline(request.params.id, request.auth!.user.id, request.actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/signals/:id',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'A signal with its transcript or report and timeline (every read is audited)',
        params: IdParams,
        response: { 200: Type.Object({ signal: SignalDetailView }), ...errors },
      },
    },
    async (request, reply) => {
      const d = await svc.detail(request.actor, request.auth!.user, request.params.id);
      reply.header('etag', `"${d.signal.version}"`).header('cache-control', 'no-store');
      return { signal: presentSignalDetail(d) };
    },
  );

  r.post(
    '/api/signals/:id/messages',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'Send a message; `id` is my own id for it: sending it again never stores it twice',
        params: IdParams,
        body: Type.Object({
          id: Type.String({ minLength: 1, maxLength: MAX_CLIENT_ID_CHARS }),
          text: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS * 2 }),
        }),
        response: {
          200: Type.Object({ seq: Type.Integer(), duplicate: Type.Boolean(), at: Type.String() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id, text } = request.body;
      const res = await svc.sendMessage(request.actor, request.auth!.user, request.params.id, id, text);
      return { seq: res.seq, duplicate: res.duplicate, at: res.at.toISOString() };
    },
  );

  r.post(
    '/api/signals/:id/read',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'I have read up to seq (the visitor sees it)',
        params: IdParams,
        body: Type.Object({ seq: Type.Integer({ minimum: 0, maximum: 2_000_000_000 }) }),
        response: { 200: Type.Object({ seq: Type.Integer() }), ...errors },
      },
    },
    async (request) => ({
      seq: await svc.markRead(request.auth!.user, request.params.id, request.body.seq),
    }),
  );

  r.post(
    '/api/signals/:id/typing',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'I am typing (or stopped): the visitor sees an indicator; nothing is stored',
        params: IdParams,
        body: Type.Object({ on: Type.Boolean() }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await svc.typing(request.auth!.user, request.params.id, request.body.on);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/signals/:id/transfer',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'Hand the conversation to a colleague (to_user_id) or to a supervisor (to: "supervisor")',
        params: IdParams,
        body: Type.Object({
          to_user_id: Type.Optional(Type.String({ format: 'uuid' })),
          to: Type.Optional(Type.Literal('supervisor')),
          reason: Type.String({ minLength: 1, maxLength: 500 }),
        }),
        response: {
          200: Type.Object({
            signalId: Type.String({ format: 'uuid' }),
            assignedUserId: Type.String({ format: 'uuid' }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { to_user_id: toUserId, to, reason } = request.body;
      if ((toUserId ? 1 : 0) + (to ? 1 : 0) !== 1 || !reason.trim())
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'to_user_id, to, reason' });
      const s = await svc.transfer(
        request.actor,
        request.auth!.user,
        request.params.id,
        toUserId ? { toUserId } : { toSupervisor: true },
        reason.trim(),
      );
      if (s.assignedUserId)
        await hook('transferred', (h) => h.transferred(s, request.auth!.user.id, s.assignedUserId as string));
      return { signalId: s.id, assignedUserId: s.assignedUserId ?? '' };
    },
  );

  r.post(
    '/api/signals/:id/end',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary: 'End the conversation (a report: close its review)',
        params: IdParams,
        body: Type.Optional(
          Type.Object({
            reason: Type.Optional(
              Type.Unsafe<'completed' | 'reviewed' | 'spam'>({
                type: 'string',
                enum: ['completed', 'reviewed', 'spam'],
              }),
            ),
          }),
        ),
        response: {
          200: Type.Object({
            signalId: Type.String({ format: 'uuid' }),
            state: Type.String(),
            endReason: Type.Union([Type.String(), Type.Null()]),
            version: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const s = await svc.end(request.actor, request.auth!.user, request.params.id, request.body?.reason);
      await hook('ended', (h) => h.ended(s, request.auth!.user.id));
      return { signalId: s.id, state: s.state, endReason: s.endReason, version: s.version };
    },
  );

  r.put(
    '/api/signals/:id/wrap-up',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['queue'],
        summary:
          'Record the wrap-up (If-Match: the version it was loaded with; 409 when someone saved since)',
        params: IdParams,
        body: WrapUpBody,
        response: { 200: Type.Object({ signal: SignalDetailView }), ...errors, 428: ErrorResponse },
      },
    },
    async (request, reply) => {
      const version = requireVersion(request.headers['if-match']);
      const b = request.body;
      const d = await svc.wrapUp(request.actor, request.auth!.user, request.params.id, version, {
        callerType: b.caller_type,
        region: b.region,
        wrapUpLanguage: b.language,
        heardAbout: b.heard_about,
      });
      reply.header('etag', `"${d.signal.version}"`);
      return { signal: presentSignalDetail(d) };
    },
  );
}
