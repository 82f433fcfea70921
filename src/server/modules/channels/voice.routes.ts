import fastifyFormbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { publicPolicy } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import { SIGNAL_HANDLERS } from '../queue/staff.routes.js';
import type { ChannelsDeps } from './channels.module.js';
import { formParams, twilioWebhook } from './twilio.js';
import { createVoiceService, LANGUAGE_TAG } from './voice.service.js';
import { VOICE_PATHS } from './voice.twiml.js';

/**
 * Phone (docs/api/channels.md, "Phone"): Twilio's voice webhooks (form-encoded, signed, answered with TwiML)
 * and the staff routes of the call card (token, endpoint, hold, mute, interpreter).
 */

/** Larger than anything Twilio posts to a voice webhook. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PartyParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  partyId: Type.String({ format: 'uuid' }),
});
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  502: ErrorResponse,
  503: ErrorResponse,
};

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const PartyView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  language: Nullable(Type.String()),
  status: Type.String(),
  startedAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  seconds: Type.Union([Type.Integer(), Type.Null()]),
});
const CallView = Type.Object({
  status: Type.String(),
  answeredAt: Nullable(Type.String()),
  onHold: Type.Boolean(),
  muted: Type.Boolean(),
  conference: Type.Boolean(),
  parties: Type.Array(PartyView),
});
const EndpointView = Type.Object({
  mode: Type.Union([Type.Literal('browser'), Type.Literal('forward')]),
  forwardNumberSet: Type.Boolean(),
});

export async function voiceRoutes(app: FastifyInstance, deps: ChannelsDeps): Promise<void> {
  const voice = createVoiceService(deps);

  // Twilio's webhooks, in their own context (the only place that accepts form bodies).
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: WEBHOOK_BODY_LIMIT });
    const verify = twilioWebhook(deps.config);
    // Twilio's addresses are shared by every customer: a generous limit, per address.
    const rateLimit = { max: Math.max(1200, deps.config.publicRateLimit * 10), timeWindow: '1 minute' };
    const twiml = (reply: FastifyReply, xml: string) =>
      reply.type('text/xml; charset=utf-8').header('cache-control', 'no-store').send(xml);
    const query = (q: unknown) => formParams(q);
    const webhook = (
      path: string,
      handle: (params: Record<string, string>, q: Record<string, string>) => Promise<string> | string,
    ) =>
      scope.post(
        path,
        {
          bodyLimit: WEBHOOK_BODY_LIMIT,
          preHandler: verify,
          config: { policy: publicPolicy, rateLimit },
          schema: { hide: true },
        },
        async (request, reply) => twiml(reply, await handle(formParams(request.body), query(request.query))),
      );

    webhook(VOICE_PATHS.incoming, (p) => voice.incoming(p));
    webhook(VOICE_PATHS.menu, (p, q) => voice.menu(p, q));
    webhook(VOICE_PATHS.wait, (_p, q) => voice.wait(q));
    webhook(VOICE_PATHS.queueResult, (p) => voice.queueResult(p));
    webhook(VOICE_PATHS.status, (p) => voice.status(p));
    webhook(VOICE_PATHS.client, (p) => voice.client(p));
    webhook(VOICE_PATHS.conference, (p) => voice.conference(p));
    webhook(VOICE_PATHS.party, (p, q) => voice.party(p, q));
    webhook(VOICE_PATHS.interpreterCode, () => voice.interpreterCode());
  });

  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/voice/token',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'A Voice SDK access token for answering calls in the browser (identity = my user id, 1 h)',
        response: {
          200: Type.Object({ token: Type.String(), identity: Type.String(), expiresAt: Type.String() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return voice.token(request.actor, request.auth!.user);
    },
  );

  r.get(
    '/api/voice/endpoint',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'How I answer calls: in the browser, or on a forwarded number (never shown)',
        response: { 200: EndpointView, ...errors },
      },
    },
    async (request) => voice.getEndpoint(request.auth!.user),
  );

  r.put(
    '/api/voice/endpoint',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'Answer calls in the browser or on a forwarded number (E.164, stored sealed)',
        body: Type.Object({
          mode: Type.Union([Type.Literal('browser'), Type.Literal('forward')]),
          number: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
        }),
        response: { 200: EndpointView, ...errors },
      },
    },
    async (request) => voice.putEndpoint(request.actor, request.auth!.user, request.body),
  );

  r.get(
    '/api/signals/:id/call',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'The call card of a phone signal: status, hold, mute, conference, parties (who, how long)',
        params: IdParams,
        response: { 200: Type.Object({ call: CallView }), ...errors },
      },
    },
    async (request) => ({ call: await voice.getCall(request.auth!.user, request.params.id) }),
  );

  for (const action of ['hold', 'mute'] as const) {
    r.post(
      `/api/signals/:id/call/${action}`,
      {
        config: { policy: SIGNAL_HANDLERS },
        schema: {
          tags: ['channels'],
          summary:
            action === 'hold'
              ? 'Put the caller on hold (music) or take them off hold'
              : "Mute or unmute the advocate's leg",
          params: IdParams,
          body: Type.Object({ on: Type.Boolean() }),
          response: { 200: Type.Object({ call: CallView }), ...errors },
        },
      },
      async (request) => {
        const { actor } = request;
        const user = request.auth!.user;
        const call =
          action === 'hold'
            ? await voice.hold(actor, user, request.params.id, request.body.on)
            : await voice.mute(actor, user, request.params.id, request.body.on);
        return { call };
      },
    );
  }

  r.post(
    '/api/signals/:id/call/interpreter',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'Dial the interpreter line into the call (language: BCP 47)',
        params: IdParams,
        body: Type.Object({ language: Type.String({ pattern: LANGUAGE_TAG, maxLength: 35 }) }),
        response: { 200: Type.Object({ party: PartyView }), ...errors },
      },
    },
    async (request) => ({
      party: await voice.addInterpreter(
        request.actor,
        request.auth!.user,
        request.params.id,
        request.body.language,
      ),
    }),
  );

  r.post(
    '/api/signals/:id/call/interpreter/:partyId/end',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: "End the interpreter's leg (how long they were on the call is kept)",
        params: PartyParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Type.Object({ party: PartyView }), ...errors },
      },
    },
    async (request) => ({
      party: await voice.endInterpreter(
        request.actor,
        request.auth!.user,
        request.params.id,
        request.params.partyId,
      ),
    }),
  );
}
