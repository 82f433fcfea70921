ALTER TABLE "signal" ADD COLUMN "redacted_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "signal_retention_idx" ON "signal" USING btree ("ended_at") WHERE "signal"."redacted_at" is null and "signal"."ended_at" is not null;--> statement-breakpoint
UPDATE "signal" SET "redacted_at" = c."redacted_at" FROM "case_signal" cs JOIN "case_file" c ON c."id" = cs."case_id" WHERE cs."signal_id" = "signal"."id" AND c."redacted_at" IS NOT NULL;
