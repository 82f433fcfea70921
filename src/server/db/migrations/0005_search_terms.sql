ALTER TABLE "directory_search" ADD COLUMN "terms" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
CREATE INDEX "directory_search_terms" ON "directory_search" USING gin ("terms");