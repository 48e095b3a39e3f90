-- The municipality's own database (分散管理): its resident register extract, the TVs bound to
-- residents by card, shelters, alerts and what happened to them. There is no My Number column,
-- and there must never be one: residents are known here by the municipality's own resident id.

CREATE TABLE zones (
  id text PRIMARY KEY,
  name text NOT NULL,
  name_en text,
  -- GeoJSON Polygon geometry: {"type":"Polygon","coordinates":[[[lon,lat],...]]}
  polygon jsonb NOT NULL
);

CREATE TABLE households (
  id text PRIMARY KEY,
  zone_id text NOT NULL REFERENCES zones(id)
);

CREATE TABLE residents (
  id text PRIMARY KEY,                 -- the municipality's own resident id (住民票コード-like, not the My Number)
  family_name text NOT NULL,
  given_name text NOT NULL,
  family_kana text NOT NULL,
  given_kana text NOT NULL,
  address text NOT NULL,
  birth_date date NOT NULL,
  sex smallint NOT NULL CHECK (sex IN (1, 2, 3)),   -- JPKI coding: 1 male, 2 female, 3 unknown
  language text NOT NULL DEFAULT 'ja',
  needs_help boolean NOT NULL DEFAULT false,         -- 避難行動要支援者
  supporter text,
  phone text,
  household_id text REFERENCES households(id),
  zone_id text NOT NULL REFERENCES zones(id),
  lat double precision,
  lon double precision
);
CREATE INDEX residents_zone ON residents(zone_id);
CREATE INDEX residents_household ON residents(household_id);

