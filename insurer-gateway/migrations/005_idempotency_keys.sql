-- Idempotency keys as Stripe defines them: an insurer's externalRef names one request. A repeat of
-- the same request returns the first notice; the same key with a different request is refused,
-- naming the fields that differ. A key lives `expires_at` (KZ_GATEWAY_IDEMPOTENCY_DAYS after first
-- use), whatever happens to its notice: deleting the notice does not free the key. Only salted
-- digests of the request's fields are kept, never the text the notice carried.
CREATE TABLE gw_idempotency_keys (
  insurer_id text NOT NULL REFERENCES gw_insurers (id) ON DELETE CASCADE,
  key text NOT NULL,
  notice_id text NOT NULL,
  salt text NOT NULL,
  fields jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (insurer_id, key)
);
CREATE INDEX gw_idempotency_keys_expiry ON gw_idempotency_keys (expires_at);
-- Notices sent before this migration keep their reference as a key.
INSERT INTO gw_idempotency_keys (insurer_id, key, notice_id, salt, fields, created_at, expires_at)
  SELECT insurer_id, external_ref, id, '', '{}'::jsonb, created_at, created_at + interval '90 days'
  FROM gw_notices WHERE external_ref IS NOT NULL;
-- The key table now decides uniqueness: once a key expires its reference may name a new notice.
DROP INDEX gw_notices_external_ref;
