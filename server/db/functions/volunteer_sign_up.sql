-- The end of a volunteer's sign-up block (repeated no-shows), or NULL: p_limit no-shows (a confirmed place on an
-- ended shift without a check-in, or marked absent) within p_window_days block sign-up for p_block_days after the
-- last of them. One definition, read by 我的志愿 and by volunteer_sign_up. PL/pgSQL, not SQL: a SQL function with a
-- query is planned again on every call (a fifth of a sign-up's time); this one keeps its plan.
CREATE OR REPLACE FUNCTION volunteer_no_show_block_until(p_user bigint, p_limit integer, p_window_days integer, p_block_days integer)
RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN (
    SELECT max(t) + make_interval(days => p_block_days) FROM (
      SELECT t, count(*) OVER (ORDER BY t RANGE BETWEEN make_interval(days => p_window_days) PRECEDING AND CURRENT ROW) AS n
        FROM (SELECT sh.ends_at AS t FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
               WHERE su.user_id = p_user AND su.status = 'confirmed' AND sh.ends_at < now()
                 AND (su.attendance = 'no_show' OR (su.attendance IS NULL AND su.checked_in_at IS NULL))) ns) w
     WHERE n >= p_limit AND t + make_interval(days => p_block_days) > now());
END
$fn$;

-- A sign-up in one round trip, every check and the write under two row locks: the volunteer's first (two sign-ups of
-- one volunteer to overlapping shifts cannot both pass the overlap check), then the shift's (the confirmed count read
-- after it is the latest in every API process, so places never exceed capacity; the waitlist's order is the order the
-- lock was granted, the row id). Checks in the order the API reports them; the outcome names the first that failed:
--   no_session | not_volunteer | volunteer_pending | volunteer_suspended | shift_not_found | activity_cancelled | other_region
--   | signup_closed | already | overlap | blocked (blocked_until) | confirmed | waitlisted (signup_id, waitlist_position)
-- The region rule: the activity's region is the volunteer's community or one of the regions above it.
-- p_user is the caller when the API process remembers the session; otherwise NULL, and the session of p_token_hash is
-- checked here (outcome no_session when there is none), saving a lookup's round trip before the statement.
-- enable_seqscan off: every statement here is a lookup by key. PL/pgSQL keeps one generic plan per connection, and a
-- plan made while volunteer_signups was nearly empty (a sequential scan is cheapest then) was kept as it grew — no
-- ANALYZE comes where autovacuum is off, as on our CI machine — so each sign-up cost more than the last (measured:
-- 1.0 ms of database CPU per sign-up in the first bench round, 1.8 ms in the second; 0.35 ms with the index paths).
-- p_waiting: how many wait for this shift, when the caller knows it under the shift's lock (a batch's earlier
-- sign-up to it); NULL: counted here — a count that grows with the waitlist, so a batch counts once per shift.
CREATE OR REPLACE FUNCTION volunteer_sign_up_at(p_user bigint, p_token_hash text, p_shift bigint, p_no_show_limit integer, p_window_days integer, p_block_days integer, p_waiting integer)
RETURNS TABLE (outcome text, signup_id bigint, waitlist_position integer, blocked_until timestamptz)
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  v record;
  s record;
  own record;
  until timestamptz;
  new_id bigint;
  pos integer;
