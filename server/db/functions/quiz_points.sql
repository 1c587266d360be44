-- The daily cap on quiz points, for submissions (quiz_record_submission) and live results (queries.grantLivePoints)
-- alike. Points count toward the Asia/Shanghai day they were granted on (quiz_attempts.points_day).

CREATE OR REPLACE FUNCTION quiz_points_day() RETURNS date LANGUAGE sql STABLE AS $$
  SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date
$$;

-- Held until the transaction ends by whoever grants a person points, before reading what they have today: the cap
-- holds across concurrent grants. Whoever takes several takes them in user order (no deadlock).
CREATE OR REPLACE FUNCTION quiz_points_lock(p_user bigint) RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtext('quiz-points:' || p_user))
$$;

-- Of p_earned points, what the person may still be granted today under p_cap (run under their quiz_points_lock).
CREATE OR REPLACE FUNCTION quiz_points_granted(p_user bigint, p_earned integer, p_cap integer) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_earned > 0 THEN greatest(0, least(p_earned, p_cap - coalesce(sum(x.points), 0)))::integer ELSE 0 END
    FROM quiz_attempts x WHERE x.user_id = p_user AND x.points_day = quiz_points_day() AND x.points > 0
$$;
