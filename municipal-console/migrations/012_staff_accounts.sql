-- Issue 24: staff accounts as a government system needs them. Sessions get an id (to list and end
-- them without showing the token's hash), the time of the last request (idle timeout) and of the
-- last authentication (re-authentication before approving a real alert). Accounts get a
-- per-account failure count and lock (throttling), and a flag that forces a password change.
ALTER TABLE sessions ADD COLUMN id text;
UPDATE sessions SET id = md5(token_hash);
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX sessions_id ON sessions(id);
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
ALTER TABLE sessions ADD COLUMN auth_at timestamptz;
UPDATE sessions SET auth_at = created_at;
ALTER TABLE sessions ALTER COLUMN auth_at SET NOT NULL;
CREATE INDEX sessions_username ON sessions(username);

ALTER TABLE staff ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until timestamptz;
ALTER TABLE staff ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Changes that need a second administrator (creating staff, granting roles, …): one admin
-- proposes, another confirms. The payload never holds a password, only its scrypt hash.
CREATE TABLE admin_changes (
  id text PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  payload jsonb NOT NULL,
  proposed_by text NOT NULL,
  proposed_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'withdrawn')),
  decided_by text,
  decided_at timestamptz
);
CREATE INDEX admin_changes_pending ON admin_changes(kind, subject) WHERE state = 'pending';