BEGIN
  p_user := coalesce(p_user, session_user_id(p_token_hash));
  IF p_user IS NULL THEN
    RETURN QUERY SELECT 'no_session', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  END IF;
  SELECT vo.status, vo.community_code INTO v FROM volunteers vo WHERE vo.user_id = p_user FOR UPDATE;
  IF NOT FOUND OR v.status IN ('rejected', 'left') THEN
    RETURN QUERY SELECT 'not_volunteer', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF v.status = 'pending' THEN
    RETURN QUERY SELECT 'volunteer_pending', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF v.status = 'suspended' THEN
    RETURN QUERY SELECT 'volunteer_suspended', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  END IF;

  SELECT sh.starts_at, sh.ends_at, sh.capacity, sh.confirmed, now() >= sh.signup_deadline AS closed, a.status AS activity_status, a.region_code
    INTO s FROM volunteer_shifts sh JOIN volunteer_activities a ON a.id = sh.activity_id WHERE sh.id = p_shift FOR UPDATE OF sh;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'shift_not_found', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF s.activity_status <> 'published' THEN
    RETURN QUERY SELECT 'activity_cancelled', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF NOT EXISTS (
    WITH RECURSIVE up AS (SELECT r.code, r.parent_code FROM regions r WHERE r.code = v.community_code
                          UNION ALL SELECT r.code, r.parent_code FROM regions r JOIN up ON r.code = up.parent_code)
    SELECT 1 FROM up WHERE up.code = s.region_code) THEN
    RETURN QUERY SELECT 'other_region', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF s.closed THEN
    RETURN QUERY SELECT 'signup_closed', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  END IF;

  -- the volunteer's own places in one probe (volunteer_signups_user_live_idx): this shift, an overlapping one, and
  -- whether there are no-shows enough to look for a block at all
  SELECT coalesce(bool_or(su.shift_id = p_shift), false) AS already,
         coalesce(bool_or(su.shift_id <> p_shift AND sh.starts_at < s.ends_at AND sh.ends_at > s.starts_at), false) AS overlap,
         count(*) FILTER (WHERE su.status = 'confirmed' AND sh.ends_at < now()
                            AND (su.attendance = 'no_show' OR (su.attendance IS NULL AND su.checked_in_at IS NULL))) AS no_shows
    INTO own FROM volunteer_signups su JOIN volunteer_shifts sh ON sh.id = su.shift_id
   WHERE su.user_id = p_user AND su.status IN ('confirmed', 'waitlisted');
  IF own.already THEN
    RETURN QUERY SELECT 'already', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  ELSIF own.overlap THEN
    RETURN QUERY SELECT 'overlap', NULL::bigint, NULL::integer, NULL::timestamptz; RETURN;
  END IF;
  IF own.no_shows >= p_no_show_limit THEN
    until := volunteer_no_show_block_until(p_user, p_no_show_limit, p_window_days, p_block_days);
    IF until IS NOT NULL THEN
      RETURN QUERY SELECT 'blocked', NULL::bigint, NULL::integer, until; RETURN;
    END IF;
  END IF;

  IF s.confirmed < s.capacity THEN
    INSERT INTO volunteer_signups (shift_id, user_id, status) VALUES (p_shift, p_user, 'confirmed') RETURNING id INTO new_id;
    UPDATE volunteer_shifts SET confirmed = confirmed + 1 WHERE id = p_shift;
    RETURN QUERY SELECT 'confirmed', new_id, NULL::integer, NULL::timestamptz;
  ELSE
    INSERT INTO volunteer_signups (shift_id, user_id, status) VALUES (p_shift, p_user, 'waitlisted') RETURNING id INTO new_id;
    IF p_waiting IS NULL THEN
      SELECT count(*)::integer INTO pos FROM volunteer_signups su WHERE su.shift_id = p_shift AND su.status = 'waitlisted';
    ELSE
      pos := p_waiting + 1;
    END IF;
    RETURN QUERY SELECT 'waitlisted', new_id, pos, NULL::timestamptz;
  END IF;
END
$fn$;

-- Sign-ups that arrive together, in one statement and one commit (server/modules/volunteers/signup-batch.ts): a hot
-- shift's lock is taken once for all its sign-ups in the batch instead of once per commit. p_items: in arrival order,
-- [{"u": user id or null, "t": token hash, "s": shift id}]; one row per item, `ord` its index, the outcome as
-- volunteer_sign_up_at gives it. Locks: every volunteer of the batch first, in user id order, then the shifts in id order
-- (items taken by shift, and by arrival within a shift — the waitlist's order). Every sign-up takes a volunteer's
-- lock before a shift's, and a batch takes each kind in one order, so two batches never wait for each other in a circle.
CREATE OR REPLACE FUNCTION volunteer_sign_up_batch(p_items jsonb, p_no_show_limit integer, p_window_days integer, p_block_days integer)
RETURNS TABLE (ord integer, outcome text, signup_id bigint, waitlist_position integer, blocked_until timestamptz)
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
  users bigint[];
  tokens text[];
  shifts bigint[];
  k integer;
  r record;
  shift bigint;
  waiting integer;
BEGIN
  SELECT array_agg(coalesce((e.x->>'u')::bigint, session_user_id(e.x->>'t')) ORDER BY e.i),
         array_agg(e.x->>'t' ORDER BY e.i), array_agg((e.x->>'s')::bigint ORDER BY e.i)
    INTO users, tokens, shifts
    FROM jsonb_array_elements(p_items) WITH ORDINALITY e(x, i);
  PERFORM 1 FROM volunteers vo WHERE vo.user_id = ANY(users) ORDER BY vo.user_id FOR UPDATE;
  FOR k IN SELECT i FROM generate_subscripts(shifts, 1) i ORDER BY shifts[i], i LOOP
    IF shifts[k] IS DISTINCT FROM shift THEN
      shift := shifts[k];
      waiting := NULL;
    END IF;
    -- an item whose session was not found goes in with NULL and the token, and comes out no_session
    SELECT * INTO r FROM volunteer_sign_up_at(users[k], tokens[k], shifts[k], p_no_show_limit, p_window_days, p_block_days, waiting) s;
    -- the shift's lock is ours until the commit: the next one waiting here is one further back
    IF r.outcome = 'waitlisted' THEN waiting := r.waitlist_position; END IF;
    RETURN QUERY SELECT k - 1, r.outcome, r.signup_id, r.waitlist_position, r.blocked_until;
  END LOOP;
END
$fn$;
