-- Search reads `terms` of every row it visits: keep it in the row, uncompressed when it fits (MAIN), and let the
-- long `document` (read only by LIKE searches of the HSDS API and suggestions) move out of line first (EXTERNAL).
ALTER TABLE "directory_search" ALTER COLUMN "terms" SET STORAGE MAIN;--> statement-breakpoint
ALTER TABLE "directory_search" ALTER COLUMN "document" SET STORAGE EXTERNAL;
