-- Volunteers (issue 13): applications, activities with shifts, sign-ups with a waitlist, attendance, an hours ledger.

-- One application per account; its status is the volunteer's standing. Real name and phone are personal data
-- (server/modules/accounts/personal-data.ts): 注销 empties them.
CREATE TABLE volunteers (
  user_id         bigint PRIMARY KEY REFERENCES users(id),
  real_name       text,
  phone           text,
  skills          text[] NOT NULL DEFAULT '{}',
  availability    text NOT NULL DEFAULT '',
  community_code  text NOT NULL REFERENCES regions(code),
  pledge_agreed_at timestamptz NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'left', 'suspended')),
  decided_by      bigint REFERENCES users(id),
  decided_at      timestamptz,
  decision_reason text,
  applied_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteers_community_status_idx ON volunteers (community_code, status);

CREATE TABLE volunteer_activities (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type          text NOT NULL CHECK (type IN ('traffic', 'waste', 'cleaning', 'tourism', 'elderly')),
  title         text NOT NULL,
  description   text NOT NULL,
  lng           double precision NOT NULL,
  lat           double precision NOT NULL,
  radius_m      integer NOT NULL CHECK (radius_m BETWEEN 10 AND 5000),
  address       text NOT NULL,
  region_code   text NOT NULL REFERENCES regions(code),
  requirements  text NOT NULL DEFAULT '',
  status        text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'cancelled')),
  created_by    bigint NOT NULL REFERENCES users(id),
  cancelled_by  bigint REFERENCES users(id),
  cancelled_at  timestamptz,
  cancel_reason text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteer_activities_region_idx ON volunteer_activities (region_code, id DESC);

-- `confirmed` is kept by the same transaction that changes a sign-up, under the shift's row lock; the CHECK is
-- the last word should any path forget the lock.
CREATE TABLE volunteer_shifts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  activity_id     bigint NOT NULL REFERENCES volunteer_activities(id),
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
  confirmed       integer NOT NULL DEFAULT 0,
  signup_deadline timestamptz NOT NULL,
  cancel_deadline timestamptz NOT NULL,
  CHECK (ends_at > starts_at),
  CHECK (signup_deadline <= starts_at AND cancel_deadline <= starts_at),
  CHECK (confirmed >= 0 AND confirmed <= capacity)
);
CREATE INDEX volunteer_shifts_activity_idx ON volunteer_shifts (activity_id, starts_at);

-- The id is the arrival order: sign-ups to one shift are inserted one after another under its row lock.
CREATE TABLE volunteer_signups (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shift_id         bigint NOT NULL REFERENCES volunteer_shifts(id),
  user_id          bigint NOT NULL REFERENCES users(id),
  status           text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'released')),
  promoted_at      timestamptz,
  cancelled_at     timestamptz,
  checked_in_at    timestamptz,
  check_in_method  text CHECK (check_in_method IN ('code', 'location', 'manual')),
  checked_out_at   timestamptz,
  check_out_method text CHECK (check_out_method IN ('code', 'location', 'manual')),
  attendance       text CHECK (attendance IN ('attended', 'no_show')),
  -- wrong 6-digit codes typed for this place: past a limit only the QR token, location or the worker will do
  code_failures    integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX volunteer_signups_live_uniq ON volunteer_signups (shift_id, user_id) WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX volunteer_signups_user_idx ON volunteer_signups (user_id, status);
CREATE INDEX volunteer_signups_waitlist_idx ON volunteer_signups (shift_id, id) WHERE status = 'waitlisted';

-- Hours are never a field typed over: every credit, correction and honorary grant is an entry with its actor
-- (NULL: credited by the server at check-out) and reason; a total is a sum.
CREATE TABLE volunteer_hours (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id),
  signup_id  bigint REFERENCES volunteer_signups(id),
  kind       text NOT NULL CHECK (kind IN ('credited', 'correction', 'honorary')),
  minutes    integer NOT NULL CHECK (minutes BETWEEN -100000 AND 100000 AND minutes <> 0),
  actor_id   bigint REFERENCES users(id),
  reason     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'credited' OR signup_id IS NOT NULL)
);
CREATE INDEX volunteer_hours_user_idx ON volunteer_hours (user_id, id);
-- a shift is credited once, whichever of check-out and the worker's hand gets there first
CREATE UNIQUE INDEX volunteer_hours_credit_uniq ON volunteer_hours (signup_id) WHERE kind = 'credited';
