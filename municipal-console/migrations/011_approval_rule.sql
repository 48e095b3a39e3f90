-- Issue 24: an approval binds to what the approver was shown, and one municipality setting says
-- which changes need a second person (src/alerts/approval-rule.ts, docs/OPERATIONS.md).

-- How many TVs, residents and zones a revision reached when it was submitted for approval: part of
-- its digest (src/alerts/approval-digest.ts), shown on the approval page.
ALTER TABLE alert_revisions ADD COLUMN counts jsonb;

-- The approval rule: one row. A change is proposed by one admin and takes effect only when a
-- different admin confirms it (proposed_*), both audited.
CREATE TABLE approval_rule (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  rule text NOT NULL DEFAULT 'actual' CHECK (rule IN ('all', 'actual', 'actual-4-5')),
  set_by text,
  confirmed_by text,
  set_at timestamptz,
  proposed_rule text CHECK (proposed_rule IN ('all', 'actual', 'actual-4-5')),
  proposed_by text,
  proposed_at timestamptz
);
INSERT INTO approval_rule DEFAULT VALUES;
