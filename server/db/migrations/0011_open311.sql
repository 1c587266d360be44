-- Open311 as city systems (FixMyStreet's perllib/Open311.pm) speak it.
-- What a key may read: without read_private an Open311 read gets what anyone gets (rounded coordinates, no photos);
-- extended_statuses: FixMyStreet's detailed statuses (FIXED, DUPLICATE, …) instead of open/closed.
ALTER TABLE open311_keys
  ADD COLUMN read_private boolean NOT NULL DEFAULT false,
  ADD COLUMN extended_statuses boolean NOT NULL DEFAULT false;

-- The person a city system filed a request for (first_name, last_name, email, phone): staff-only, never published.
CREATE TABLE open311_submitters (
  report_id  bigint PRIMARY KEY REFERENCES reports(id),
  key_id     bigint NOT NULL REFERENCES open311_keys(id),
  first_name text,
  last_name  text,
  email      text,
  phone      text
);

-- Comments posted to servicerequestupdates: the client's own update_id, once per key, names the 台账 entry made for it
-- (a retried POST answers the same update_id instead of adding the comment twice).
CREATE TABLE open311_updates (
  key_id      bigint NOT NULL REFERENCES open311_keys(id),
  external_id text NOT NULL,
  event_id    bigint NOT NULL REFERENCES report_events(id),
  PRIMARY KEY (key_id, external_id)
);

-- servicerequestupdates reads the 台账 by time
CREATE INDEX report_events_created_idx ON report_events (created_at, id);
