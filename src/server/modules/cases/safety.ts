// PLACEHOLDER (issue 6 foundation): replaced by the helper that owns this file; keep the exports' names and signatures.
import type { Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

/** The safety plan (docs/api/cases.md "Safety plan"), as stored sealed on the screening. */
export interface SafetyPlan {
  safe_contacts?: { name?: string; relationship?: string; phone?: string }[];
  code_word?: string;
  safe_times?: { days: string[]; from: string; to: string }[];
  time_zone?: string;
  contact_number_safe?: boolean | 'declined' | 'unknown';
  safe_numbers?: { label?: string; number: string }[];
  voicemail_allowed?: boolean | 'declined' | 'unknown';
  notes?: string;
}

/** The signal's safety plan, opened; null when none is recorded. */
export async function loadSafetyPlan(_db: Db, _ring: Keyring, _signalId: string): Promise<SafetyPlan | null> {
  return null;
}

/**
 * The call-back rule: throws 422 CALLBACK_NO_SAFETY_PLAN / CALLBACK_OUTSIDE_SAFE_WINDOW / CALLBACK_NUMBER_NOT_SAFE;
 * returns whether a voicemail may be left.
 */
export function checkCallBack(
  _plan: SafetyPlan | null,
  _dueAt: Date,
  _numberRef: string,
  _defaultTimeZone: string,
): { voicemailAllowed: boolean } {
  return { voicemailAllowed: false };
}
