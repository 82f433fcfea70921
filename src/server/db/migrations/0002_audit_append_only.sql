-- The audit log is append-only: refuse UPDATE, DELETE and TRUNCATE at the database level.
-- (A superuser can still disable these triggers; the hash chain then exposes any change: `harbour audit verify`.)
CREATE OR REPLACE FUNCTION harbour_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION harbour_audit_immutable();--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION harbour_audit_immutable();
