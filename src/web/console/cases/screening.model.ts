import type { SafetyPlan, Screening, ScreeningInput, Tristate } from './types';

// The screening form's draft and its conversion to the API's body (docs/api/cases.md "Safety plan").

export const CANADIAN_ZONES = [
  'America/St_Johns',
  'America/Halifax',
  'America/Moncton',
  'America/Toronto',
  'America/Winnipeg',
  'America/Regina',
  'America/Edmonton',
  'America/Vancouver',
  'America/Whitehorse',
  'America/Yellowknife',
  'America/Iqaluit',
] as const;

export const PLAN_LIMITS = { contacts: 10, times: 14, numbers: 5, text: 200, notes: 2000 } as const;

export interface TimeDraft {
  days: string[];
  from: string;
  to: string;
}

export interface PlanDraft {
  contacts: { name: string; relationship: string; phone: string }[];
  codeWord: string;
  times: TimeDraft[];
  timeZone: string;
  contactNumberSafe: Tristate;
  numbers: { label: string; number: string }[];
  voicemail: Tristate;
  notes: string;
}

export interface ScreeningDraft {
  safety: string | null;
  classification: string | null;
  needs: string[];
  plan: PlanDraft;
}

export function defaultZone(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if ((CANADIAN_ZONES as readonly string[]).includes(zone)) return zone;
  } catch {
    // fall through
  }
  return 'America/Toronto';
}

export function planDraft(plan: SafetyPlan | null): PlanDraft {
  return {
    contacts: (plan?.safe_contacts ?? []).map((c) => ({
      name: c.name ?? '',
      relationship: c.relationship ?? '',
      phone: c.phone ?? '',
    })),
    codeWord: plan?.code_word ?? '',
    times: (plan?.safe_times ?? []).map((w) => ({ days: [...w.days], from: w.from, to: w.to })),
    timeZone: plan?.time_zone ?? defaultZone(),
    contactNumberSafe: plan?.contact_number_safe ?? null,
    numbers: (plan?.safe_numbers ?? []).map((n) => ({ label: n.label ?? '', number: n.number ?? '' })),
    voicemail: plan?.voicemail_allowed ?? null,
    notes: plan?.notes ?? '',
  };
}

export function screeningDraft(s: Screening): ScreeningDraft {
  return {
    safety: s.safety,
    classification: s.classification,
    needs: s.needs ?? [],
    plan: planDraft(s.safety_plan),
  };
}

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Problems the server would refuse, by field id (shown in the error summary and on the fields). */
export function planProblems(
  plan: PlanDraft,
): { field: string; problem: 'days' | 'time' | 'same' | 'number' }[] {
  const problems: { field: string; problem: 'days' | 'time' | 'same' | 'number' }[] = [];
  plan.times.forEach((w, i) => {
    if (w.days.length === 0) problems.push({ field: `safe-time-${i}-days`, problem: 'days' });
    if (!HHMM.test(w.from)) problems.push({ field: `safe-time-${i}-from`, problem: 'time' });
    if (!HHMM.test(w.to)) problems.push({ field: `safe-time-${i}-to`, problem: 'time' });
    if (HHMM.test(w.from) && w.from === w.to) problems.push({ field: `safe-time-${i}-to`, problem: 'same' });
  });
  plan.numbers.forEach((n, i) => {
    if (n.label.trim() && !n.number.trim()) problems.push({ field: `safe-number-${i}`, problem: 'number' });
  });
  return problems;
}

const trimmed = (value: string) => value.trim();

/** The plan as the API takes it: empty rows and unanswered fields left out. Null when nothing is in it. */
export function planInput(plan: PlanDraft): SafetyPlan | null {
  const out: SafetyPlan = {};
  const contacts = plan.contacts
    .map((c) => ({ name: trimmed(c.name), relationship: trimmed(c.relationship), phone: trimmed(c.phone) }))
    .filter((c) => c.name || c.relationship || c.phone)
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v)));
  if (contacts.length) out.safe_contacts = contacts;
  if (trimmed(plan.codeWord)) out.code_word = trimmed(plan.codeWord);
  const times = plan.times.filter((w) => w.days.length || w.from || w.to);
  if (times.length) out.safe_times = times.map((w) => ({ days: w.days, from: w.from, to: w.to }));
  const numbers = plan.numbers
    .filter((n) => trimmed(n.number))
    .map((n) =>
      trimmed(n.label)
        ? { label: trimmed(n.label), number: trimmed(n.number) }
        : { number: trimmed(n.number) },
    );
  if (numbers.length) out.safe_numbers = numbers;
  if (plan.contactNumberSafe !== null) out.contact_number_safe = plan.contactNumberSafe;
  if (plan.voicemail !== null) out.voicemail_allowed = plan.voicemail;
  if (trimmed(plan.notes)) out.notes = trimmed(plan.notes);
  if (Object.keys(out).length === 0) return null;
  out.time_zone = plan.timeZone;
  return out;
}

/** The PUT body: the whole draft (a plan is only sent for an unsafe person, or kept when one exists). */
export function screeningInput(draft: ScreeningDraft, stampEmergency: boolean): ScreeningInput {
  const body: ScreeningInput = {
    safety: draft.safety,
    classification: draft.classification,
    needs: draft.needs,
    safety_plan: planInput(draft.plan),
  };
  if (stampEmergency) body.emergency_prompted = true;
  return body;
}

/** Which answers differ between mine and theirs (a 409 shows those). */
export function changedAnswers(
  mine: ScreeningDraft,
  theirs: Screening,
): ('safety' | 'classification' | 'needs' | 'plan')[] {
  const out: ('safety' | 'classification' | 'needs' | 'plan')[] = [];
  if (mine.safety !== theirs.safety) out.push('safety');
  if (mine.classification !== theirs.classification) out.push('classification');
  if ([...mine.needs].sort().join() !== [...(theirs.needs ?? [])].sort().join()) out.push('needs');
  if (JSON.stringify(planInput(mine.plan)) !== JSON.stringify(planInput(planDraft(theirs.safety_plan))))
    out.push('plan');
  return out;
}
