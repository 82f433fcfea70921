import { type Static, Type } from 'typebox';
import { CASE_STATUSES, PERSON_ROLES, PLACE_EVENT_TYPES, TASK_KINDS } from '../../../shared/cases.js';
import { SIGNAL_CHANNELS, SIGNAL_LANGUAGES } from '../../db/schema.js';
import { enumOf } from './answers.js';

/**
 * Response shapes of the case routes (docs/api/cases.md "Cases", "People, places, notes, tasks"), snake_case.
 * Referral / Escalation shapes belong to their own presenters: embedded here as unknown objects.
 */

const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableBoolean = Type.Union([Type.Boolean(), Type.Null()]);

export const UserRef = Type.Object({ id: Uuid, display_name: Type.String() });
const NullableUser = Type.Union([UserRef, Type.Null()]);
export type UserRefValue = Static<typeof UserRef>;

export const CaseSummary = Type.Object({
  id: Uuid,
  reference: Type.String(),
  status: enumOf(CASE_STATUSES),
  title: NullableString,
  keywords: Type.Array(Type.String()),
  region: NullableString,
  restricted: Type.Boolean(),
  involves_minor: Type.Boolean(),
  owner: NullableUser,
  signal_count: Type.Integer(),
  open_task_count: Type.Integer(),
  created_at: Iso,
  last_activity_at: Iso,
  closed_at: NullableIso,
  version: Type.Integer(),
});
export type CaseSummaryValue = Static<typeof CaseSummary>;

export const Person = Type.Object({
  id: Uuid,
  role: enumOf(PERSON_ROLES),
  name: NullableString,
  alias: NullableString,
  contact: NullableString,
  gender: NullableString,
  age: Type.Union([Type.Integer(), Type.Null()]),
  age_band: NullableString,
  citizenship: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  relationship_to_exploiter: NullableString,
  exploitation_types: Type.Array(Type.String()),
  venue: NullableString,
  industry: NullableString,
  means_of_control: Type.Array(Type.String()),
  recruitment: Type.Array(Type.String()),
  indicators: Type.Array(Type.String()),
  is_minor: Type.Boolean(),
  version: Type.Integer(),
  updated_at: Iso,
});
export type PersonValue = Static<typeof Person>;

export const Place = Type.Object({
  id: Uuid,
  person_id: Type.Union([Uuid, Type.Null()]),
  type: enumOf(PLACE_EVENT_TYPES),
  region: NullableString,
  city: NullableString,
  country: NullableString,
  occurred_from: NullableString,
  occurred_to: NullableString,
  date_marker: NullableString,
  description: NullableString,
});
export type PlaceValue = Static<typeof Place>;

export const Task = Type.Object({
  id: Uuid,
  kind: enumOf(TASK_KINDS),
  title: NullableString,
  due_at: Iso,
  assignee: NullableUser,
  signal_id: Type.Union([Uuid, Type.Null()]),
  call_number_ref: NullableString,
  voicemail_allowed: NullableBoolean,
  referral_id: Type.Union([Uuid, Type.Null()]),
  done_at: NullableIso,
  done_by: NullableUser,
  /** An open call-back that the signal's current safety plan no longer allows: the rule's error code. */
  plan_conflict: NullableString,
  /**
   * An open call-back: whether the plan as it is now allows calling its number at the moment of this answer (for an
   * overdue call-back, "may I call now?"); null for other tasks and done ones.
   */
  safe_now: NullableBoolean,
  version: Type.Integer(),
});
export type TaskValue = Static<typeof Task>;

export const MyTask = Type.Object({
  ...Task.properties,
  case_id: Uuid,
  case_reference: Type.String(),
});

export const Note = Type.Object({
  id: Uuid,
  body: NullableString,
  author: NullableUser,
  created_at: Iso,
});
export type NoteValue = Static<typeof Note>;

export const TimelineEntry = Type.Object({
  id: Type.String(),
  type: Type.String(),
  at: Iso,
  user: NullableUser,
  data: Type.Record(Type.String(), Type.Unknown()),
  note: Type.Optional(Type.Object({ id: Uuid, body: NullableString, author: NullableUser })),
});
export type TimelineEntryValue = Static<typeof TimelineEntry>;

export const TimelinePage = Type.Object({
  items: Type.Array(TimelineEntry),
  next_cursor: NullableString,
});
export type TimelinePageValue = Static<typeof TimelinePage>;

export const CaseSignal = Type.Object({
  id: Uuid,
  reference: Type.String(),
  channel: enumOf(SIGNAL_CHANNELS),
  language: enumOf(SIGNAL_LANGUAGES),
  arrived_at: Iso,
  answered_at: NullableIso,
  ended_at: NullableIso,
  caller_type: NullableString,
  region: NullableString,
  classification: NullableString,
  safety: NullableString,
});
export type CaseSignalValue = Static<typeof CaseSignal>;

export const CaseDetail = Type.Object({
  ...CaseSummary.properties,
  close_reason: NullableString,
  /** Why the case closed with a mandatory protocol pending (sealed; shown to case workers). */
  protocol_waiver: NullableString,
  merged_into: Type.Union([Type.Object({ id: Uuid, reference: Type.String() }), Type.Null()]),
  restricted_team: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  signals: Type.Array(CaseSignal),
  people: Type.Array(Person),
  places: Type.Array(Place),
  tasks: Type.Array(Task),
  referrals: Type.Array(Type.Unknown()),
  escalations: Type.Array(Type.Unknown()),
  pending_protocols: Type.Array(
    Type.Object({ kind: Type.String(), escalation_id: Type.Union([Uuid, Type.Null()]) }),
  ),
  timeline: TimelinePage,
  access: Type.Object({
    via: enumOf(['open', 'team', 'break_glass'] as const),
    expires_at: NullableIso,
  }),
});
export type CaseDetailValue = Static<typeof CaseDetail>;

export const CaseList = Type.Object({
  items: Type.Array(CaseSummary),
  next_cursor: NullableString,
  restricted: Type.Optional(Type.Object({ reference: Type.String() })),
});

/** Error bodies of the case routes: the one error shape plus the fields some codes carry. */
const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
export const CaseError = Type.Object({
  error: ErrorBody,
  /** 403 CASE_RESTRICTED */
  reference: Type.Optional(Type.String()),
  restricted: Type.Optional(Type.Boolean()),
  /** 409 CASE_MERGED */
  merged_into: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  mergedInto: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** 409 VERSION_CONFLICT */
  current: Type.Optional(Type.Unknown()),
  changed_by: Type.Optional(NullableUser),
});

export const iso = (d: Date | string | null | undefined): string | null =>
  d == null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString();
