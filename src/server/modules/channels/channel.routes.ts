import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/schemas.js';
import { SIGNAL_HANDLERS } from '../queue/staff.routes.js';
import { contentDisposition, createChannelService, REVEAL_REASONS } from './channel.service.js';
import type { ChannelsDeps } from './channels.module.js';

/**
 * Staff routes of a signal's channel (docs/api/channels.md): GET /api/signals/:id/channel,
 * GET /api/attachments/:id, POST /api/signals/:id/reveal-contact. Advocates (their own signals) and supervisors.
 */

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  410: ErrorResponse,
};
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ChannelView = Type.Object(
  {
    kind: Type.String(),
    hotlineAddress: Nullable(Type.String()),
    campaign: Nullable(Type.String()),
    repeatContacts: Type.Object({ count: Type.Integer(), lastAt: Nullable(Type.String()) }),
    window: Nullable(Type.Object({ endsAt: Nullable(Type.String()), open: Type.Boolean() })),
    deliveries: Type.Array(
      Type.Object({ seq: Type.Integer(), status: Type.String(), errorCode: Nullable(Type.String()) }),
    ),
    attachments: Type.Array(
      Type.Object({
        id: Type.String(),
        seq: Nullable(Type.Integer()),
        contentType: Type.String(),
        sizeBytes: Type.Integer(),
        state: Type.String(),
        filename: Nullable(Type.String()),
      }),
    ),
    email: Nullable(Type.Object({ subject: Nullable(Type.String()) })),
  },
  { additionalProperties: false },
);

export async function channelStaffRoutes(app: FastifyInstance, deps: ChannelsDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = createChannelService({ db: deps.db, encryptionKey: deps.config.encryptionKey });

  r.get(
    '/api/signals/:id/channel',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary:
          "A signal's channel: deliveries, attachments, repeat contacts, WhatsApp window, e-mail subject",
        params: IdParams,
        response: { 200: Type.Object({ channel: ChannelView }), ...errors },
      },
    },
    async (request, reply) => {
      const channel = await svc.channel(request.actor, request.auth!.user, request.params.id);
      reply.header('cache-control', 'no-store');
      return { channel };
    },
  );

  // Untyped reply: the answer is the file's bytes.
  app.get<{ Params: { id: string } }>(
    '/api/attachments/:id',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: 'Download an attachment (never inline; audited)',
        params: IdParams,
        response: errors,
      },
    },
    async (request, reply) => {
      const file = await svc.attachment(request.actor, request.auth!.user, request.params.id);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'no-store')
        .header('content-length', String(file.bytes.length))
        .send(file.bytes);
    },
  );

  r.post(
    '/api/signals/:id/reveal-contact',
    {
      config: { policy: SIGNAL_HANDLERS },
      schema: {
        tags: ['channels'],
        summary: "Reveal the person's number or address, for a stated reason (audited)",
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.Unsafe<(typeof REVEAL_REASONS)[number]>({
              type: 'string',
              enum: [...REVEAL_REASONS],
            }),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ address: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const { reason, note } = request.body;
      const result = await svc.reveal(request.actor, request.auth!.user, request.params.id, reason, note);
      reply.header('cache-control', 'no-store');
      return result;
    },
  );
}
