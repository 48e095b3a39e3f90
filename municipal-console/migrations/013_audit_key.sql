-- Issue 24, item 9: the audit log proves itself. Each entry's hash becomes an HMAC-SHA-256 under a
-- key kept outside the database (KZ_CONSOLE_AUDIT_KEY or a key file), so rows cannot be edited and
-- the chain recomputed without it; key_id names the key (a fingerprint, never the key). Entries from
-- before this migration keep their plain SHA-256 chain (key_id NULL) and are pinned by the first keyed one.
ALTER TABLE audit_log ADD COLUMN key_id text;

-- The fingerprint of the key this database's chain continues with (one row; set by the console at start).
CREATE TABLE audit_key (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  key_id text NOT NULL
);

-- TRUNCATE skips row triggers: refuse it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
