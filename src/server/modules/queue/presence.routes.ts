import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import {
  PresenceStatusSchema,
  PresenceView,
  presentPresence,
  QueueLanguageSchema,
} from './presence.presenter.js';
import type { PresenceService } from './presence.service.js';

/** Who answers signals (and so has a presence). */
export const HANDLERS = ['advocate', 'supervisor'] as const;

export interface PresenceRoutesDeps {
  presence: PresenceService;
}

/** PUT/GET /api/presence: one's own availability; `?all=true` lists everyone who answers signals (names only). */
export async function presenceRoutes(app: FastifyInstance, deps: PresenceRoutesDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { presence } = deps;
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

  r.get(
    '/api/presence',
    {
      config: { policy: staff([...HANDLERS, 'admin']) },
      schema: {
        tags: ['queue'],
        summary:
          'My presence; with all=true everyone who answers signals (display names, no contact details)',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({ presence: Type.Union([PresenceView, Type.Array(PresenceView)]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const user = request.auth!.user;
      // Everyone who may see presence sees the whole team: advocates pick transfer targets from it.
      if (request.query.all) return { presence: (await presence.list()).map(presentPresence) };
      return { presence: presentPresence(await presence.get(user.id)) };
    },
  );

  r.put(
    '/api/presence',
    {
      config: { policy: staff(HANDLERS) },
      schema: {
        tags: ['queue'],
        summary: 'Set my presence (available, busy, break, offline), the queues I take and my max chats',
        body: Type.Object({
          status: PresenceStatusSchema,
          languages: Type.Optional(Type.Array(QueueLanguageSchema, { maxItems: 3 })),
          maxChats: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
        }),
        response: { 200: Type.Object({ presence: PresenceView }), ...errors },
      },
    },
    async (request) => {
      const { status, languages, maxChats } = request.body;
      const state = await presence.set(
        request.auth!.user,
        {
          status,
          ...(languages ? { languages } : {}),
          ...(maxChats !== undefined ? { maxChats } : {}),
        },
        request.actor,
      );
      return { presence: presentPresence(state) };
    },
  );
}
