import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Bus } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import type { Mailer } from '../../platform/mail.js';
import { caseRoutes } from './cases.routes.js';
import { escalationRoutes } from './escalations.routes.js';
import { partnerRoutes } from './partner.routes.js';
import { referralRoutes } from './referrals.routes.js';
import { createRetentionJob } from './retention.js';
import { screeningRoutes } from './screening.routes.js';
import { supervisionRoutes } from './supervision.routes.js';

/**
 * Screening and case management (issue 6, docs/api/cases.md, ADR 0007): screening, cases and their parts, referrals
 * (partner side included), escalations, supervision, and the retention job (started on ready, stopped on close).
 */
export interface CasesDeps {
  db: Db;
  config: Config;
  bus: Bus;
  /** Partner notifications ("a referral is waiting": no personal data). */
  mailer: Mailer;
  log: FastifyBaseLogger;
}

export async function registerCases(app: FastifyInstance, deps: CasesDeps): Promise<void> {
  await app.register(screeningRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(referralRoutes, deps);
  await app.register(partnerRoutes, deps);
  await app.register(escalationRoutes, deps);
  await app.register(supervisionRoutes, deps);
  const retention = createRetentionJob(deps);
  app.addHook('onReady', async () => retention.start());
  app.addHook('onClose', async () => retention.stop());
}
