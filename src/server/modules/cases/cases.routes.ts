// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns this file; keep the export's name and signature.
import type { FastifyInstance } from 'fastify';
import type { CasesDeps } from './cases.module.js';

export async function caseRoutes(_app: FastifyInstance, _deps: CasesDeps): Promise<void> {}
