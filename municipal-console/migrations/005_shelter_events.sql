-- Issue 7: the shelter event's own fields as columns, and indexes for the live figures.

-- ShelterEvent.checkIn (a check-out/transfer of someone checked in by hand names their check-in)
-- and ShelterEvent.needsCare (staff flagged special care at the door).
ALTER TABLE checkins ADD COLUMN check_in text;
ALTER TABLE checkins ADD COLUMN needs_care boolean;
UPDATE checkins SET check_in = event->>'checkIn', needs_care = (event->>'needsCare')::boolean WHERE event IS NOT NULL;

-- Undone events are excluded by NOT EXISTS (… u.undoes = c.event_id) in every count.
CREATE INDEX checkins_undoes ON checkins(undoes) WHERE undoes IS NOT NULL;
-- Cards not on the roster are resolved by serial, compared lower-case.
CREATE INDEX bindings_auth_serial_lower ON bindings(lower(auth_serial));
CREATE INDEX bindings_sign_serial_lower ON bindings(lower(sign_serial));
