-- A quiz submission (campaign or practice), the part that needs the attempt row, under its lock. The service has
-- graded the answers against their questions (p_correct of them right) and names the questions answered
-- (p_question_ids); p_answers is what the attempt keeps: [{"q", "given", "correct"}]. p_rules: quizzes/grading.ts
-- GRADING_RULES. Concurrent submissions are sent in batches, one statement for several (queries.recordSubmissions),
-- so the locks come in one order: the person's points lock first, then the attempt; a batch goes through its people
-- in id order.
-- Outcome: 'recorded' | 'replay' (submitted before with this Idempotency-Key, p_key) | 'already_submitted' |
-- 'expired' (over its time: closed as expired now, committed) | 'ended' (expired earlier) | 'live' (not submitted this
-- way) | 'not_drawn' (bad_question names an answered question the attempt did not draw) | 'not_found' (also when
-- p_user is NULL: no valid session). With the outcome comes the attempt as it stands afterwards.
CREATE OR REPLACE FUNCTION quiz_record_submission(p_attempt bigint, p_user bigint, p_key text, p_answers jsonb,
                                                  p_question_ids bigint[], p_correct integer, p_rules jsonb)
RETURNS TABLE (outcome text, bad_question bigint, kind text, campaign_id bigint, attempt_no integer, question_ids bigint[],
               started_at timestamptz, submitted_at timestamptz, total integer, correct_count integer, score integer,
               passed boolean, pass_score integer, points integer)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  a record;
  g record;
  result text := 'recorded';
  granted integer := 0;
BEGIN
  IF p_user IS NULL THEN
    outcome := 'not_found';
    RETURN NEXT;
    RETURN;
  END IF;
  PERFORM quiz_points_lock(p_user);
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
  ELSIF quiz_attempt_overdue(a.submitted_at, a.expired_at, a.expires_at) THEN
    -- committed with the refusal: the attempt is over whatever the client does next
    SELECT e.* INTO a FROM quiz_expire_attempts(ARRAY[p_attempt]) e;
    result := 'expired';
  ELSIF NOT (p_question_ids <@ a.question_ids) THEN
    result := 'not_drawn';
    bad_question := (SELECT q FROM unnest(p_question_ids) AS q WHERE NOT (q = ANY(a.question_ids)) LIMIT 1);
  END IF;

  IF result = 'recorded' THEN
    SELECT * INTO g FROM quiz_grade(a.kind, p_correct, a.total, pass_score, p_rules);
    IF g.earned > 0 THEN
      granted := quiz_points_granted(p_user, g.earned, (p_rules ->> 'dailyCap')::integer);
    END IF;
    UPDATE quiz_attempts x
       SET submitted_at = now(), correct_count = p_correct, score = g.score, passed = g.passed, points = granted,
           points_day = CASE WHEN granted > 0 THEN quiz_points_day() END, submit_key = p_key, answers = p_answers
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
