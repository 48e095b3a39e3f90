-- Issue 4, second half: card binding (evidence kept for the revocation watch) and shelter rosters.

-- Care needs staff must know at a shelter door (contract CARE_NEEDS); needs_help stays the 要支援者 flag.
ALTER TABLE residents ADD COLUMN care_needs text[] NOT NULL DEFAULT '{}';
-- Card binding matches the certificate's birth date first.
CREATE INDEX residents_birth_date ON residents(birth_date);

-- Zones whose residents this shelter expects (指定避難所 per district): they are on its roster.
ALTER TABLE shelters ADD COLUMN serves text[] NOT NULL DEFAULT '{}';

-- The check-in exactly as the terminal sent it, so it can be handed back to the shelter's terminals.
ALTER TABLE checkins ADD COLUMN event jsonb;
CREATE INDEX checkins_shelter_at ON checkins(shelter_id, at);

-- Per-shelter secrets: pseudonyms (roster and household keys) and the card-key salt.
-- Different per shelter, so two shelters' rosters cannot be joined.
CREATE TABLE roster_secrets (
  shelter_id text PRIMARY KEY,
  secret text NOT NULL,
  card_key_salt text NOT NULL,
  created_at timestamptz NOT NULL
);
-- What was last disclosed to the shelter about each person (hash), so the disclosure log has
-- one entry per change, not one per fetch.
ALTER TABLE roster_keys ADD COLUMN disclosed text;
ALTER TABLE roster_keys ADD COLUMN disclosed_at timestamptz;
CREATE INDEX roster_keys_resident ON roster_keys(resident_id);

-- The signing certificate that made the binding (base64 DER): the evidence, and what the
-- revocation watch asks the status source about. It carries the four items the register already holds.
ALTER TABLE bindings ADD COLUMN cert_der text;
ALTER TABLE bindings ADD COLUMN status_checked_at timestamptz;
ALTER TABLE bindings ADD COLUMN bound_by text;
CREATE INDEX bindings_watch ON bindings(status_checked_at NULLS FIRST) WHERE status = 'active' AND cert_der IS NOT NULL;

CREATE INDEX bind_nonces_expires ON bind_nonces(expires_at);
