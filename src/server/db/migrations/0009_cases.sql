CREATE TABLE "case_access_grant" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"note_sealed" text,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "case_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_file" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"title_sealed" text,
	"keywords" text[] DEFAULT '{}'::text[] NOT NULL,
	"region" text,
	"search_text" text DEFAULT '' NOT NULL,
	"restricted_team_id" uuid,
	"owner_id" uuid,
	"created_by" uuid,
	"involves_minor" boolean DEFAULT false NOT NULL,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"protocol_waiver_sealed" text,
	"merged_into_id" uuid,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "case_file_status_check" CHECK ("case_file"."status" in ('active','follow_up','closed','closed_referred'))
);
--> statement-breakpoint
CREATE TABLE "case_note" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"author_id" uuid,
	"body_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "case_person" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"role" text NOT NULL,
	"identity_sealed" text,
	"gender" text,
	"age" integer,
	"age_band" text,
	"citizenship" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"relationship_to_exploiter" text,
	"exploitation_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"venue" text,
	"industry" text,
	"means_of_control" text[] DEFAULT '{}'::text[] NOT NULL,
	"recruitment" text[] DEFAULT '{}'::text[] NOT NULL,
	"indicators" text[] DEFAULT '{}'::text[] NOT NULL,
	"is_minor" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "case_person_role_check" CHECK ("case_person"."role" in ('potential_victim','survivor','caller_reporter','family_member','exploiter','witness')),
	CONSTRAINT "case_person_age_check" CHECK ("case_person"."age" is null or "case_person"."age" between 0 and 120)
);
--> statement-breakpoint
CREATE TABLE "case_place_event" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"person_id" uuid,
	"type" text NOT NULL,
	"region" text,
	"city" text,
	"country" text,
	"occurred_from" date,
	"occurred_to" date,
	"date_marker" text,
	"description_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "case_place_event_type_check" CHECK ("case_place_event"."type" in ('recruitment','transit','exploitation'))
);
--> statement-breakpoint
CREATE TABLE "case_signal" (
	"signal_id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"attached_by" uuid,
	"attached_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_task" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title_sealed" text,
	"due_at" timestamp with time zone NOT NULL,
	"assignee_id" uuid,
	"signal_id" uuid,
	"call_number_ref" text,
	"voicemail_allowed" boolean,
	"referral_id" uuid,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"created_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "case_task_kind_check" CHECK ("case_task"."kind" in ('task','call_back','referral_follow_up'))
);
--> statement-breakpoint
CREATE TABLE "escalation" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"organization_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"protocol_snapshot" jsonb NOT NULL,
	"steps_done" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"consent_given" boolean DEFAULT false NOT NULL,
	"override_reason" text,
	"override_note_sealed" text,
	"approval_required" boolean DEFAULT false NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"agency_reference" text,
	"outcome" text,
	"outcome_note_sealed" text,
	"created_by" uuid,
	"made_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "escalation_kind_check" CHECK ("escalation"."kind" in ('law_enforcement','child_protection','emergency')),
	CONSTRAINT "escalation_status_check" CHECK ("escalation"."status" in ('open','awaiting_approval','made','completed','cancelled'))
);
--> statement-breakpoint
CREATE TABLE "protocol" (
	"kind" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"steps" jsonb NOT NULL,
	"requires_approval" boolean DEFAULT false NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "protocol_kind_check" CHECK ("protocol"."kind" in ('law_enforcement','child_protection','emergency'))
);
--> statement-breakpoint
CREATE TABLE "referral" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"person_id" uuid,
	"need" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"service_id" uuid,
	"status" text DEFAULT 'proposed' NOT NULL,
	"consent_kind" text,
	"consent_at" timestamp with time zone,
	"consent_recorded_by" uuid,
	"shared_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"consent_sealed" text,
	"shared_sealed" text,
	"override_by" uuid,
	"override_at" timestamp with time zone,
	"override_reason_sealed" text,
	"sent_at" timestamp with time zone,
	"responded_at" timestamp with time zone,
	"responded_by" uuid,
	"outcome_at" timestamp with time zone,
	"outcome_by" uuid,
	"outcome_note_sealed" text,
	"created_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone,
	CONSTRAINT "referral_status_check" CHECK ("referral"."status" in ('proposed','sent','accepted','declined','service_received','could_not_reach','withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "screening" (
	"signal_id" uuid PRIMARY KEY NOT NULL,
	"safety" text,
	"classification" text,
	"needs" text[] DEFAULT '{}'::text[] NOT NULL,
	"safety_plan_sealed" text,
	"emergency_prompted_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redacted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "team" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_member" (
	"team_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_member_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "case_access_grant" ADD CONSTRAINT "case_access_grant_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_access_grant" ADD CONSTRAINT "case_access_grant_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_access_grant" ADD CONSTRAINT "case_access_grant_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_event" ADD CONSTRAINT "case_event_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_event" ADD CONSTRAINT "case_event_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_file" ADD CONSTRAINT "case_file_restricted_team_id_team_id_fk" FOREIGN KEY ("restricted_team_id") REFERENCES "public"."team"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_file" ADD CONSTRAINT "case_file_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_file" ADD CONSTRAINT "case_file_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_note" ADD CONSTRAINT "case_note_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_note" ADD CONSTRAINT "case_note_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_person" ADD CONSTRAINT "case_person_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_place_event" ADD CONSTRAINT "case_place_event_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_place_event" ADD CONSTRAINT "case_place_event_person_id_case_person_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."case_person"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_signal" ADD CONSTRAINT "case_signal_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_signal" ADD CONSTRAINT "case_signal_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_signal" ADD CONSTRAINT "case_signal_attached_by_users_id_fk" FOREIGN KEY ("attached_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_task" ADD CONSTRAINT "case_task_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_task" ADD CONSTRAINT "case_task_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_task" ADD CONSTRAINT "case_task_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_task" ADD CONSTRAINT "case_task_done_by_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_task" ADD CONSTRAINT "case_task_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation" ADD CONSTRAINT "escalation_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation" ADD CONSTRAINT "escalation_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation" ADD CONSTRAINT "escalation_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation" ADD CONSTRAINT "escalation_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protocol" ADD CONSTRAINT "protocol_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_case_id_case_file_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_file"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_person_id_case_person_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."case_person"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_service_id_service_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."service"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_consent_recorded_by_users_id_fk" FOREIGN KEY ("consent_recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_override_by_users_id_fk" FOREIGN KEY ("override_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_responded_by_users_id_fk" FOREIGN KEY ("responded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_outcome_by_users_id_fk" FOREIGN KEY ("outcome_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral" ADD CONSTRAINT "referral_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening" ADD CONSTRAINT "screening_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening" ADD CONSTRAINT "screening_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening" ADD CONSTRAINT "screening_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_access_grant_user_idx" ON "case_access_grant" USING btree ("user_id","case_id","expires_at");--> statement-breakpoint
CREATE INDEX "case_access_grant_review_idx" ON "case_access_grant" USING btree ("granted_at") WHERE "case_access_grant"."reviewed_at" is null;--> statement-breakpoint
CREATE INDEX "case_event_case_idx" ON "case_event" USING btree ("case_id","at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "case_file_reference_key" ON "case_file" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "case_file_status_activity_idx" ON "case_file" USING btree ("status","last_activity_at");--> statement-breakpoint
CREATE INDEX "case_file_created_idx" ON "case_file" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "case_file_region_idx" ON "case_file" USING btree ("region","created_at");--> statement-breakpoint
CREATE INDEX "case_file_restricted_idx" ON "case_file" USING btree ("restricted_team_id") WHERE "case_file"."restricted_team_id" is not null;--> statement-breakpoint
CREATE INDEX "case_file_search_trgm" ON "case_file" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "case_file_keywords_idx" ON "case_file" USING gin ("keywords");--> statement-breakpoint
CREATE INDEX "case_file_retention_idx" ON "case_file" USING btree ("closed_at") WHERE "case_file"."redacted_at" is null and "case_file"."closed_at" is not null;--> statement-breakpoint
CREATE INDEX "case_note_case_idx" ON "case_note" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE INDEX "case_person_case_idx" ON "case_person" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_place_event_case_idx" ON "case_place_event" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "case_place_event_place_idx" ON "case_place_event" USING btree ("region","city");--> statement-breakpoint
CREATE INDEX "case_signal_case_idx" ON "case_signal" USING btree ("case_id","attached_at");--> statement-breakpoint
CREATE INDEX "case_task_case_idx" ON "case_task" USING btree ("case_id","due_at");--> statement-breakpoint
CREATE INDEX "case_task_open_idx" ON "case_task" USING btree ("assignee_id","due_at") WHERE "case_task"."done_at" is null;--> statement-breakpoint
CREATE INDEX "escalation_case_idx" ON "escalation" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "escalation_pending_idx" ON "escalation" USING btree ("status") WHERE "escalation"."status" in ('open','awaiting_approval','made');--> statement-breakpoint
CREATE INDEX "referral_case_idx" ON "referral" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "referral_partner_idx" ON "referral" USING btree ("organization_id","status","sent_at");--> statement-breakpoint
CREATE INDEX "referral_need_idx" ON "referral" USING btree ("created_at","need");--> statement-breakpoint
CREATE INDEX "screening_classification_idx" ON "screening" USING btree ("classification");--> statement-breakpoint
CREATE INDEX "screening_updated_idx" ON "screening" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "team_name_key" ON "team" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "team_member_user_idx" ON "team_member" USING btree ("user_id");--> statement-breakpoint
-- Default escalation protocols (issue 6); supervisors and admins edit them through PUT /api/protocols/:kind.
INSERT INTO "protocol" ("kind", "version", "steps", "requires_approval") VALUES
('law_enforcement', 1, '[
 {"key":"consent_or_override","en":"Consent recorded, or the reason to go ahead without it","fr":"Consentement consigné, ou motif d''aller de l''avant sans lui","required":true},
 {"key":"agency_by_jurisdiction","en":"Police service chosen for the place where the exploitation happens","fr":"Service de police choisi selon le lieu de l''exploitation","required":true},
 {"key":"minimum_shared","en":"Only the minimum needed was shared","fr":"Seul le minimum nécessaire a été communiqué","required":true},
 {"key":"agency_reference","en":"Agency file number recorded","fr":"Numéro de dossier de l''organisme consigné","required":true},
 {"key":"person_informed","en":"The person was told what was shared and what happens next","fr":"La personne a été informée de ce qui a été communiqué et de la suite","required":false}
]'::jsonb, true),
('child_protection', 1, '[
 {"key":"child_safety","en":"Immediate safety of the child assessed (911 if in danger)","fr":"Sécurité immédiate de l''enfant évaluée (911 en cas de danger)","required":true},
 {"key":"agency_by_jurisdiction","en":"Child-protection agency chosen for where the child lives","fr":"Service de protection de l''enfance choisi selon le lieu de résidence de l''enfant","required":true},
 {"key":"report_made","en":"Report made to the agency (duty to report)","fr":"Signalement fait au service (obligation de signaler)","required":true},
 {"key":"agency_reference","en":"Agency file number recorded","fr":"Numéro de dossier du service consigné","required":true},
 {"key":"supervisor_informed","en":"Supervisor informed","fr":"Superviseur informé","required":true}
]'::jsonb, false),
('emergency', 1, '[
 {"key":"emergency_called","en":"911 called, or the person connected to 911","fr":"911 appelé, ou la personne mise en relation avec le 911","required":true},
 {"key":"location_shared","en":"Only the location and what responders need was shared","fr":"Seuls le lieu et ce dont les intervenants ont besoin ont été communiqués","required":true},
 {"key":"stayed_on_line","en":"Stayed with the person while it was safe","fr":"Resté avec la personne tant que c''était sécuritaire","required":false},
 {"key":"supervisor_informed","en":"Supervisor informed","fr":"Superviseur informé","required":true}
]'::jsonb, false);
