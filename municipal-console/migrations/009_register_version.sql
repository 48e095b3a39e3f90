-- Alert fan-out (issue 4, performance): the console keeps the targetable part of the register
-- (active residents on active bindings to active devices) in memory between alerts, and reads
-- it again only when this version has moved. Reading and decoding it cost about 130 ms per
-- 10,000 residents on PGlite, ahead of an alert's first message.
-- The version is a row, bumped in the same transaction as the change (a sequence would move
-- before the change commits, and a reader could cache the old register under the new version).
-- Statement-level triggers: a bulk import bumps it once; binding columns that targeting never
-- reads (status_checked_at, the serials) do not bump it.
CREATE TABLE register_version (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  v bigint NOT NULL
);
INSERT INTO register_version VALUES (true, 1);

CREATE FUNCTION bump_register_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE register_version SET v = v + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER residents_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON residents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_register_version();
CREATE TRIGGER devices_version AFTER INSERT OR UPDATE OF id, zone_id, status OR DELETE OR TRUNCATE ON devices
  FOR EACH STATEMENT EXECUTE FUNCTION bump_register_version();
CREATE TRIGGER bindings_version AFTER INSERT OR UPDATE OF resident_id, device_id, status OR DELETE OR TRUNCATE ON bindings
  FOR EACH STATEMENT EXECUTE FUNCTION bump_register_version();
