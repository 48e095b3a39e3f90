-- One card, one person (issue 23): a session knows the card that opened it — the serial of its
-- authentication certificate, and the certificate itself so its status can be asked again while
-- the session is used. A session opened before this migration knows no card: it is ended.
ALTER TABLE gw_sessions ADD COLUMN auth_serial text;
ALTER TABLE gw_sessions ADD COLUMN auth_cert bytea;
-- Why a session ended early ('card-revoked'), so the next request is told by name.
ALTER TABLE gw_sessions ADD COLUMN end_reason text;
UPDATE gw_sessions SET ended_at = expires_at WHERE auth_serial IS NULL AND ended_at IS NULL;
CREATE INDEX gw_sessions_auth_serial ON gw_sessions (auth_serial) WHERE ended_at IS NULL;

-- Signing certificate → the same card's authentication certificate, as the authority linked them
-- when a signature of that card was accepted; lets a revoked signing certificate end the card's
-- sessions without asking the authority again.
CREATE TABLE gw_card_links (
  sign_serial text PRIMARY KEY,
  auth_serial text NOT NULL,
  linked_at timestamptz NOT NULL
);
CREATE INDEX gw_card_links_auth ON gw_card_links (auth_serial);

-- TVs linked before the municipality was asked were named by whoever logged in: forget them; a
-- TV bound to the resident is linked again at the next login from it.
DELETE FROM gw_postbox_devices;
