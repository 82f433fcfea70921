CREATE TABLE "attachment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"seq" integer,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text,
	"filename_sealed" text,
	"data_sealed" text,
	"state" text DEFAULT 'stored' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attachment_state_check" CHECK ("attachment"."state" in ('stored','refused_type','refused_size','failed'))
);
--> statement-breakpoint
CREATE TABLE "call_party" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid,
	"language" text,
	"call_sid" text,
	"status" text DEFAULT 'dialing' NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "call_party_kind_check" CHECK ("call_party"."kind" in ('advocate','interpreter')),
	CONSTRAINT "call_party_status_check" CHECK ("call_party"."status" in ('dialing','joined','left','failed'))
);
--> statement-breakpoint
CREATE TABLE "channel_delivery" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"provider_id" text,
	"error_code" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_delivery_status_check" CHECK ("channel_delivery"."status" in ('pending','sending','sent','delivered','read','failed','undelivered'))
);
--> statement-breakpoint
CREATE TABLE "channel_receipt" (
	"provider" text NOT NULL,
	"key" text NOT NULL,
	"signal_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_receipt_provider_key_pk" PRIMARY KEY("provider","key")
);
--> statement-breakpoint
CREATE TABLE "email_message" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"direction" text NOT NULL,
	"seq" integer,
	"subject_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_message_direction_check" CHECK ("email_message"."direction" in ('in','out'))
);
--> statement-breakpoint
CREATE TABLE "phone_call" (
	"signal_id" uuid PRIMARY KEY NOT NULL,
	"call_sid" text NOT NULL,
	"conference_sid" text,
	"status" text DEFAULT 'ringing' NOT NULL,
	"menu_digit" text,
	"on_hold" boolean DEFAULT false NOT NULL,
	"advocate_muted" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voice_endpoint" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'browser' NOT NULL,
	"forward_number_sealed" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voice_endpoint_mode_check" CHECK ("voice_endpoint"."mode" in ('browser','forward'))
);
--> statement-breakpoint
ALTER TABLE "signal" DROP CONSTRAINT "signal_state_check";--> statement-breakpoint
ALTER TABLE "signal" DROP CONSTRAINT "signal_end_reason_check";--> statement-breakpoint
ALTER TABLE "signal_event" DROP CONSTRAINT "signal_event_type_check";--> statement-breakpoint
ALTER TABLE "signal" ADD COLUMN "contact_hash" text;--> statement-breakpoint
ALTER TABLE "signal" ADD COLUMN "address_sealed" text;--> statement-breakpoint
ALTER TABLE "signal" ADD COLUMN "hotline_address" text;--> statement-breakpoint
ALTER TABLE "signal" ADD COLUMN "campaign" text;--> statement-breakpoint
ALTER TABLE "signal" ADD COLUMN "window_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_party" ADD CONSTRAINT "call_party_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_party" ADD CONSTRAINT "call_party_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_delivery" ADD CONSTRAINT "channel_delivery_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_receipt" ADD CONSTRAINT "channel_receipt_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_message" ADD CONSTRAINT "email_message_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_call" ADD CONSTRAINT "phone_call_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voice_endpoint" ADD CONSTRAINT "voice_endpoint_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachment_signal_idx" ON "attachment" USING btree ("signal_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "call_party_sid_key" ON "call_party" USING btree ("call_sid");--> statement-breakpoint
CREATE INDEX "call_party_signal_idx" ON "call_party" USING btree ("signal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_delivery_seq_key" ON "channel_delivery" USING btree ("signal_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_delivery_provider_key" ON "channel_delivery" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "channel_delivery_due_idx" ON "channel_delivery" USING btree ("next_attempt_at") WHERE "channel_delivery"."status" in ('pending','sending');--> statement-breakpoint
CREATE INDEX "channel_receipt_signal_idx" ON "channel_receipt" USING btree ("signal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "email_message_id_key" ON "email_message" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "email_message_signal_idx" ON "email_message" USING btree ("signal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_call_sid_key" ON "phone_call" USING btree ("call_sid");--> statement-breakpoint
CREATE INDEX "signal_contact_hash_idx" ON "signal" USING btree ("contact_hash","arrived_at") WHERE "signal"."contact_hash" is not null;--> statement-breakpoint
ALTER TABLE "signal" ADD CONSTRAINT "signal_state_check" CHECK ("signal"."state" in ('ivr','queued','offered','active','ended'));--> statement-breakpoint
ALTER TABLE "signal" ADD CONSTRAINT "signal_end_reason_check" CHECK ("signal"."end_reason" is null or "signal"."end_reason" in ('completed','visitor_left','quick_close','abandoned','transferred','reviewed','spam','unavailable'));--> statement-breakpoint
ALTER TABLE "signal_event" ADD CONSTRAINT "signal_event_type_check" CHECK ("signal_event"."type" in ('arrived','queued','offered','offer_declined','offer_timeout','offer_cancelled','accepted','transferred','ended','wrapped_up','quick_closed','transcript_read','visitor_resumed','menu_choice','call_status','call_hold','call_mute','interpreter_added','interpreter_left','contact_revealed','delivery','attachment_read','follow_up'));