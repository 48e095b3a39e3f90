-- Issues 18/19: lifting (解除: the danger is over) beside cancelling (取消: sent in error). Both are a
-- Cancel revision; end_reason says which (contract END_REASONS), and an alert lifted ends 'lifted'.
ALTER TABLE alert_revisions ADD COLUMN end_reason text CHECK (end_reason IN ('lifted', 'sent-in-error'));
ALTER TABLE alerts DROP CONSTRAINT alerts_state_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_state_check
  CHECK (state IN ('draft', 'pending-approval', 'active', 'lifted', 'cancelled', 'expired'));
