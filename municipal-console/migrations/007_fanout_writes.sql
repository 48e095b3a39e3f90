-- Alert fan-out (issue 4, performance): cheaper rows for a chunk of TVs.
-- A delivery's payload is kept as the exact text that was
-- published, not parsed into jsonb. Nothing queries inside it; the re-sender publishes it as it
-- is; and parsing ≈ 650 B of JSON per TV into jsonb was the largest single cost of writing a
-- fan-out chunk on PGlite. Rows written before this keep their content (jsonb's own rendering of
-- the same JSON, which a TV parses the same way).
ALTER TABLE deliveries ALTER COLUMN payload TYPE text USING payload::text;

-- The per-row foreign keys from a fan-out's rows to the register (residents, devices) cost about
-- as much as the rest of the chunk's recipient write together (each is an index probe plus a
-- key-share lock on the referenced row, for every TV). Those ids are always read from the
-- register in the same fan-out that writes them, and residents and devices are never deleted
-- (a resident who moves out, a device that is revoked, changes status), so the checks only
-- cost time. The key to the alert itself stays (one row, already locked by the fan-out).
ALTER TABLE alert_recipients DROP CONSTRAINT alert_recipients_resident_id_fkey;
ALTER TABLE alert_recipients DROP CONSTRAINT alert_recipients_device_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_device_id_fkey;
