import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../platform/db.js';
import { hotlineTimeZone } from '../../platform/period.js';
import { reportsRoutes } from './reports.routes.js';
import { createReportsService } from './reports.service.js';

/**
 * Reports (docs/api/reports.md): aggregate figures for supervisors and analysts. Periods are days in the hotline's
 * time zone (HARBOUR_TIME_ZONE), as the funder's fiscal years are.
 */
export async function registerReports(app: FastifyInstance, deps: { db: Db; config: Config }): Promise<void> {
  const reports = createReportsService({ db: deps.db, timeZone: hotlineTimeZone(deps.config) });
  await app.register(reportsRoutes, { reports });
}
