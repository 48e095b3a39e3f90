-- Alert fan-out (issue 4, performance): a chunk of TVs is made durable as ONE journal row before
-- its messages are published, and its `alert_recipients` and `deliveries` rows are written after
-- every chunk has been published (see the top of src/alerts.ts). Writing those per-TV rows
-- (two upserts and four index entries per TV) before publishing kept the broker waiting for
-- about a second per 10,000 TVs on PGlite. A row here means: these messages were, or are about
-- to be, published; until its rows exist, receipts for its alert wait in the ingest queue (their
-- PUBACK held).
CREATE TABLE fanout_chunks (
  alert_id text NOT NULL REFERENCES alerts(id),
  revision integer NOT NULL,
  chunk integer NOT NULL,
  written_at timestamptz NOT NULL,
  owner text NOT NULL,               -- the fan-out lease that wrote it: its own chunks it writes from memory
  tvs integer NOT NULL,
  -- the chunk's TVs, their exact payloads and their residents, deflated (src/fanout-journal.ts):
  -- passing ≈ 650 B of JSON per TV as text cost PGlite ≈ 15 ns a byte, about 100 ms per 10,000
  -- TVs on the console's own thread; deflated, the chunk is a tenth of that or less
  body bytea NOT NULL,
  PRIMARY KEY (alert_id, revision, owner, chunk)
);
