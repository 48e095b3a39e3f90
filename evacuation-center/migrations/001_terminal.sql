-- The shelter terminal's own store (PGlite on the laptop at the door). Every local action is
-- written here first — event, presence and outbox row in one transaction — and only then sent.
-- No My Number, no address: people are roster pseudonyms, card serials, or what staff typed.

-- This terminal's last sequence number (ShelterEvent.seq), one row.
CREATE TABLE terminal_state (
  id integer PRIMARY KEY CHECK (id = 1),
  last_seq bigint NOT NULL DEFAULT 0
);
INSERT INTO terminal_state (id, last_seq) VALUES (1, 0);

-- Every event of this shelter this terminal knows: its own and its peers' (idempotent by event_id).
CREATE TABLE shelter_events (
  event_id text PRIMARY KEY,
  terminal text NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL CHECK (type IN ('check-in', 'check-out', 'transfer-out', 'undo')),
  at timestamptz NOT NULL,
  -- r:<rosterKey> | c:<certSerial> | m:<check-in eventId>; null for undo
  person_key text,
  needs_care boolean NOT NULL DEFAULT false,
  undoes text,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (terminal, seq)
);
CREATE INDEX shelter_events_person ON shelter_events (person_key);
CREATE INDEX shelter_events_undoes ON shelter_events (undoes) WHERE undoes IS NOT NULL;

-- Who is here now: one row per person, recomputed from their events (last one wins, by at, terminal, seq).
CREATE TABLE presence (
  person_key text PRIMARY KEY,
  present boolean NOT NULL,
  needs_care boolean NOT NULL,
  last_event text NOT NULL,
  check_in_event text,
  since timestamptz NOT NULL
);
CREATE INDEX presence_present ON presence (present) WHERE present;

-- Events waiting for the broker's PUBACK, drained in seq order.
CREATE TABLE outbox (
  seq bigint PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  topic text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- The last roster the console sent, kept for offline use.
CREATE TABLE roster_cache (
  id integer PRIMARY KEY CHECK (id = 1),
  version text NOT NULL,
  fetched_at timestamptz NOT NULL,
  body jsonb NOT NULL
);
