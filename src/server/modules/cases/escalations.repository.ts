// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns this file; keep the exports' names and signatures.
import type { Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

/** A case's escalations in the `Escalation` shape of docs/api/cases.md (snake_case JSON), oldest first. */
export async function escalationsForCase(
  _db: Db,
  _ring: Keyring,
  _caseId: string,
): Promise<Record<string, unknown>[]> {
  return [];
}

/**
 * Mandatory protocols not yet completed: when the case involves a minor and no child_protection escalation is
 * completed → [{kind: 'child_protection', escalation_id: <running one> | null}]; else [].
 */
export async function pendingProtocols(
  _db: Db,
  _caseId: string,
  _involvesMinor: boolean,
): Promise<{ kind: string; escalation_id: string | null }[]> {
  return [];
}
