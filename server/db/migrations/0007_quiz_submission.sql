-- Quiz attempt submission in one call (measured by npm run bench:quizzes). The application checks each given answer
-- against the question (kept in memory per process) and sends it marked right or wrong; quiz_record_submission does
-- what needs the attempt row, under its lock: state, owner and time checks, the drawn-question check, the score,
-- pass/fail, the points under the daily cap, and the answers. Its statements keep their plans per connection.
--  * An attempt is submitted once, so its Idempotency-Key lives on the attempt (submit_key): a retry with the same
--    key replays the result, any other second submission is refused. No idempotency_keys row per submission.
--  * quiz_attempt_answers.user_id and .question_id copy what the attempt row already guarantees (its user, its
--    drawn questions, which are retired but never deleted): their foreign keys only cost two checks per answer.

ALTER TABLE quiz_attempts ADD COLUMN submit_key text;
UPDATE quiz_attempts a SET submit_key = k.key
  FROM idempotency_keys k
 WHERE k.route = 'quiz.submit:' || a.id AND k.user_id = a.user_id AND a.submitted_at IS NOT NULL;
DELETE FROM idempotency_keys WHERE route LIKE 'quiz.submit:%';

ALTER TABLE quiz_attempt_answers DROP CONSTRAINT quiz_attempt_answers_question_id_fkey;
ALTER TABLE quiz_attempt_answers DROP CONSTRAINT quiz_attempt_answers_user_id_fkey;

-- p_answers: [{"q": question id, "given": [option indexes], "correct": bool}] for the questions answered.
-- p_rules: {"graceSeconds", "perCorrectCampaign", "perCorrectPractice", "passBonus", "dailyCap"} (set in the service).
-- Outcome: 'recorded' | 'replay' (submitted before with this key) | 'already_submitted' | 'expired' (over its
-- time: marked expired now, committed) | 'ended' (expired earlier) | 'live' (not submitted this way) |
-- 'not_drawn' (bad_question names the first answered question the attempt did not draw) | 'not_found'.
-- With the outcome comes the attempt as it stands afterwards.
CREATE FUNCTION quiz_record_submission(p_attempt bigint, p_user bigint, p_key text, p_answers jsonb, p_rules jsonb)
RETURNS TABLE (outcome text, bad_question bigint, kind text, campaign_id bigint, attempt_no integer, question_ids bigint[],
               started_at timestamptz, submitted_at timestamptz, total integer, correct_count integer, score integer,
               passed boolean, pass_score integer, points integer)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  a quiz_attempts%ROWTYPE;
  pass integer;
  result text := 'recorded';
  stray bigint;
  n_correct integer;
  v_score integer;
  v_passed boolean;
  earned integer;
  today integer;
  granted integer := 0;
BEGIN
  SELECT * INTO a FROM quiz_attempts x WHERE x.id = p_attempt AND x.user_id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text, NULL::bigint, NULL::integer, NULL::bigint[], NULL::timestamptz,
                        NULL::timestamptz, NULL::integer, NULL::integer, NULL::integer, NULL::boolean, NULL::integer, NULL::integer;
    RETURN;
  END IF;
  SELECT c.pass_score INTO pass FROM quiz_campaigns c WHERE c.id = a.campaign_id;

  IF a.submitted_at IS NOT NULL THEN
    result := CASE WHEN a.submit_key = p_key THEN 'replay' ELSE 'already_submitted' END;
  ELSIF a.expired_at IS NOT NULL THEN
    result := 'ended';
  ELSIF a.kind = 'live' THEN
    result := 'live';
  ELSIF now() > a.expires_at + make_interval(secs => (p_rules ->> 'graceSeconds')::integer) THEN
    -- committed with the refusal: the attempt is over whatever the client does next
    UPDATE quiz_attempts x SET expired_at = now(), correct_count = 0, score = 0,
           passed = CASE WHEN x.kind = 'campaign' THEN false ELSE NULL END
     WHERE x.id = p_attempt
    RETURNING * INTO a;
    result := 'expired';
  ELSE
    SELECT g.q INTO stray FROM jsonb_to_recordset(p_answers) AS g(q bigint) WHERE NOT (g.q = ANY(a.question_ids)) LIMIT 1;
    IF stray IS NOT NULL THEN
      result := 'not_drawn';
    END IF;
  END IF;

  IF result = 'recorded' THEN
    SELECT count(*) INTO n_correct FROM jsonb_to_recordset(p_answers) AS g(q bigint, correct boolean) WHERE g.correct;
    v_score := CASE WHEN a.total > 0 THEN round(100.0 * n_correct / a.total)::integer ELSE 0 END;
    v_passed := CASE WHEN a.kind = 'campaign' THEN v_score >= coalesce(pass, 0) END;
    earned := CASE WHEN a.kind = 'campaign'
                   THEN n_correct * (p_rules ->> 'perCorrectCampaign')::integer + CASE WHEN v_passed THEN (p_rules ->> 'passBonus')::integer ELSE 0 END
                   ELSE n_correct * (p_rules ->> 'perCorrectPractice')::integer END;
    IF earned > 0 THEN
      -- the daily cap holds across concurrent submissions of one person
      PERFORM pg_advisory_xact_lock(hashtext('quiz-points:' || p_user));
      SELECT coalesce(sum(qp.points), 0) INTO today
        FROM quiz_points qp WHERE qp.user_id = p_user AND qp.day = (now() AT TIME ZONE 'Asia/Shanghai')::date;
      granted := greatest(0, least(earned, (p_rules ->> 'dailyCap')::integer - today));
    END IF;
    UPDATE quiz_attempts x
       SET submitted_at = now(), correct_count = n_correct, score = v_score, passed = v_passed, points = granted, submit_key = p_key
     WHERE x.id = p_attempt
    RETURNING * INTO a;
    -- every drawn question gets a row: one not answered counts as wrong (and shows in the 错题本)
    INSERT INTO quiz_attempt_answers (attempt_id, question_id, user_id, given, correct)
    SELECT p_attempt, d.q, p_user, coalesce(g.given, '[]'), coalesce(g.correct, false)
      FROM unnest(a.question_ids) AS d(q) LEFT JOIN jsonb_to_recordset(p_answers) AS g(q bigint, given jsonb, correct boolean) ON g.q = d.q;
    IF granted > 0 THEN
      INSERT INTO quiz_points (user_id, attempt_id, day, points)
      VALUES (p_user, p_attempt, (now() AT TIME ZONE 'Asia/Shanghai')::date, granted);
    END IF;
  END IF;

  RETURN QUERY SELECT result, stray, a.kind, a.campaign_id, a.attempt_no, a.question_ids, a.started_at, a.submitted_at,
                      a.total, a.correct_count, a.score, a.passed, pass, a.points;
END
$fn$;
