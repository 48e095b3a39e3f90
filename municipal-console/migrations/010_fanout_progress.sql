-- How many TVs a revision's fan-out addresses, written with its first chunk: the live figures show
-- its progress (TVs sent so far: its journaled chunks and its rows) while it runs.
ALTER TABLE alert_revisions ADD COLUMN fanout_tvs integer;
