-- Issue 6: staff log in with their own card (JPKI user-authentication certificate). The link is
-- the certificate serial (発行番号) and its opaque subject CN: never a My Number, never a name.
CREATE TABLE staff_cards (
  auth_serial text PRIMARY KEY,        -- lower-case hex serial of the authentication certificate
  username text NOT NULL REFERENCES staff(username),
  subject text NOT NULL,               -- the certificate's subject (C=JP, CN=<opaque id>)
  not_after timestamptz NOT NULL,
  linked_by text NOT NULL,
  linked_at timestamptz NOT NULL,
  unlinked_at timestamptz
);
CREATE INDEX staff_cards_username ON staff_cards(username);

-- How a session was opened, so the audit log and the screen can say "card" or "password".
ALTER TABLE sessions ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'card'));
