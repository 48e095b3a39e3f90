-- Each insurer's events are numbered by its own counter (gw_events.insurer_seq, shown as `seq`):
-- the global bigserial told every insurer how many events all the others had. Events get their
-- number after they commit (events.ts `sequenceEvents`), so a reader's cursor never skips one.
ALTER TABLE gw_insurers ADD COLUMN event_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE gw_events ADD COLUMN insurer_seq bigint;
-- Events already seen keep the number the insurer saw, so `after=N` cursors stay valid; each
-- counter continues from the highest number given out so far (nothing new is revealed).
UPDATE gw_events SET insurer_seq = seq;
UPDATE gw_insurers SET event_seq = COALESCE((SELECT max(seq) FROM gw_events), 0);
CREATE UNIQUE INDEX gw_events_insurer_seq ON gw_events (insurer_id, insurer_seq);
CREATE INDEX gw_events_unsequenced ON gw_events (insurer_id) WHERE insurer_seq IS NULL;

-- Every webhook delivery attempt, for the insurer to inspect (status, latency, error) per event.
CREATE TABLE gw_webhook_attempts (
  id bigserial PRIMARY KEY,
  event_seq bigint NOT NULL REFERENCES gw_events (seq) ON DELETE CASCADE,
  attempted_at timestamptz NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('scheduled', 'replay')),
  http_status integer,
  latency_ms integer NOT NULL,
  error text
);
CREATE INDEX gw_webhook_attempts_event ON gw_webhook_attempts (event_seq, id);

-- The status watch looks a certificate up by serial (watch-source.ts); the key leads with the enrolment.
CREATE INDEX gw_enrolment_certs_serial ON gw_enrolment_certs (serial);
