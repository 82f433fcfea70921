CREATE TABLE "canned_response" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"title_en" text NOT NULL,
	"title_fr" text NOT NULL,
	"body_en" text NOT NULL,
	"body_fr" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offer" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"offered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"outcome" text,
	"responded_at" timestamp with time zone,
	CONSTRAINT "offer_outcome_check" CHECK ("offer"."outcome" is null or "offer"."outcome" in ('accepted','declined','timeout','cancelled'))
);
--> statement-breakpoint
CREATE TABLE "presence" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'offline' NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"max_chats" integer DEFAULT 3 NOT NULL,
	"last_assigned_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "presence_status_check" CHECK ("presence"."status" in ('available','busy','break','offline')),
	CONSTRAINT "presence_max_chats_check" CHECK ("presence"."max_chats" between 1 and 20)
);
--> statement-breakpoint
CREATE TABLE "signal" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"interpreter_language" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"arrived_at" timestamp with time zone DEFAULT now() NOT NULL,
	"queued_at" timestamp with time zone,
	"first_offered_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"assigned_user_id" uuid,
	"wanted_role" text,
	"visitor_token_hash" text,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"visitor_read_seq" integer DEFAULT 0 NOT NULL,
	"staff_read_seq" integer DEFAULT 0 NOT NULL,
	"caller_type" text,
	"region" text,
	"heard_about" text,
	"wrap_up_language" text,
	"wrapped_up_at" timestamp with time zone,
	"wrapped_up_by" uuid,
	"contact_sealed" text,
	"report_sealed" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signal_channel_check" CHECK ("signal"."channel" in ('chat','report','phone','sms','whatsapp','email')),
	CONSTRAINT "signal_language_check" CHECK ("signal"."language" in ('en','fr','other')),
	CONSTRAINT "signal_state_check" CHECK ("signal"."state" in ('queued','offered','active','ended')),
	CONSTRAINT "signal_end_reason_check" CHECK ("signal"."end_reason" is null or "signal"."end_reason" in ('completed','visitor_left','quick_close','abandoned','transferred','reviewed','spam'))
);
--> statement-breakpoint
CREATE TABLE "signal_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"signal_id" uuid NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "signal_event_type_check" CHECK ("signal_event"."type" in ('arrived','queued','offered','offer_declined','offer_timeout','offer_cancelled','accepted','transferred','ended','wrapped_up','quick_closed','transcript_read','visitor_resumed'))
);
--> statement-breakpoint
CREATE TABLE "signal_message" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signal_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"sender" text NOT NULL,
	"author_user_id" uuid,
	"client_id" text NOT NULL,
	"body_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signal_message_sender_check" CHECK ("signal_message"."sender" in ('visitor','staff','system'))
);
--> statement-breakpoint
ALTER TABLE "offer" ADD CONSTRAINT "offer_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offer" ADD CONSTRAINT "offer_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal" ADD CONSTRAINT "signal_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal" ADD CONSTRAINT "signal_wrapped_up_by_users_id_fk" FOREIGN KEY ("wrapped_up_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_event" ADD CONSTRAINT "signal_event_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_event" ADD CONSTRAINT "signal_event_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_message" ADD CONSTRAINT "signal_message_signal_id_signal_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signal"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_message" ADD CONSTRAINT "signal_message_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "canned_response_key" ON "canned_response" USING btree ("key");--> statement-breakpoint
CREATE UNIQUE INDEX "offer_pending_signal_key" ON "offer" USING btree ("signal_id") WHERE "offer"."outcome" is null;--> statement-breakpoint
CREATE INDEX "offer_pending_expiry_idx" ON "offer" USING btree ("expires_at") WHERE "offer"."outcome" is null;--> statement-breakpoint
CREATE INDEX "offer_user_idx" ON "offer" USING btree ("user_id","offered_at");--> statement-breakpoint
CREATE INDEX "presence_status_idx" ON "presence" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_reference_key" ON "signal" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_visitor_token_key" ON "signal" USING btree ("visitor_token_hash");--> statement-breakpoint
CREATE INDEX "signal_waiting_idx" ON "signal" USING btree ("language","queued_at") WHERE "signal"."state" in ('queued','offered');--> statement-breakpoint
CREATE INDEX "signal_assigned_idx" ON "signal" USING btree ("assigned_user_id") WHERE "signal"."state" = 'active';--> statement-breakpoint
CREATE INDEX "signal_arrived_idx" ON "signal" USING btree ("arrived_at");--> statement-breakpoint
CREATE INDEX "signal_event_signal_idx" ON "signal_event" USING btree ("signal_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_message_seq_key" ON "signal_message" USING btree ("signal_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_message_client_key" ON "signal_message" USING btree ("signal_id","sender","client_id");--> statement-breakpoint
INSERT INTO "canned_response" ("key", "title_en", "title_fr", "body_en", "body_fr", "sort_order") VALUES
('greeting', 'Greeting', 'Accueil', 'Hello, thank you for reaching out. I am an advocate with the hotline. This conversation is confidential. How can I help you today?', 'Bonjour, merci de nous avoir écrit. Je suis intervenante ou intervenant à la ligne d''urgence. Cette conversation est confidentielle. Comment puis-je vous aider aujourd''hui?', 10),
('safety_check', 'Safety check', 'Vérification de sécurité', 'Before we continue: are you in a safe place to talk right now? If someone comes in, you can close this window at any time with the Quick exit button.', 'Avant de continuer : êtes-vous dans un endroit sûr pour discuter en ce moment? Si quelqu''un arrive, vous pouvez fermer cette fenêtre en tout temps avec le bouton Sortie rapide.', 20),
('emergency', 'Emergency', 'Urgence', 'If you or someone else is in immediate danger, please call 911 now. I will stay here if you want to come back after.', 'Si vous ou une autre personne êtes en danger immédiat, composez le 911 maintenant. Je reste ici si vous voulez revenir ensuite.', 30),
('closing', 'Closing', 'Conclusion', 'Thank you for trusting us. You can reach the hotline again at any time, day or night, by chat, phone or the online form.', 'Merci de votre confiance. Vous pouvez joindre la ligne d''urgence de nouveau en tout temps, jour et nuit, par clavardage, par téléphone ou par le formulaire en ligne.', 40);
