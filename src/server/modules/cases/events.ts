import { eq, sql } from 'drizzle-orm';
import { caseEvent, caseFile } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/**
 * The case timeline's event types (docs/api/cases.md "Timeline"). `data` holds ids, codes and counts only — never
 * names, contact details or free text (those stay in their sealed rows and are joined when the timeline is read).
 */
export const CASE_EVENT_TYPES = [
  'created',
  'signal_attached',
  'signal_detached',
  'updated',
  'person_added',
  'person_updated',
  'person_removed',
  'place_added',
  'place_removed',
  'note_added',
  'task_added',
  'task_done',
  'task_reopened',
  'referral_created',
  'referral_status',
  'referral_override',
  'escalation_created',
  'escalation_step',
  'escalation_approved',
  'escalation_status',
  'merged_from',
  'merged_into',
  'restricted',
  'break_glass',
  'closed',
  'reopened',
  'redacted',
] as const;
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
