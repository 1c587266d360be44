-- Volunteers (issue 13), second part: certificates and the day-before reminders.

-- A certificate is a snapshot: the hours and activities of the ledger when it was issued, never recomputed. The
-- number is random (not the row id), so that numbers cannot be walked through on the public verification page.
-- real_name is personal data (server/modules/volunteers/personal-data.ts): 注销 empties it; the record of hours stays.
CREATE TABLE volunteer_certificates (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number          text NOT NULL UNIQUE CHECK (number ~ '^ZY[0-9]{6}[0-9A-HJKMNP-TV-Z]{10}$'),
  user_id         bigint NOT NULL REFERENCES users(id),
  real_name       text,
  community_code  text NOT NULL REFERENCES regions(code),
  issuer          text NOT NULL,
  total_minutes   integer NOT NULL CHECK (total_minutes > 0),
  services        integer NOT NULL CHECK (services >= 0),
  -- [{ "title": …, "type": …, "minutes": … }], the activities with the most credited time first (at most 5)
  activities      jsonb NOT NULL,
  issued_by       bigint NOT NULL REFERENCES users(id),
  issued_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteer_certificates_user_idx ON volunteer_certificates (user_id, id DESC);

-- One row per (shift, volunteer, kind): the job that sends reminders inserts it with ON CONFLICT DO NOTHING and
-- sends only what its own insert returned, so two API processes running the job never both send one.
CREATE TABLE volunteer_reminders (
  shift_id   bigint NOT NULL REFERENCES volunteer_shifts(id),
  user_id    bigint NOT NULL REFERENCES users(id),
  kind       text NOT NULL CHECK (kind IN ('reminder')),
  sent_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shift_id, user_id, kind)
);
-- the job's scan: confirmed places on shifts starting soon
CREATE INDEX volunteer_shifts_starts_idx ON volunteer_shifts (starts_at);
