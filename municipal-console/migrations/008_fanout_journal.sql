-- Alert fan-out (issue 4, performance): a chunk of TVs is made durable as ONE journal row before
-- its messages are published, and turned into its `alert_recipients` and `deliveries` rows after
-- every chunk has been published (see the top of src/alerts.ts). Writing those per-TV rows
-- (two upserts and four index entries per TV) before publishing kept the broker waiting for
-- about a second per 10,000 TVs on PGlite; one row of joined text per chunk costs a fifth of
-- that. A row here means: these messages were, or are about to be, published; until it is
-- materialised, receipts for its alert wait in the ingest queue (their PUBACK held).
CREATE TABLE fanout_chunks (
  alert_id text NOT NULL REFERENCES alerts(id),
  revision integer NOT NULL,
  chunk integer NOT NULL,
  written_at timestamptz NOT NULL,
  -- one value per TV, joined by U+001E (see joinField in src/alerts.ts)
  devices text NOT NULL,
  zones text NOT NULL,
  payloads text NOT NULL,
  -- one value per resident addressed by this chunk's TVs, joined the same way
  r_resident text NOT NULL,
  r_ref text NOT NULL,
  r_device text NOT NULL,
  r_zone text NOT NULL,
  r_needs_help text NOT NULL,
  r_leave_now text NOT NULL,
  r_language text NOT NULL,
  r_shelter text NOT NULL,
  PRIMARY KEY (alert_id, revision, chunk)
);
