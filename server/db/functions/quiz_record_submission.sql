
-- The submission, lighter than 0007's: the service has graded the answers (p_correct of them right) and names the
-- questions answered (p_question_ids); what needs the attempt row stays here, under its lock. Outcomes as in 0007
-- ('not_found' also when p_user is NULL: no valid session). Concurrent submissions are sent in batches, one
-- statement for several (queries.recordSubmissions), so the locks come in one order: the person's points lock
-- first, then the attempt; a batch goes through its people in id order.
CREATE OR REPLACE FUNCTION quiz_record_submission(p_attempt bigint, p_user bigint, p_key text, p_answers jsonb,
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
