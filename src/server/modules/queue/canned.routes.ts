import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../platform/db.js';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import { seedCannedResponses } from './canned.js';
import { cannedRepository } from './canned.repository.js';

const CannedView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String(),
  titleEn: Type.String(),
  titleFr: Type.String(),
  bodyEn: Type.String(),
  bodyFr: Type.String(),
});

/** GET /api/canned-responses (advocates, supervisors); seeds an empty table when the app is ready. */
export async function cannedRoutes(app: FastifyInstance, deps: { db: Db }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onReady', async () => {
    await seedCannedResponses(deps.db);
  });
  r.get(
    '/api/canned-responses',
    {
      config: { policy: staff(['advocate', 'supervisor']) },
      schema: {
        tags: ['queue'],
        summary: 'Bilingual snippets for conversations',
        response: {
          200: Type.Object({ responses: Type.Array(CannedView) }),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async () => ({
      responses: (await cannedRepository.listActive(deps.db)).map((c) => ({
        id: c.id,
        key: c.key,
        titleEn: c.titleEn,
        titleFr: c.titleFr,
        bodyEn: c.bodyEn,
        bodyFr: c.bodyFr,
      })),
    }),
  );
}
