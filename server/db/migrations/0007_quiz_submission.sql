-- Quiz attempt submission, made cheaper (measured by npm run bench:quizzes): the service reads the attempt with
-- its questions once, grades in the application, and records the result with one call of quiz_record_submission.
--  * An attempt is submitted once, so its Idempotency-Key lives on the attempt (submit_key): a retry with the same
--    key replays the result, any other second submission is refused. No idempotency_keys row per submission.
--  * The function's statements keep their plans per connection (PL/pgSQL), and the attempt row is both the lock
--    and the check: the UPDATE only matches an attempt that is still open and within its time (plus grace).

ALTER TABLE quiz_attempts ADD COLUMN submit_key text;
UPDATE quiz_attempts a SET submit_key = k.key
  FROM idempotency_keys k
 WHERE k.route = 'quiz.submit:' || a.id AND k.user_id = a.user_id AND a.submitted_at IS NOT NULL;
DELETE FROM idempotency_keys WHERE route LIKE 'quiz.submit:%';

-- Outcome: 'recorded' (submitted_at and the points actually granted, after the daily cap), 'replay' (the attempt
-- was submitted with this key before), 'already_submitted', 'expired' (over its time, or ended), 'not_found'.
CREATE FUNCTION quiz_record_submission(
  p_attempt bigint, p_user bigint, p_key text, p_grace_seconds integer, p_answers jsonb,
  p_correct integer, p_score integer, p_passed boolean, p_earned integer, p_daily_cap integer)
RETURNS TABLE (outcome text, submitted_at timestamptz, points integer)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  shanghai_day date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
  today integer := 0;
  granted integer := 0;
  at timestamptz;
BEGIN
  IF p_earned > 0 THEN
    -- the daily cap holds across concurrent submissions of one person
    PERFORM pg_advisory_xact_lock(hashtext('quiz-points:' || p_user));
    SELECT coalesce(sum(qp.points), 0) INTO today FROM quiz_points qp WHERE qp.user_id = p_user AND qp.day = shanghai_day;
    granted := greatest(0, least(p_earned, p_daily_cap - today));
  END IF;

  UPDATE quiz_attempts a
     SET submitted_at = now(), correct_count = p_correct, score = p_score, passed = p_passed, points = granted, submit_key = p_key
   WHERE a.id = p_attempt AND a.user_id = p_user AND a.kind <> 'live'
     AND a.submitted_at IS NULL AND a.expired_at IS NULL
     AND now() <= a.expires_at + make_interval(secs => p_grace_seconds)
  RETURNING a.submitted_at INTO at;
  IF NOT FOUND THEN
    RETURN QUERY
      SELECT CASE WHEN x.id IS NULL THEN 'not_found'
                  WHEN x.submitted_at IS NOT NULL AND x.submit_key = p_key THEN 'replay'
                  WHEN x.submitted_at IS NOT NULL THEN 'already_submitted'
                  ELSE 'expired' END,
             x.submitted_at, x.points
        FROM (SELECT NULL) one LEFT JOIN quiz_attempts x ON x.id = p_attempt AND x.user_id = p_user;
    RETURN;
  END IF;

  INSERT INTO quiz_attempt_answers (attempt_id, question_id, user_id, given, correct)
  SELECT p_attempt, g.q, p_user, g.given, g.correct FROM jsonb_to_recordset(p_answers) AS g(q bigint, given jsonb, correct boolean);
  IF granted > 0 THEN
    INSERT INTO quiz_points (user_id, attempt_id, day, points) VALUES (p_user, p_attempt, shanghai_day, granted);
  END IF;
  RETURN QUERY SELECT 'recorded', at, granted;
END
$fn$;
