-- The purpose of a disclosure as a code (and the policy it concerns), not English prose: the
-- resident reads the disclosure log on the TV in their own language, which renders the code.
ALTER TABLE gw_disclosures ADD COLUMN purpose_code text NOT NULL DEFAULT 'other' CHECK (purpose_code IN ('enrolment', 'other'));
ALTER TABLE gw_disclosures ADD COLUMN policy text;
-- Rows written before this migration carry the enrolment's purpose as text only.
UPDATE gw_disclosures SET purpose_code = 'enrolment', policy = substring(purpose from '^policy (.*): enrolment')
  WHERE purpose LIKE 'policy %: enrolment%';
