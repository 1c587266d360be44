-- Quiz submission in one round trip and one row (measured by npm run bench:quizzes).
--  * session_user_id: the signed-in user of a token hash, for a busy statement that checks the session itself when
--    the API process does not remember the caller (server/lib/caller.ts), instead of a lookup round trip before it.
--  * Concurrent submissions go to the database in batches (server/modules/quizzes/submission-batch.ts).
--  * An attempt's answers and its points live on the attempt row: a submission updates that one row instead of
--    also inserting a row per question and a ledger row (each with its index entries). quiz_attempt_answers and
--    quiz_points stay as views, so what reads them (result pages, 错题本, points, boards) reads the same rows.
--  * quiz_attempts_campaign_idx is dropped: no query could use it (the boards ask for submitted OR expired
--    attempts; per-campaign lookups use quiz_attempts_campaign_no_uniq), yet every submission added to it.

-- PL/pgSQL, not SQL: a SQL function with a query is planned again on every call; this one keeps its plan.
CREATE FUNCTION session_user_id(p_token_hash text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT s.user_id FROM sessions s WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now());
END
$$;

DROP INDEX quiz_attempts_campaign_idx;

-- answers: [{"q": question id, "given": [option indexes], "correct": bool, "at": answered at (live only)}], the
-- answers given; a drawn question without one counts as wrong (the view below says so). points_day: the
-- Asia/Shanghai day the attempt's points count toward the daily cap.
ALTER TABLE quiz_attempts ADD COLUMN answers jsonb, ADD COLUMN points_day date;

UPDATE quiz_attempts a
   SET answers = (SELECT jsonb_agg(jsonb_build_object('q', x.question_id, 'given', x.given, 'correct', x.correct, 'at', x.answered_at)
                                   ORDER BY array_position(a.question_ids, x.question_id))
                    FROM quiz_attempt_answers x WHERE x.attempt_id = a.id)
 WHERE EXISTS (SELECT 1 FROM quiz_attempt_answers x WHERE x.attempt_id = a.id);
UPDATE quiz_attempts a SET points_day = p.day, points = p.points FROM quiz_points p WHERE p.attempt_id = a.id;
UPDATE quiz_attempts SET points = 0 WHERE points_day IS NULL AND points <> 0;
ALTER TABLE quiz_attempts ADD CHECK ((points > 0) = (points_day IS NOT NULL));

DROP TABLE quiz_attempt_answers;
DROP TABLE quiz_points;

-- every question of a submitted (or live) attempt, in the order drawn; one not answered is wrong, given nothing
CREATE VIEW quiz_attempt_answers AS
  SELECT a.id AS attempt_id, d.q AS question_id, a.user_id, coalesce(x.given, '[]') AS given, coalesce(x.correct, false) AS correct,
         coalesce(x.at, a.submitted_at, a.expired_at, a.started_at) AS answered_at, d.i AS position
    FROM quiz_attempts a
   CROSS JOIN LATERAL unnest(a.question_ids) WITH ORDINALITY AS d(q, i)
    LEFT JOIN LATERAL jsonb_to_recordset(a.answers) AS x(q bigint, given jsonb, correct boolean, at timestamptz) ON x.q = d.q
   WHERE a.answers IS NOT NULL;

CREATE VIEW quiz_points AS
  SELECT a.id AS attempt_id, a.user_id, a.points_day AS day, a.points, coalesce(a.submitted_at, a.started_at) AS created_at
    FROM quiz_attempts a
   WHERE a.points > 0;

-- the daily cap's sum: a person's attempts of one day
CREATE INDEX quiz_attempts_points_day_idx ON quiz_attempts (user_id, points_day) WHERE points > 0;

-- The submission, lighter than 0007's: the service has graded the answers (p_correct of them right) and names the
-- questions answered (p_question_ids); what needs the attempt row stays here, under its lock. Outcomes as in 0007
-- ('not_found' also when p_user is NULL: no valid session). Concurrent submissions are sent in batches, one
-- statement for several (queries.recordSubmissions), so the locks come in one order: the person's points lock
-- first, then the attempt; a batch goes through its people in id order.
DROP FUNCTION quiz_record_submission(bigint, bigint, text, jsonb, jsonb);
CREATE FUNCTION quiz_record_submission(p_attempt bigint, p_user bigint, p_key text, p_answers jsonb,
                                       p_question_ids bigint[], p_correct integer, p_rules jsonb)
RETURNS TABLE (outcome text, bad_question bigint, kind text, campaign_id bigint, attempt_no integer, question_ids bigint[],
               started_at timestamptz, submitted_at timestamptz, total integer, correct_count integer, score integer,
               passed boolean, pass_score integer, points integer)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  a record;
  result text := 'recorded';
  earned integer;
  today integer;
  granted integer := 0;
  v_score integer;
  v_passed boolean;
  v_day date;
BEGIN
  IF p_user IS NULL THEN
    outcome := 'not_found';
    RETURN NEXT;
    RETURN;
  END IF;
  -- the daily cap holds across concurrent submissions of one person (and live results, queries.grantLivePoints)
  PERFORM pg_advisory_xact_lock(hashtext('quiz-points:' || p_user));
  SELECT x.*, c.pass_score AS pass INTO a
    FROM quiz_attempts x LEFT JOIN quiz_campaigns c ON c.id = x.campaign_id
   WHERE x.id = p_attempt AND x.user_id = p_user
     FOR UPDATE OF x;
  IF NOT FOUND THEN
    outcome := 'not_found';
    RETURN NEXT;
    RETURN;
  END IF;
  pass_score := a.pass;

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
    RETURNING x.* INTO a;
    result := 'expired';
  ELSIF NOT (p_question_ids <@ a.question_ids) THEN
    result := 'not_drawn';
    bad_question := (SELECT q FROM unnest(p_question_ids) AS q WHERE NOT (q = ANY(a.question_ids)) LIMIT 1);
  END IF;

  IF result = 'recorded' THEN
    v_score := CASE WHEN a.total > 0 THEN round(100.0 * p_correct / a.total)::integer ELSE 0 END;
    v_passed := CASE WHEN a.kind = 'campaign' THEN v_score >= coalesce(pass_score, 0) END;
    earned := CASE WHEN a.kind = 'campaign'
                   THEN p_correct * (p_rules ->> 'perCorrectCampaign')::integer + CASE WHEN v_passed THEN (p_rules ->> 'passBonus')::integer ELSE 0 END
                   ELSE p_correct * (p_rules ->> 'perCorrectPractice')::integer END;
    IF earned > 0 THEN
      v_day := (now() AT TIME ZONE 'Asia/Shanghai')::date;
      SELECT coalesce(sum(x.points), 0) INTO today FROM quiz_attempts x
       WHERE x.user_id = p_user AND x.points_day = v_day AND x.points > 0;
      granted := greatest(0, least(earned, (p_rules ->> 'dailyCap')::integer - today));
    END IF;
    UPDATE quiz_attempts x
       SET submitted_at = now(), correct_count = p_correct, score = v_score, passed = v_passed, points = granted,
           points_day = CASE WHEN granted > 0 THEN v_day END, submit_key = p_key, answers = p_answers
     WHERE x.id = p_attempt
    RETURNING x.* INTO a;
  END IF;

  outcome := result;
  kind := a.kind;
  campaign_id := a.campaign_id;
  attempt_no := a.attempt_no;
  question_ids := a.question_ids;
  started_at := a.started_at;
  submitted_at := a.submitted_at;
  total := a.total;
  correct_count := a.correct_count;
  score := a.score;
  passed := a.passed;
  points := a.points;
  RETURN NEXT;
END
$fn$;
