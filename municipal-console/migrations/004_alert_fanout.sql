-- Alert fan-out in chunks (issue 4, performance). A revision is committed as 'fanning-out' before
-- any recipient or delivery row is written; the rows are then written in chunks (people who need
-- help first), each chunk published as soon as it is committed, and the revision becomes
-- 'published' when the last chunk, the area messages and the cancels for TVs no longer targeted
-- are written. Whoever runs the fan-out holds a lease (owner + heartbeat); a fan-out whose
-- heartbeat stopped (the process died) is taken over and resumed by the alert timer.
ALTER TABLE alert_revisions DROP CONSTRAINT alert_revisions_state_check;
ALTER TABLE alert_revisions ADD CONSTRAINT alert_revisions_state_check
  CHECK (state IN ('draft', 'pending-approval', 'fanning-out', 'published', 'rejected', 'superseded'));
ALTER TABLE alert_revisions ADD COLUMN fanout_owner text;
ALTER TABLE alert_revisions ADD COLUMN fanout_at timestamptz;
CREATE INDEX alert_revisions_fanning_out ON alert_revisions(alert_id) WHERE state = 'fanning-out';
