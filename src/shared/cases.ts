/**
 * Screening and case vocabulary (issue 6, docs/api/cases.md, ADR 0007). Stable codes: stored, reported, validated by
 * the server and offered by the console (labels live in the console's message catalogues, EN and FR).
 *
 * "Do no harm": every optional answer may be a value, `declined` (the person chose not to say) or `unknown` (asked,
 * nobody knows). Null / an empty list means "not asked". The two markers are stored in the same column as the
 * answer (a list holds exactly one marker or only values), so reports count the three apart with plain SQL.
 *
 * Code lists follow HTCDS 2.0 (`../shared/standards/htcds-2.0/fields.tsv`, CC BY 4.0, © the HTCDS authors) where it
 * has one, in snake_case; the Polaris Project's typology of 25 trafficking types for venues / industries; ISIC Rev.
 * 4 sections (A–U) for forced-labour industry.
 */

export const DECLINED = 'declined';
export const UNKNOWN = 'unknown';
export const ANSWER_MARKERS = [DECLINED, UNKNOWN] as const;
export type AnswerMarker = (typeof ANSWER_MARKERS)[number];

/** Safety first: is the person safe to talk now? */
export const SAFETY = ['safe_now', 'unsafe', 'immediate_danger'] as const;

/** Every signal is classified. */
export const CLASSIFICATIONS = [
  'trafficking',
  'indicators_early_stage',
  'not_trafficking',
  'information_request',
  'other_crisis',
] as const;

/** Needs assessment; also the need a referral answers (reported as the evaluation counts request types). */
export const NEEDS = [
  'shelter_housing',
  'counselling',
  'case_management',
  'mental_health',
  'medical',
  'legal',
  'immigration',
  'transport',
  'financial',
  'education_job_training',
  'life_skills',
  'interpretation',
  'other',
] as const;

export const CASE_STATUSES = ['active', 'follow_up', 'closed', 'closed_referred'] as const;
export const OPEN_CASE_STATUSES = ['active', 'follow_up'] as const;
export const CLOSE_REASONS = [
  'services_in_place',
  'referred',
  'lost_contact',
  'person_declined_further_help',
  'not_trafficking',
  'duplicate',
  'other',
] as const;

export const PERSON_ROLES = [
  'potential_victim',
  'survivor',
  'caller_reporter',
  'family_member',
  'exploiter',
  'witness',
] as const;

/** HTCDS prs_Gender (NonSpecifiedUnknown is our `unknown` marker). */
export const GENDERS = [
  'feminine',
  'masculine',
  'transgender_feminine',
  'transgender_masculine',
  'non_conforming',
] as const;

/** When an exact age is not given. A person is a minor when age < 18 or the band is under_12 / 12_15 / 16_17. */
export const AGE_BANDS = [
  'under_12',
  '12_15',
  '16_17',
  '18_24',
  '25_34',
  '35_49',
  '50_64',
  '65_plus',
] as const;
export const MINOR_AGE_BANDS = ['under_12', '12_15', '16_17'] as const;

/** HTCDS vic_RelationshipToTrafficker, refined for helplines. */
export const RELATIONSHIPS = [
  'intimate_partner',
  'family',
  'employer',
  'recruiter',
  'acquaintance',
  'stranger',
  'other',
] as const;

/** The forms of exploitation (HTCDS vic_TypeOfExploitation, grouped). */
export const EXPLOITATION_TYPES = [
  'sex',
  'labour',
  'both',
  'forced_marriage',
  'forced_begging',
  'organ_removal',
  'other',
] as const;

/** The Polaris Project typology of modern slavery: 25 types (venue / industry). */
export const POLARIS_TYPES = [
  'escort_services',
  'illicit_massage_health_beauty',
  'outdoor_solicitation',
  'residential',
  'domestic_work',
  'bars_strip_clubs_cantinas',
  'pornography',
  'traveling_sales_crews',
  'restaurants_food_service',
  'peddling_begging',
  'agriculture_animal_husbandry',
  'personal_sexual_servitude',
  'health_beauty_services',
  'construction',
  'hotels_hospitality',
  'landscaping',
  'illicit_activities',
  'arts_entertainment',
  'commercial_cleaning_services',
  'factories_manufacturing',
  'remote_interactive_sexual_acts',
  'carnivals',
  'forestry_logging',
  'health_care',
  'recreational_facilities',
] as const;

