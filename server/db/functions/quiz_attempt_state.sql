-- Where a quiz attempt stands, defined once. Every query that asks whether an attempt is still open, still has time
-- or is overdue calls these (SQL functions: the planner inlines them, so the sweep's test still uses
-- quiz_attempts_open_idx), and every attempt that runs out of time is closed by quiz_expire_attempts.

-- After expires_at a submission is still taken for this long: one sent in time may arrive a little late.
CREATE OR REPLACE FUNCTION quiz_grace() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 seconds' $$;

-- Takes a submission: neither submitted nor expired, and its time plus the grace not over.
CREATE OR REPLACE FUNCTION quiz_attempt_open(p_submitted_at timestamptz, p_expired_at timestamptz, p_expires_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_submitted_at IS NULL AND p_expired_at IS NULL AND p_expires_at >= now() - quiz_grace()
$$;

-- Neither submitted nor expired, yet past its time plus the grace: it can only be closed as expired.
CREATE OR REPLACE FUNCTION quiz_attempt_overdue(p_submitted_at timestamptz, p_expired_at timestamptz, p_expires_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_submitted_at IS NULL AND p_expired_at IS NULL AND p_expires_at < now() - quiz_grace()
$$;

-- Open with time left on its clock (no grace): starting again resumes it rather than drawing a new one; one whose
-- clock has run out is not handed back to be answered.
CREATE OR REPLACE FUNCTION quiz_attempt_in_time(p_submitted_at timestamptz, p_expired_at timestamptz, p_expires_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_submitted_at IS NULL AND p_expired_at IS NULL AND now() < p_expires_at
$$;

-- Closes attempts as taken and failed (so that boards and rates count them): no answer right, a campaign's not
-- passed. Those already submitted or expired are left as they are. Returns the rows it closed.
CREATE OR REPLACE FUNCTION quiz_expire_attempts(p_ids bigint[]) RETURNS SETOF quiz_attempts LANGUAGE sql AS $$
  UPDATE quiz_attempts a SET expired_at = now(), correct_count = 0, score = 0,
         passed = CASE WHEN a.kind = 'campaign' THEN false END
   WHERE a.id = ANY(p_ids) AND a.submitted_at IS NULL AND a.expired_at IS NULL
  RETURNING a.*
$$;