CREATE TABLE devices (
  id text PRIMARY KEY,                 -- the TV's device id, also its topic level
  zone_id text NOT NULL REFERENCES zones(id),
  household_id text REFERENCES households(id),
  broker_username text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_zone ON devices(zone_id);

CREATE TABLE bindings (
  id bigserial PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents(id),
  device_id text NOT NULL REFERENCES devices(id),
  auth_serial text,                    -- the card's user-authentication certificate serial (発行番号)
  sign_serial text,                    -- the signing certificate that signed the registration
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unbound', 'revoked', 'superseded')),
  reason text,
  bound_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE UNIQUE INDEX bindings_one_active ON bindings(resident_id, device_id) WHERE status = 'active';
CREATE INDEX bindings_device ON bindings(device_id) WHERE status = 'active';
CREATE INDEX bindings_auth_serial ON bindings(auth_serial);
CREATE INDEX bindings_sign_serial ON bindings(sign_serial);

CREATE TABLE shelters (
  id text PRIMARY KEY,
  name text NOT NULL,
  address text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  capacity integer NOT NULL CHECK (capacity >= 0),
  hazards text[] NOT NULL,             -- hazards it is safe against
  welfare boolean NOT NULL DEFAULT false,   -- 福祉避難所
  open boolean NOT NULL DEFAULT true
);

CREATE TABLE alerts (
  id text PRIMARY KEY,
  identifier text NOT NULL UNIQUE,     -- CAP identifier
  sender text NOT NULL,
  status text NOT NULL CHECK (status IN ('Actual', 'Exercise', 'Test')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  -- the latest published revision (0 before the first publication)
  revision integer NOT NULL DEFAULT 0,
  msg_type text NOT NULL DEFAULT 'Alert',
  level smallint NOT NULL,
  hazard text NOT NULL,
  expires timestamptz NOT NULL,
  first_sent timestamptz,
  last_sent timestamptz,
  state text NOT NULL CHECK (state IN ('draft', 'pending-approval', 'active', 'cancelled', 'expired')),
  spec jsonb NOT NULL                  -- targeting, instruction and CAP details of the latest revision
);

CREATE TABLE alert_revisions (
  alert_id text NOT NULL REFERENCES alerts(id),
  revision integer NOT NULL,
  msg_type text NOT NULL,
  level smallint NOT NULL,
  hazard text NOT NULL,
  expires timestamptz NOT NULL,
  spec jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('draft', 'pending-approval', 'published', 'rejected', 'superseded')),
  approved_by text,
  approved_at timestamptz,
  published_at timestamptz,
  PRIMARY KEY (alert_id, revision)
);

CREATE TABLE alert_recipients (
  alert_id text NOT NULL REFERENCES alerts(id),
  resident_id text NOT NULL REFERENCES residents(id),
  ref text NOT NULL,                   -- per-alert pseudonym the TV sees instead of the resident id
  device_id text NOT NULL REFERENCES devices(id),
  zone_id text NOT NULL,
  needs_help boolean NOT NULL,
  leave_now boolean NOT NULL,
  language text NOT NULL,
  shelter_id text,
  revision integer NOT NULL,           -- last revision that addressed this resident
  active boolean NOT NULL DEFAULT true,
  PRIMARY KEY (alert_id, resident_id),
  UNIQUE (alert_id, ref)
);
CREATE INDEX alert_recipients_device ON alert_recipients(alert_id, device_id);

CREATE TABLE deliveries (
  alert_id text NOT NULL REFERENCES alerts(id),
  device_id text NOT NULL REFERENCES devices(id),
  zone_id text NOT NULL,
  revision_sent integer NOT NULL,
  payload jsonb NOT NULL,              -- exactly what was published, re-sent from here
  first_sent_at timestamptz NOT NULL,
  last_sent_at timestamptz NOT NULL,
  send_count integer NOT NULL DEFAULT 1,
  delivered_revision integer NOT NULL DEFAULT 0,
  delivered_at timestamptz,
  displayed_revision integer NOT NULL DEFAULT 0,
  displayed_at timestamptz,
  PRIMARY KEY (alert_id, device_id)
);
CREATE INDEX deliveries_unconfirmed ON deliveries(alert_id) WHERE delivered_revision < revision_sent;

CREATE TABLE area_messages (
  alert_id text NOT NULL REFERENCES alerts(id),
  zone_id text NOT NULL REFERENCES zones(id),
  revision integer NOT NULL,
  payload jsonb NOT NULL,
  cleared boolean NOT NULL DEFAULT false,
  PRIMARY KEY (alert_id, zone_id)
);

CREATE TABLE answers (
  alert_id text NOT NULL REFERENCES alerts(id),
  resident_id text NOT NULL REFERENCES residents(id),
  answer text NOT NULL CHECK (answer IN ('evacuating', 'safe-indoors', 'need-help')),
  answered_at timestamptz NOT NULL,
  first_answered_at timestamptz NOT NULL,
  PRIMARY KEY (alert_id, resident_id)
);

-- Shelter terminal events, stored once per eventId whatever the number of re-sends.
CREATE TABLE checkins (
  event_id text PRIMARY KEY,
  shelter_id text NOT NULL,
  terminal_id text NOT NULL,
  seq integer NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  resident_id text REFERENCES residents(id),
  roster_key text,
  cert_serial text,
  manual jsonb,
  undoes text,
  to_shelter text,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkins_resident ON checkins(resident_id, at);
CREATE INDEX checkins_shelter ON checkins(shelter_id);

-- Roster keys the municipality hands each shelter: pseudonyms for its residents there.
CREATE TABLE roster_keys (
  shelter_id text NOT NULL,
  key text NOT NULL,
  resident_id text NOT NULL REFERENCES residents(id),
  PRIMARY KEY (shelter_id, key)
);

CREATE TABLE staff (
  username text PRIMARY KEY,
  password_hash text NOT NULL,         -- scrypt$N$r$p$salt$hash
  roles text[] NOT NULL,
  display_name text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,         -- sha-256 of the bearer token; the token itself is never stored
  username text NOT NULL REFERENCES staff(username),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE bind_nonces (
  nonce text PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices(id),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- What personal data left or was matched, for whom and why (情報提供等記録): the resident can read it.
CREATE TABLE disclosures (
  id bigserial PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents(id),
  at timestamptz NOT NULL,
  party text NOT NULL,
  purpose text NOT NULL,
  items text[] NOT NULL
);
CREATE INDEX disclosures_resident ON disclosures(resident_id, at);

-- Append-only, hash-chained: each row's hash covers the previous row's hash.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  details jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
