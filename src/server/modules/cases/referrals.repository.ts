// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns this file; keep the exports' names and signatures.
import type { Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

/** A case's referrals in the `Referral` shape of docs/api/cases.md (snake_case JSON), oldest first. */
export async function referralsForCase(
  _db: Db,
  _ring: Keyring,
  _caseId: string,
): Promise<Record<string, unknown>[]> {
  return [];
}

/** True when a referral of the case reached accepted or service_received (closing → closed_referred). */
export async function caseHasAcceptedReferral(_db: Db, _caseId: string): Promise<boolean> {
  return false;
}
