import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { InterchangeService } from './interchange.service.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  413: ErrorResponse,
};
const Report = Type.Object({
  ok: Type.Boolean(),
  dryRun: Type.Boolean(),
  counts: Type.Record(Type.String(), Type.Integer()),
  errors: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
});

/** HSDS import (the console's upload screen and scripts) and export, for staff. */
export async function interchangeRoutes(app: FastifyInstance, deps: { interchange: InterchangeService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { interchange } = deps;

  r.post(
    '/api/directory/import',
    {
      config: { policy: staff(['directory_manager', 'admin'], 'directory:write') },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags: ['directory'],
        summary: 'Import HSDS JSON or a tabular CSV package: all or nothing, with a row-level report',
        body: Type.Object({
          format: Type.Unsafe<'json' | 'csv'>({ type: 'string', enum: ['json', 'csv'] }),
          /** For `json`: a compiled service or organization object, a list, or a Page. */
          data: Type.Optional(Type.Unknown()),
          /** For `csv`: file name → file text (datapackage.json and the CSV files). */
          files: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.String())),
          dryRun: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Report, 422: Report, ...errors },
      },
    },
    async (request, reply) => {
      const { format, data, files, dryRun } = request.body;
      const input = format === 'json' ? { format, data } : { format, files: files ?? {} };
      const report = await interchange.import(input as never, request.actor, { dryRun: dryRun ?? false });
      return reply.code(report.ok ? 200 : 422).send({ ...report, dryRun: dryRun ?? false });
    },
  );

  r.get(
    '/api/directory/export',
    {
      config: { policy: staff(['directory_manager', 'admin', 'analyst'], 'directory:read') },
      schema: {
        tags: ['directory'],
        summary:
          'Export the directory as HSDS JSON, NDJSON or the tabular CSV files; confidential data only on request (audited)',
        querystring: Type.Object({
          format: Type.Unsafe<'json' | 'ndjson' | 'csv'>({
            type: 'string',
            enum: ['json', 'ndjson', 'csv'],
            default: 'json',
          }),
          include_confidential: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Unknown(), ...errors },
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'json';
      const confidential = request.query.include_confidential === true;
      // Only those who handle confidential entries may take them out.
      if (confidential && request.auth!.user.role === 'analyst')
        return reply.code(403).send(forbiddenBody(request.locale));
      reply.header('cache-control', 'no-store');
      if (format === 'csv')
        return reply.send({ files: await interchange.exportCsv(request.actor, confidential) });
      const items: Record<string, unknown>[] = [];
      for await (const s of interchange.exportServices(request.actor, confidential)) items.push(s);
      if (format === 'ndjson') {
        return reply
          .type('application/x-ndjson')
          .send(items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : ''));
      }
      return reply.send(items);
    },
  );
}

import { errorBody } from '../../platform/http.js';

const forbiddenBody = (locale: 'en-CA' | 'fr-CA') => errorBody(locale, 'FORBIDDEN');
