import { type Static, Type } from 'typebox';
import { UserRef } from './referrals.presenter.js';

/** Response shapes of escalations and protocols (docs/api/cases.md "Escalations"). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Escalation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  case_id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  organization: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  status: Type.String(),
  protocol: Type.Object({
    version: Type.Integer(),
    steps: Type.Array(
      Type.Object({
        key: Type.String(),
        en: Type.String(),
        fr: Type.String(),
        required: Type.Boolean(),
        done_at: Nullable(Type.String()),
        done_by: Nullable(UserRef),
      }),
    ),
  }),
  consent_given: Type.Boolean(),
  override_reason: Nullable(Type.String()),
  override_note: Nullable(Type.String()),
  approval_required: Type.Boolean(),
  approved_by: Nullable(UserRef),
  approved_at: Nullable(Type.String()),
  agency_reference: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  outcome_note: Nullable(Type.String()),
  made_at: Nullable(Type.String()),
  completed_at: Nullable(Type.String()),
  version: Type.Integer(),
  created_at: Type.String(),
});
export type EscalationJson = Static<typeof Escalation>;

export const ProtocolStep = Type.Object({
  key: Type.String({ pattern: '^[a-z_]{2,40}$' }),
  en: Type.String({ minLength: 1, maxLength: 200 }),
  fr: Type.String({ minLength: 1, maxLength: 200 }),
  required: Type.Boolean(),
});

export const Protocol = Type.Object({
  kind: Type.String(),
  version: Type.Integer(),
  steps: Type.Array(ProtocolStep),
  requires_approval: Type.Boolean(),
});

export const Agency = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  organization_type: Type.String(),
  jurisdiction: Type.Array(Type.String()),
  city: Nullable(Type.String()),
  province: Nullable(Type.String()),
  distance_km: Nullable(Type.Number()),
});
