CREATE INDEX "language_location_idx" ON "language" USING btree ("location_id");--> statement-breakpoint
CREATE INDEX "language_phone_idx" ON "language" USING btree ("phone_id");--> statement-breakpoint
CREATE INDEX "phone_organization_idx" ON "phone" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "phone_sal_idx" ON "phone" USING btree ("service_at_location_id");--> statement-breakpoint
CREATE INDEX "schedule_sal_idx" ON "schedule" USING btree ("service_at_location_id");--> statement-breakpoint
CREATE INDEX "taxonomy_term_taxonomy_code_idx" ON "taxonomy_term" USING btree ("taxonomy","code");