import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../platform/db.js';
import { errorBody } from '../../platform/http.js';
import { publicPolicy } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';

/** Liveness and readiness for orchestrators and load balancers. */
export async function systemRoutes(app: FastifyInstance, deps: { db: Db; isShuttingDown: () => boolean }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/healthz',
    {
      config: { policy: publicPolicy },
      schema: {
        tags: ['system'],
        summary: 'The process is alive',
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' }),
  );
  r.get(
    '/readyz',
    {
      config: { policy: publicPolicy },
      schema: {
        tags: ['system'],
        summary: 'Ready for traffic: database reachable, not shutting down',
        response: { 200: Type.Object({ status: Type.String() }), 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      if (deps.isShuttingDown()) return reply.code(503).send(errorBody(request.locale, 'NOT_READY'));
      try {
        await deps.db.execute(sql`select 1`);
        return { status: 'ready' };
      } catch {
        return reply.code(503).send(errorBody(request.locale, 'NOT_READY'));
      }
    },
  );
}
