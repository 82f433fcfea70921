import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { screening } from '../../db/schema.js';
import { decrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

/**
 * The safety plan (docs/api/cases.md "Safety plan") and the call-back rule. The plan is stored sealed on the
 * screening (`screening.safety_plan_sealed`, AAD = signal id) and never leaves the server except to case workers.
 */

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** Limits of the contract. */
export const SAFETY_PLAN_LIMITS = {
  contacts: 10,
  times: 14,
  numbers: 5,
  text: 200,
  notes: 2000,
} as const;

/** `HH:MM`, 00:00–23:59. */
export const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

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

const text = (maxLength: number = SAFETY_PLAN_LIMITS.text) => Type.String({ maxLength });
/** true / false / declined / unknown; null (not asked) is accepted and not stored. */
const yesNoMarker = Type.Union([
  Type.Boolean(),
  Type.Unsafe<'declined' | 'unknown'>({ type: 'string', enum: ['declined', 'unknown'] }),
  Type.Null(),
]);

/**
 * Request/response schema of the plan. Unknown fields are stripped by the body validator (never stored); what the
 * schema cannot say (a real IANA zone, `from` ≠ `to`) is checked by `validateSafetyPlan`.
 */
export const SafetyPlanSchema = Type.Object(
  {
    safe_contacts: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.Optional(text()),
          relationship: Type.Optional(text()),
          phone: Type.Optional(text()),
        }),
        { maxItems: SAFETY_PLAN_LIMITS.contacts },
      ),
    ),
    code_word: Type.Optional(text()),
    safe_times: Type.Optional(
      Type.Array(
        Type.Object({
          days: Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...DAYS] }), {
            minItems: 1,
            maxItems: 7,
            uniqueItems: true,
          }),
          from: Type.String({ pattern: HHMM }),
          to: Type.String({ pattern: HHMM }),
        }),
        { maxItems: SAFETY_PLAN_LIMITS.times },
      ),
    ),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    contact_number_safe: Type.Optional(yesNoMarker),
    safe_numbers: Type.Optional(
      Type.Array(
        Type.Object({
          label: Type.Optional(text()),
          number: Type.String({ minLength: 1, maxLength: SAFETY_PLAN_LIMITS.text }),
        }),
        { maxItems: SAFETY_PLAN_LIMITS.numbers },
      ),
    ),
    voicemail_allowed: Type.Optional(yesNoMarker),
    notes: Type.Optional(text(SAFETY_PLAN_LIMITS.notes)),
  },
  { additionalProperties: false },
);

/** True when Intl knows the zone (IANA names such as America/Toronto; also UTC). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What the schema cannot check: the zone is real, a window is not empty (`from` = `to`). Throws 400
 * VALIDATION_FAILED naming the field (never its value).
 */
export function validateSafetyPlan(plan: SafetyPlan): void {
  const bad: string[] = [];
  if (plan.time_zone !== undefined && !isTimeZone(plan.time_zone)) bad.push('safety_plan.time_zone');
  plan.safe_times?.forEach((w, i) => {
    if (w.from === w.to) bad.push(`safety_plan.safe_times.${i}`);
  });
  if (bad.length) throw new AppError('VALIDATION_FAILED', 400, { fields: bad.join(', ') });
}

/** The plan as stored: fields that are null (not asked) are left out. */
export function normaliseSafetyPlan(plan: SafetyPlan): SafetyPlan {
  return Object.fromEntries(
    Object.entries(plan).filter(([, v]) => v !== null && v !== undefined),
  ) as SafetyPlan;
}

/** Opens the sealed plan (AAD = signal id). */
export function openSafetyPlan(ring: Keyring, sealed: string | null, signalId: string): SafetyPlan | null {
  if (!sealed) return null;
  return JSON.parse(decrypt(ring, sealed, signalId).toString('utf8')) as SafetyPlan;
}

/** The signal's safety plan, opened; null when none is recorded. */
export async function loadSafetyPlan(db: Db, ring: Keyring, signalId: string): Promise<SafetyPlan | null> {
  const [row] = await db
    .select({ sealed: screening.safetyPlanSealed })
    .from(screening)
    .where(eq(screening.signalId, signalId));
  return openSafetyPlan(ring, row?.sealed ?? null, signalId);
}

const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of the week (0 = Monday) and minute of the day of an instant, on the wall clock of `zone`. */
export function localTime(at: Date, zone: string): { day: number; minute: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') day = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

function minutes(hhmm: string): number | null {
  const m = new RegExp(HHMM).exec(hhmm);
  return m ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) : null;
}

/**
 * Whether an instant falls in one of the plan's safe times, on the wall clock of the plan's zone (or `defaultZone`).
 * A window is [from, to): its end is not safe any more. When `to` is before `from` the window spans midnight and
 * belongs to the day it starts (fri 22:00–02:00 covers Friday 22:00 to Saturday 01:59). Malformed windows (bad
 * times, unknown days, from = to) never match.
 */
export function inSafeTime(plan: SafetyPlan, at: Date, defaultZone: string): boolean {
  if (Number.isNaN(at.getTime())) return false;
  const zone = plan.time_zone && isTimeZone(plan.time_zone) ? plan.time_zone : defaultZone;
  const { day, minute } = localTime(at, zone);
  const yesterday = (day + 6) % 7;
  for (const w of plan.safe_times ?? []) {
    const from = minutes(w.from);
    const to = minutes(w.to);
    if (from === null || to === null || from === to || !Array.isArray(w.days)) continue;
    const days = new Set(w.days.map((d) => (DAYS as readonly string[]).indexOf(d)).filter((d) => d >= 0));
    if (from < to) {
      if (days.has(day) && minute >= from && minute < to) return true;
    } else {
      if (days.has(day) && minute >= from) return true;
      if (days.has(yesterday) && minute < to) return true;
    }
  }
  return false;
}

/** `contact` (only when the plan says the number they used is safe) or `safe:<n>` (an index into safe_numbers). */
export function isSafeNumber(plan: SafetyPlan, numberRef: string): boolean {
  if (numberRef === 'contact') return plan.contact_number_safe === true;
  const m = /^safe:(0|[1-9][0-9]{0,2})$/.exec(numberRef);
  if (!m) return false;
  const n = Number(m[1]);
  return (
    Array.isArray(plan.safe_numbers) && n < plan.safe_numbers.length && Boolean(plan.safe_numbers[n]?.number)
  );
}

/**
 * The call-back rule: throws 422 CALLBACK_NO_SAFETY_PLAN / CALLBACK_OUTSIDE_SAFE_WINDOW / CALLBACK_NUMBER_NOT_SAFE;
 * returns whether a voicemail may be left.
 */
export function checkCallBack(
  plan: SafetyPlan | null,
  dueAt: Date,
  numberRef: string,
  defaultTimeZone: string,
): { voicemailAllowed: boolean } {
  if (!plan || !Array.isArray(plan.safe_times) || plan.safe_times.length === 0)
    throw new AppError('CALLBACK_NO_SAFETY_PLAN', 422);
  if (!inSafeTime(plan, dueAt, defaultTimeZone)) throw new AppError('CALLBACK_OUTSIDE_SAFE_WINDOW', 422);
  if (!isSafeNumber(plan, numberRef)) throw new AppError('CALLBACK_NUMBER_NOT_SAFE', 422);
  return { voicemailAllowed: plan.voicemail_allowed === true };
}
