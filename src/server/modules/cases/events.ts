import { eq, sql } from 'drizzle-orm';
import type { CASE_EVENT_TYPES } from '../../../shared/cases.js';
import { caseEvent, caseFile } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/** The case timeline's event types live in src/shared/cases.ts (the console labels them). */
export { CASE_EVENT_TYPES } from '../../../shared/cases.js';

export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** Appends to the case timeline in the caller's transaction and marks the case as active now. */
export async function addCaseEvent(
  tx: Db,
  caseId: string,
  type: CaseEventType,
  userId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await tx.insert(caseEvent).values({ caseId, type, userId, data });
  await tx.update(caseFile).set({ lastActivityAt: sql`now()` }).where(eq(caseFile.id, caseId));
}
