// API shapes of docs/api/cases.md (screening and cases), as the console sees them: snake_case, as sent.

export interface UserRef {
  id: string;
  display_name: string;
}

/** A code, `declined`, `unknown`, or null (not asked). */
export type Answer = string | null;
/** Codes, exactly one marker, or empty (not asked). */
export type AnswerList = string[];

export type Tristate = boolean | 'declined' | 'unknown' | null;

export interface SafeTime {
  days: string[];
  from: string;
  to: string;
}

export interface SafetyPlan {
  safe_contacts?: { name?: string; relationship?: string; phone?: string }[];
  code_word?: string;
  safe_times?: SafeTime[];
  time_zone?: string;
  contact_number_safe?: Tristate;
  safe_numbers?: { label?: string; number?: string }[];
  voicemail_allowed?: Tristate;
  notes?: string;
}

export interface Screening {
  signal_id: string;
  safety: Answer;
  classification: string | null;
  needs: AnswerList | null;
  safety_plan: SafetyPlan | null;
  emergency_prompted_at: string | null;
  version: number;
  updated_at: string | null;
  updated_by: UserRef | null;
}

export interface ScreeningInput {
  safety?: Answer;
  classification?: string | null;
  needs?: AnswerList | null;
  safety_plan?: SafetyPlan | null;
  emergency_prompted?: boolean;
}

export interface CaseSummary {
  id: string;
  reference: string;
  status: string;
  title: string | null;
  keywords: string[];
  region: string | null;
  restricted: boolean;
  involves_minor: boolean;
  owner: UserRef | null;
  signal_count: number;
  open_task_count: number;
  created_at: string;
  last_activity_at: string;
  closed_at: string | null;
  version: number;
}

export interface CaseSignal {
  id: string;
  reference: string;
  channel: string;
  language: string | null;
  arrived_at: string;
  answered_at: string | null;
  ended_at: string | null;
  caller_type: string | null;
  region: string | null;
  classification: string | null;
  safety: string | null;
}

export interface Person {
  id: string;
  role: string;
  name: string | null;
  alias: string | null;
  contact: string | null;
  gender: Answer;
  age: number | null;
  age_band: Answer;
  citizenship: AnswerList | null;
  languages: AnswerList | null;
  relationship_to_exploiter: Answer;
  exploitation_types: AnswerList | null;
  venue: Answer;
  industry: Answer;
  means_of_control: AnswerList | null;
  recruitment: AnswerList | null;
  indicators: AnswerList | null;
  is_minor: boolean;
  version: number;
  updated_at: string;
}

export type PersonInput = Partial<Omit<Person, 'id' | 'is_minor' | 'version' | 'updated_at'>>;

export interface Place {
  id: string;
  person_id: string | null;
  type: string;
  region: string | null;
  city: string | null;
  country: string | null;
  occurred_from: string | null;
  occurred_to: string | null;
  date_marker: string | null;
  description: string | null;
}

export type PlaceInput = Partial<Omit<Place, 'id'>> & { type: string };

export interface Task {
  id: string;
  kind: string;
  title: string | null;
  due_at: string | null;
  assignee: UserRef | null;
  signal_id: string | null;
  call_number_ref: string | null;
  voicemail_allowed: boolean | null;
  /** An open call-back the current safety plan no longer allows: the rule it breaks (server error code). */
  plan_conflict?: string | null;
  /** An open call-back: whether the plan allows calling its number at the moment the server answered. */
  safe_now?: boolean | null;
  referral_id: string | null;
  done_at: string | null;
  done_by: UserRef | null;
  version: number;
}

export interface TaskInput {
  kind: 'task' | 'call_back';
  title: string;
  due_at: string;
  assignee_id?: string;
  signal_id?: string;
  call_number_ref?: string;
}

export interface NoteRef {
  id: string;
  /** Null once retention removed it. */
  body: string | null;
  author: UserRef | null;
}

export interface TimelineEntry {
  id: string;
  type: string;
  at: string;
  user: UserRef | null;
  data: Record<string, unknown> | null;
  note?: NoteRef;
}

export interface CaseDetail extends CaseSummary {
  close_reason: string | null;
  merged_into: { id: string; reference: string } | null;
  restricted_team: { id: string; name: string } | null;
  signals: CaseSignal[];
  people: Person[];
  places: Place[];
  tasks: Task[];
  referrals: unknown[];
  escalations: unknown[];
  pending_protocols: { kind: string; escalation_id: string | null }[];
  timeline: { items: TimelineEntry[]; next_cursor: string | null };
  access: { via: 'open' | 'team' | 'break_glass'; expires_at: string | null };
  /** Shown when the case closed with a protocol waiver (sealed on the server). */
  protocol_waiver?: string | null;
}

export interface CaseSearchResult {
  items: CaseSummary[];
  next_cursor: string | null;
  restricted?: { reference: string };
}

export interface CaseInput {
  signal_id?: string;
  title?: string;
  keywords?: string[];
  region?: string;
  restricted_team_id?: string | null;
}

export interface CasePatch {
  title?: string | null;
  keywords?: string[];
  region?: string | null;
  status?: 'active' | 'follow_up';
  owner_id?: string | null;
  restricted_team_id?: string | null;
}

export interface TeamRef {
  id: string;
  name: string;
  member: boolean;
}

export interface CaseSearchParams {
  q?: string;
  reference?: string;
  status?: string;
  region?: string;
  city?: string;
  from?: string;
  to?: string;
  same_contact_as?: string;
  mine?: boolean;
  cursor?: string;
}
