import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { REPORT_ROLES } from '../../../shared/reports.js';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { ReportsService } from './reports.service.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Count = Type.Integer({ minimum: 0 });
const FieldCounts = Type.Object({
  field: Type.String(),
  counts: Type.Array(Type.Object({ code: Type.String(), count: Count })),
  declined: Count,
  unknown: Count,
  not_asked: Count,
});

export const ScreeningReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  time_zone: Type.String(),
  screenings: Count,
  fields: Type.Array(FieldCounts),
  people: Count,
  people_by_role: Type.Array(
    Type.Object({ role: Type.String(), people: Count, fields: Type.Array(FieldCounts) }),
  ),
});

/** Who reads reports (the same for GET /api/referrals/needs). */
export const REPORT_READERS = staff(REPORT_ROLES);

/** GET /api/reports/screening (docs/api/reports.md): thin; the service checks the period and counts. */
export async function reportsRoutes(app: FastifyInstance, deps: { reports: ReportsService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/reports/screening',
    {
      config: { policy: REPORT_READERS },
      schema: {
        tags: ['reports'],
        summary:
          'Screening answers (signals arrived in the period) and coded fields of people recorded in the period, by code, with declined, unknown and not asked apart',
        querystring: Type.Object({ from: Day, to: Day }),
        response: { 200: ScreeningReport, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => deps.reports.screening(request.query.from, request.query.to),
  );
}
