import type { WrapUp, WrapUpInput } from './types';

// The wrap-up that records a signal: who reached out, from where, in which language, how they heard of us.
// Codes are stable (stored and reported); labels come from the message catalogues.

export { CALLER_TYPES, HEARD_ABOUT, REGIONS, WRAP_UP_LANGUAGES } from '../../../shared/wrapup';

export type WrapUpField = 'callerType' | 'region' | 'language' | 'heardAbout';
export const WRAP_UP_FIELDS: readonly WrapUpField[] = ['callerType', 'region', 'language', 'heardAbout'];

export type WrapUpValues = Record<WrapUpField, string | null>;

/** The form's starting values: what is saved, else the conversation's own language. */
export function initialWrapUp(saved: WrapUp, signalLanguage: string): WrapUpValues {
  return {
    callerType: saved.callerType,
    region: saved.region,
    language: saved.language ?? signalLanguage,
    heardAbout: saved.heardAbout,
  };
}

/** Missing answers, in form order (every field is required to record the signal). */
export function missingFields(values: WrapUpValues): WrapUpField[] {
  return WRAP_UP_FIELDS.filter((f) => !values[f]);
}

export function toInput(values: WrapUpValues): WrapUpInput {
  return {
    caller_type: values.callerType ?? '',
    region: values.region ?? '',
    language: values.language ?? '',
    heard_about: values.heardAbout ?? '',
  };
}

/** After a 409: the fields where the other person's saved answer differs from mine. */
export function conflictingFields(mine: WrapUpValues, theirs: WrapUp): WrapUpField[] {
  return WRAP_UP_FIELDS.filter((f) => (theirs[f] ?? null) !== (mine[f] ?? null));
}

/** Whether two saved wrap-ups hold the same answers (versions aside). */
export function sameWrapUp(a: WrapUp, b: WrapUp): boolean {
  return WRAP_UP_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
}
