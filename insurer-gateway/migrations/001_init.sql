-- Insurer gateway and electronic post-box (issue 8). Own ids only: no My Number, no municipal
-- resident id. Times are written by the application clock (injectable in tests), not now().

CREATE TABLE gw_insurers (
  id text PRIMARY KEY,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  status_reason text,
  status_changed_at timestamptz,
  webhook_url text,
  webhook_secret text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Signed API keys: up to two active per insurer, so keys rotate without downtime.
CREATE TABLE gw_insurer_keys (
  key_id text PRIMARY KEY,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  secret text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX gw_insurer_keys_insurer ON gw_insurer_keys (insurer_id);

-- Mutual TLS: SHA-256 fingerprints of each insurer's client certificates.
CREATE TABLE gw_insurer_client_certs (
  fingerprint text PRIMARY KEY,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  added_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- Signed requests seen inside the replay window.
CREATE TABLE gw_request_nonces (
  signature text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE TABLE gw_postboxes (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL
);

-- Certificates (by serial) that open a post-box: the authentication certificate used at login,
-- and its renewals.
CREATE TABLE gw_postbox_certs (
  serial text PRIMARY KEY,
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL
);
CREATE INDEX gw_postbox_certs_postbox ON gw_postbox_certs (postbox_id);

-- TVs the resident has logged in from: where "mail waiting" goes.
CREATE TABLE gw_postbox_devices (
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  muni text NOT NULL,
  device text NOT NULL,
  last_login_at timestamptz NOT NULL,
  PRIMARY KEY (postbox_id, muni, device)
);

CREATE TABLE gw_sessions (
  token_hash text PRIMARY KEY,
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  muni text,
  device text,
  sign_serial text,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);

-- The resident's choice of senders.
CREATE TABLE gw_senders (
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  allowed boolean NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (postbox_id, insurer_id)
);

CREATE TABLE gw_consent_nonces (
  nonce text PRIMARY KEY,
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- The insurer-specific code (符号) by which one insurer knows one post-box.
CREATE TABLE gw_insurer_codes (
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  code text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (insurer_id, postbox_id)
);

CREATE TABLE gw_enrolments (
  id text PRIMARY KEY,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  policy text NOT NULL,
  -- The signing certificate currently followed (replaced along the authority's renewal links).
  sign_serial text NOT NULL,
  cert_status text NOT NULL DEFAULT 'good' CHECK (cert_status IN ('good', 'revoked')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
  consent_cms bytea NOT NULL,
  consent_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  checked_at timestamptz,
  ended_at timestamptz,
  ended_reason text
);
CREATE UNIQUE INDEX gw_enrolments_active_policy ON gw_enrolments (insurer_id, policy) WHERE status = 'active';
CREATE INDEX gw_enrolments_serial ON gw_enrolments (sign_serial);
CREATE INDEX gw_enrolments_postbox ON gw_enrolments (postbox_id);

-- Every certificate an enrolment has followed, oldest first (audit of renewals).
CREATE TABLE gw_enrolment_certs (
  enrolment_id text NOT NULL REFERENCES gw_enrolments (id) ON DELETE CASCADE,
  serial text NOT NULL,
  -- The certificate itself (DER), so its status can be asked of the authority by OCSP.
  der bytea,
  added_at timestamptz NOT NULL,
  via text NOT NULL CHECK (via IN ('consent', 'renewal')),
  PRIMARY KEY (enrolment_id, serial)
);

-- 情報提供等記録: every disclosure of the resident's data, readable by the resident.
CREATE TABLE gw_disclosures (
  id bigserial PRIMARY KEY,
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  insurer_id text NOT NULL,
  items jsonb NOT NULL,
  purpose text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX gw_disclosures_postbox ON gw_disclosures (postbox_id);

CREATE TABLE gw_notices (
  id text PRIMARY KEY,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  postbox_id text NOT NULL REFERENCES gw_postboxes (id) ON DELETE CASCADE,
  enrolment_id text REFERENCES gw_enrolments (id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('info', 'status-check')),
  external_ref text,
  subject text NOT NULL,
  body text NOT NULL,
  due_date date,
  report_nonce text,
  status text NOT NULL DEFAULT 'unread' CHECK (status IN ('unread', 'read', 'answered', 'withdrawn')),
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  answered_at timestamptz,
  closed_at timestamptz
);
CREATE INDEX gw_notices_postbox ON gw_notices (postbox_id, status);
CREATE INDEX gw_notices_insurer ON gw_notices (insurer_id, created_at);
CREATE UNIQUE INDEX gw_notices_external_ref ON gw_notices (insurer_id, external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE gw_attachments (
  id text PRIMARY KEY,
  notice_id text NOT NULL REFERENCES gw_notices (id) ON DELETE CASCADE,
  filename text NOT NULL,
  media_type text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  data bytea NOT NULL
);
CREATE INDEX gw_attachments_notice ON gw_attachments (notice_id);

-- Verified reports with their evidence, kept for audit after the notice itself is deleted.
CREATE TABLE gw_reports (
  id text PRIMARY KEY,
  notice_id text NOT NULL UNIQUE,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  postbox_id text NOT NULL,
  enrolment_id text NOT NULL,
  code text NOT NULL,
  policy text NOT NULL,
  document jsonb NOT NULL,
  cms bytea NOT NULL,
  cms_sha256 text NOT NULL UNIQUE,
  detached_content bytea,
  signer_serial text NOT NULL,
  signing_time timestamptz,
  received_at timestamptz NOT NULL,
  result text NOT NULL,
  reason text NOT NULL,
  evidence_cert bytea NOT NULL,
  evidence_ocsp bytea,
  receipt jsonb NOT NULL,
  acknowledged_at timestamptz
);
CREATE INDEX gw_reports_insurer ON gw_reports (insurer_id, received_at);

-- Refused report submissions: the reason only (no document), for the insurer and the operator.
CREATE TABLE gw_report_attempts (
  id bigserial PRIMARY KEY,
  notice_id text,
  insurer_id text,
  postbox_id text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX gw_report_attempts_notice ON gw_report_attempts (notice_id);

-- The insurer's outbox: read over the API and pushed as webhooks until acknowledged.
CREATE TABLE gw_events (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  insurer_id text NOT NULL REFERENCES gw_insurers (id),
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  acked_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text
);
CREATE INDEX gw_events_insurer ON gw_events (insurer_id, seq);
CREATE INDEX gw_events_due ON gw_events (next_attempt_at) WHERE acked_at IS NULL;

-- The gateway's own signing key for receipts.
CREATE TABLE gw_signing_keys (
  id text PRIMARY KEY,
  private_pkcs8 bytea NOT NULL,
  public_spki bytea NOT NULL,
  created_at timestamptz NOT NULL,
  retired_at timestamptz
);
