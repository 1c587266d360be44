-- Quiz submission in one round trip and one row (measured by npm run bench:quizzes).
--  * session_user_id: the signed-in user of a token hash, for a busy statement that checks the session itself when
--    the API process does not remember the caller (server/lib/caller.ts), instead of a lookup round trip before it.
--  * An attempt's answers and its points live on the attempt row: a submission updates that one row instead of
--    also inserting a row per question and a ledger row (each with its index entries). quiz_attempt_answers and
--    quiz_points stay as views, so what reads them (result pages, 错题本, points, boards) reads the same rows.
--  * quiz_attempts_campaign_idx is dropped: no query could use it (the boards ask for submitted OR expired
--    attempts; per-campaign lookups use quiz_attempts_campaign_no_uniq), yet every submission added to it.

CREATE FUNCTION session_user_id(p_token_hash text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT s.user_id FROM sessions s WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
$$;

DROP INDEX quiz_attempts_campaign_idx;

-- answers: [{"q": question id, "given": [option indexes], "correct": bool, "at": answered at (live only)}] in the
-- order the questions were drawn, every drawn (or, live, asked) question included. points_day: the Asia/Shanghai
-- day the attempt's points count toward the daily cap.
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

CREATE VIEW quiz_attempt_answers AS
  SELECT a.id AS attempt_id, x.q AS question_id, a.user_id, x.given, x.correct,
         coalesce(x.at, a.submitted_at, a.expired_at, a.started_at) AS answered_at
    FROM quiz_attempts a CROSS JOIN LATERAL jsonb_to_recordset(a.answers) AS x(q bigint, given jsonb, correct boolean, at timestamptz)
   WHERE a.answers IS NOT NULL;

CREATE VIEW quiz_points AS
  SELECT a.id AS attempt_id, a.user_id, a.points_day AS day, a.points, coalesce(a.submitted_at, a.started_at) AS created_at
    FROM quiz_attempts a
   WHERE a.points > 0;

-- the daily cap's sum: a person's attempts of one day
CREATE INDEX quiz_attempts_points_day_idx ON quiz_attempts (user_id, points_day) WHERE points > 0;

CREATE OR REPLACE FUNCTION quiz_record_submission(p_attempt bigint, p_user bigint, p_key text, p_answers jsonb, p_rules jsonb)
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
  v_day date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
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
      -- the daily cap holds across concurrent submissions of one person (and live results, queries.grantLivePoints)
      PERFORM pg_advisory_xact_lock(hashtext('quiz-points:' || p_user));
      SELECT coalesce(sum(x.points), 0) INTO today FROM quiz_attempts x
       WHERE x.user_id = p_user AND x.points_day = v_day AND x.points > 0;
      granted := greatest(0, least(earned, (p_rules ->> 'dailyCap')::integer - today));
    END IF;
    -- every drawn question is in the answers: one not answered counts as wrong (and shows in the 错题本)
    UPDATE quiz_attempts x
       SET submitted_at = now(), correct_count = n_correct, score = v_score, passed = v_passed, points = granted,
           points_day = CASE WHEN granted > 0 THEN v_day END, submit_key = p_key,
           answers = (SELECT jsonb_agg(jsonb_build_object('q', d.q, 'given', coalesce(g.given, '[]'), 'correct', coalesce(g.correct, false)) ORDER BY d.i)
                        FROM unnest(a.question_ids) WITH ORDINALITY AS d(q, i)
                        LEFT JOIN jsonb_to_recordset(p_answers) AS g(q bigint, given jsonb, correct boolean) ON g.q = d.q)
     WHERE x.id = p_attempt
    RETURNING * INTO a;
  END IF;

  RETURN QUERY SELECT result, stray, a.kind, a.campaign_id, a.attempt_no, a.question_ids, a.started_at, a.submitted_at,
                      a.total, a.correct_count, a.score, a.passed, pass, a.points;
END
$fn$;
