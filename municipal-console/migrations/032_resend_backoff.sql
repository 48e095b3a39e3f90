-- Issue 22: the re-sender backs off per TV. How many times this revision was re-sent to the TV
-- (0 after each new revision or cancel); the next re-send waits resend-after × 2^min(resends, 2).
ALTER TABLE deliveries ADD COLUMN resends integer NOT NULL DEFAULT 0;
