-- Broker credentials: one row per device or service, keyed by its username (= MQTT client id).
CREATE TABLE broker_credentials (
  username        text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('tv', 'terminal', 'municipality', 'postbox', 'admin')),
  muni            text,
  device          text,
  shelter         text,
  terminal        text,
  password_hash   text NOT NULL,          -- scrypt$N$r$p$salt$hash
  mosquitto_hash  text NOT NULL,          -- JSON {password, salt, iterations}: Mosquitto's PBKDF2 format
  generation      integer NOT NULL DEFAULT 1,
  issued_at       timestamptz NOT NULL DEFAULT now(),
  rotated_at      timestamptz,
  revoked_at      timestamptz
);
CREATE INDEX broker_credentials_muni ON broker_credentials (muni) WHERE revoked_at IS NULL;

-- What happened to each credential, for the operator's audit (no secrets).
CREATE TABLE broker_credential_events (
  id          bigserial PRIMARY KEY,
  username    text NOT NULL REFERENCES broker_credentials (username),
  action      text NOT NULL CHECK (action IN ('issued', 'rotated', 'revoked')),
  generation  integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX broker_credential_events_username ON broker_credential_events (username, id);
