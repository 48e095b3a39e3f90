-- Issue 20: JMA disaster XML (防災情報XML) turned into level suggestions for staff (municipal-console/src/jma/).

-- The municipality's own JMA area codes: 市町村等 (7 digits), 市町村等をまとめた地域等 (6 digits), or a
-- designated river's code; a document's entries for other codes are none of its business.
CREATE TABLE jma_areas (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{4,16}$'),
  name text NOT NULL
);

-- Which zones a hazard concerns (川辺 → flood, 山手 → landslide, 港 → storm-surge). A hazard no zone
-- lists concerns every zone.
CREATE TABLE zone_hazards (
  zone_id text NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  hazard text NOT NULL,
  PRIMARY KEY (zone_id, hazard)
);

-- Where each stream of documents stands (one stream: the same Control/Title, PublishingOffice and
-- EventID): an older or repeated document changes nothing.
CREATE TABLE jma_streams (
  stream text PRIMARY KEY,
  report_at timestamptz NOT NULL,
  serial integer,
  info_type text NOT NULL,
  received_at timestamptz NOT NULL
);

-- One suggestion per hazard a document raises for the municipality. Only the open ones are shown;
-- a later document of the stream supersedes them, a 取消 withdraws them.
CREATE TABLE jma_suggestions (
  id text PRIMARY KEY,
  stream text NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'superseded', 'withdrawn')),
  level integer NOT NULL CHECK (level BETWEEN 3 AND 5),
  hazard text NOT NULL,
  kinds text[] NOT NULL,
  zones text[] NOT NULL,
  area_names text[] NOT NULL,
  exercise boolean NOT NULL,
  title text NOT NULL,
  headline text NOT NULL,
  office text NOT NULL,
  event_id text NOT NULL,
  report_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  closed_at timestamptz,
  draft_alert text
);
CREATE INDEX jma_suggestions_open ON jma_suggestions (stream) WHERE state = 'open';
