import { type Static, Type } from 'typebox';

/** Response shapes of referrals (docs/api/cases.md "Referrals"): snake_case JSON, sealed texts opened. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const UserRef = Type.Object({ id: Type.String(), display_name: Type.String() });
const Named = Type.Object({ id: Type.String(), name: Type.String() });

export const Referral = Type.Object({
  id: Type.String({ format: 'uuid' }),
  case_id: Type.String({ format: 'uuid' }),
  person_id: Nullable(Type.String()),
  need: Type.String(),
  organization: Named,
  service: Nullable(Named),
  status: Type.String(),
  consent: Nullable(
    Type.Object({
      kind: Type.String(),
      agreed: Nullable(Type.String()),
      at: Type.String(),
      recorded_by: Nullable(UserRef),
    }),
  ),
  override: Nullable(
    Type.Object({ by: Nullable(UserRef), at: Type.String(), reason: Nullable(Type.String()) }),
  ),
  shared_fields: Type.Array(Type.String()),
  sent_at: Nullable(Type.String()),
  responded_at: Nullable(Type.String()),
  outcome_at: Nullable(Type.String()),
  outcome_note: Nullable(Type.String()),
  follow_up_task_id: Nullable(Type.String()),
  version: Type.Integer(),
  created_at: Type.String(),
});

export type ReferralJson = Static<typeof Referral>;

/** Safe times as shared with a partner: the plan's time zone and its windows. */
export const SharedSafeTimes = Type.Object({
  time_zone: Type.String(),
  times: Type.Array(Type.Object({ days: Type.Array(Type.String()), from: Type.String(), to: Type.String() })),
});

/** What a partner sees: the referral's need and status, and only the consented shared values. */
export const PartnerReferral = Type.Object({
  id: Type.String({ format: 'uuid' }),
  need: Type.String(),
  status: Type.String(),
  sent_at: Nullable(Type.String()),
  responded_at: Nullable(Type.String()),
  outcome_at: Nullable(Type.String()),
  shared: Type.Object({
    first_name: Type.Optional(Type.String()),
    contact: Type.Optional(Type.String()),
    language: Type.Optional(Type.String()),
    age_band: Type.Optional(Type.String()),
    gender: Type.Optional(Type.String()),
    need_details: Type.Optional(Type.String()),
    safe_times: Type.Optional(SharedSafeTimes),
  }),
  version: Type.Integer(),
});

export const NeedsReport = Type.Object({
  total: Type.Integer(),
  needs: Type.Array(Type.Object({ need: Type.String(), count: Type.Integer(), share: Type.Number() })),
});

/**
 * Errors of case-scoped routes keep their extra fields (403 CASE_RESTRICTED: reference, restricted; 409
 * CASE_MERGED: the case it went into; 409 VERSION_CONFLICT: current, changed_by).
 */
export const CaseErrorResponse = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { additionalProperties: true },
);

export const caseErrors = {
  400: CaseErrorResponse,
  401: CaseErrorResponse,
  403: CaseErrorResponse,
  404: CaseErrorResponse,
  409: CaseErrorResponse,
  422: CaseErrorResponse,
  428: CaseErrorResponse,
};

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
