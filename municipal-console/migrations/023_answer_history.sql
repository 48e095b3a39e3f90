-- Issue 19, the rescue list: every answer a resident gave to an alert, in the order the TV gave them
-- (its `at`), so staff see a corrected answer with what it replaced. `answers` keeps the latest;
-- this keeps each one once (a re-sent receipt adds nothing).
CREATE TABLE answer_history (
  alert_id text NOT NULL REFERENCES alerts(id),
  resident_id text NOT NULL REFERENCES residents(id),
  answer text NOT NULL CHECK (answer IN ('evacuating', 'safe-indoors', 'need-help')),
  answered_at timestamptz NOT NULL,
  PRIMARY KEY (alert_id, resident_id, answered_at, answer)
);

-- what was answered before this table existed: the first and the latest answer
INSERT INTO answer_history (alert_id, resident_id, answer, answered_at)
SELECT alert_id, resident_id, answer, answered_at FROM answers
ON CONFLICT DO NOTHING;
