import type { ConsentInput, ShareField } from './referrals.api';

// Pure helpers of the referral dialogs (tested in referrals.model.test.ts).

export type ConsentKind = 'none' | 'verbal' | 'written';

export interface ConsentDraft {
  kind: ConsentKind;
  agreed: string;
  shared: ShareField[];
}

export const emptyConsent = (): ConsentDraft => ({ kind: 'none', agreed: '', shared: [] });

export function consentInput(draft: ConsentDraft): ConsentInput | undefined {
  if (draft.kind === 'none') return undefined;
  return { kind: draft.kind, agreed: draft.agreed.trim(), shared_fields: draft.shared };
}

/** The person's first spoken language as a primary subtag (`fr`), or '' (any language). */
export function primaryLanguage(languages: string[] | null | undefined): string {
  const first = languages?.find((l) => l !== 'declined' && l !== 'unknown');
  return first?.split('-')[0]?.toLowerCase() ?? '';
}

export function consentProblem(draft: ConsentDraft): boolean {
  return draft.kind !== 'none' && draft.agreed.trim().length === 0;
}