/** ISIC Rev. 4 sections (HTCDS vic_ForcedLabourIndustry). */
export const ISIC_SECTIONS = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
  'U',
] as const;

/** HTCDS vic_MethodsOfControl. */
export const MEANS_OF_CONTROL = [
  'physical_threats',
  'threats_law_enforcement',
  'threatens_children_family',
  'debt_bondage',
  'false_promises',
  'physical_abuse',
  'sexual_abuse',
  'takes_earnings',
  'restricts_financial_access',
  'restricts_medical_care',
  'withholds_necessities',
  'psychological_abuse',
  'psychoactive_substance',
  'excessive_working_hours',
  'withholds_documents',
  'other',
] as const;

/** HTCDS vic_MethodOfRecruitment, plus the intimate-partner ("loverboy") method the evaluation names. */
export const RECRUITMENT_METHODS = [
  'intimate_partner_grooming',
  'at_a_place_of_business',
  'at_an_educational_institution',
  'at_work',
  'online_social_networks',
  'online_advertisement',
  'television_advert',
  'newspaper_advert',
  'family_or_family_events',
  'friends_or_social_events',
  'other',
] as const;

/** Observable indicators (HTCDS vic_Vulnerabilities + common helpline indicators). */
export const INDICATORS = [
  'not_free_to_leave',
  'documents_held',
  'unpaid_or_underpaid',
  'lives_at_workplace',
  'moved_between_cities',
  'scripted_answers',
  'signs_of_abuse',
  'controlled_communication',
  'debt_owed',
  'under_18_in_commercial_sex',
  'addiction',
  'poverty',
  'migration',
  'homelessness',
  'mental_health',
  'disability',
  'other',
] as const;

/** HTCDS hte_Type. */
export const PLACE_EVENT_TYPES = ['recruitment', 'transit', 'exploitation'] as const;

export const TASK_KINDS = ['task', 'call_back', 'referral_follow_up'] as const;

/** Referral life: proposed → sent → accepted | declined; accepted → service_received | could_not_reach. */
export const REFERRAL_STATUSES = [
  'proposed',
  'sent',
  'accepted',
  'declined',
  'service_received',
  'could_not_reach',
  'withdrawn',
] as const;
export const REFERRAL_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  proposed: ['sent', 'withdrawn'],
  sent: ['accepted', 'declined', 'withdrawn'],
  accepted: ['service_received', 'could_not_reach'],
  declined: [],
  service_received: [],
  could_not_reach: [],
  withdrawn: [],
};
/** What may leave the hotline with a referral, each only when consented. */
export const REFERRAL_SHARE_FIELDS = [
  'first_name',
  'contact',
  'language',
  'age_band',
  'gender',
  'need_details',
  'safe_times',
] as const;

export const ESCALATION_KINDS = ['law_enforcement', 'child_protection', 'emergency'] as const;
/** Why an escalation goes ahead without the person's consent. */
export const OVERRIDE_REASONS = ['imminent_danger', 'minor', 'mandatory_report'] as const;
export const ESCALATION_STATUSES = ['open', 'awaiting_approval', 'made', 'completed', 'cancelled'] as const;

/** Why someone outside a restricted case's team opens it. */
export const BREAK_GLASS_REASONS = [
  'imminent_danger',
  'covering_for_team',
  'supervision',
  'legal_request',
  'other',
] as const;

/**
 * The case timeline's event types (`case_event.type`). Its `data` holds ids, codes and counts only — never names,
 * contact details or free text (those stay in their sealed rows and are joined when the timeline is read).
 */
export const CASE_EVENT_TYPES = [
  'created',
  'signal_attached',
  'signal_detached',
  'updated',
  'person_added',
  'person_updated',
  'person_removed',
  'place_added',
  'place_removed',
  'note_added',
  'task_added',
  'task_done',
  'task_reopened',
  'referral_created',
  'referral_status',
  'referral_override',
  'escalation_created',
  'escalation_step',
  'escalation_approved',
  'escalation_status',
  'merged_from',
  'merged_into',
  'restricted',
  'break_glass',
  'closed',
  'reopened',
  'redacted',
] as const;
