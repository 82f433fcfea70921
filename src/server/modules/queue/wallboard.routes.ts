import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { WallboardService } from './wallboard.service.js';

const Share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
const Seconds = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const Group = Type.Object({
  targetS: Count,
  queued: Count,
  answered: Count,
  answeredWithinTarget: Count,
  unanswered: Count,
  waitingPastTarget: Count,
  serviceLevel: Share,
  meanWaitS: Seconds,
});

export const WallboardView = Type.Object({
  waiting: Type.Array(
    Type.Object({ channel: Type.String(), language: Type.String(), count: Count, longestWaitS: Count }),
  ),
  waitingTotal: Count,
  longestWaitS: Count,
  advocates: Type.Object({ available: Count, busy: Count, break: Count, offline: Count }),
  today: Type.Object({
    timeZone: Type.String(),
    signals: Count,
    serviceLevel: Type.Object({ calls: Share, chats: Share }),
    meanWaitS: Seconds,
    unansweredShare: Share,
    calls: Group,
    chats: Group,
  }),
  generatedAt: Type.String({ format: 'date-time' }),
});

/** GET /api/wallboard: supervisors and admins; counts and times only, never a person or a message. */
export async function wallboardRoutes(app: FastifyInstance, deps: { wallboard: WallboardService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/wallboard',
    {
      config: { policy: staff(['supervisor', 'admin']) },
      schema: {
        tags: ['queue'],
        summary: "The live queue's wallboard: waiting, staffing and today's service level",
        response: {
          200: Type.Object({ wallboard: WallboardView }),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async () => ({ wallboard: await deps.wallboard.get() }),
  );
}
