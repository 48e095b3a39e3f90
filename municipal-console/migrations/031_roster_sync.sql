-- Issue 19: every shelter's roster holds the whole municipality; terminals sync only what changed.
-- Each change of what a shelter's roster holds gets the next sequence number of that shelter:
-- a person's entry records when it last changed (changed_seq) or left the roster (removed_seq),
-- and each roster version the sequence number it was current at, so "changes since version V"
-- is the entries changed after V's number.
ALTER TABLE roster_keys ADD COLUMN changed_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE roster_keys ADD COLUMN removed_seq bigint;
CREATE INDEX roster_keys_changed ON roster_keys(shelter_id, changed_seq);

CREATE TABLE roster_versions (
  shelter_id text NOT NULL,
  version text NOT NULL,
  seq bigint NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (shelter_id, version)
);
CREATE INDEX roster_versions_seq ON roster_versions(shelter_id, seq);
