-- Survey submissions in batches (server/modules/surveys/submission-batch.ts): one statement records several
-- responses, each through survey_record_response, then survey_add_counts adds the recorded ones to the counts — both
-- in the batch's one transaction.

-- The counts of these responses' answers, added to survey_counts and to the tracked pairs (0019). Rows are added in
-- key order, so two batches wait for each other instead of deadlocking.
CREATE FUNCTION survey_add_counts(p_responses uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  WITH a AS MATERIALIZED (
    SELECT x.response_id, x.survey_id, x.question_id, x.row_key, coalesce(x.community_code, '') AS c, x.picked, x.num, x.other_text
      FROM survey_answers x WHERE x.response_id = ANY(p_responses)
  ), delta AS (
    SELECT a.survey_id, a.question_id, a.row_key, a.c, ''::text AS value, count(*)::int AS n,
           coalesce(sum(a.num), 0)::bigint AS num_sum, count(a.other_text)::int AS others
      FROM a GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT a.survey_id, a.question_id, a.row_key, a.c, v, count(*)::int, 0, 0
      FROM a CROSS JOIN LATERAL unnest(a.picked) AS v GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- a matrix as a whole: the responses that answered any of its rows
    SELECT a.survey_id, a.question_id, '', a.c, '', count(DISTINCT a.response_id)::int, 0, 0
      FROM a WHERE a.row_key <> '' GROUP BY 1, 2, 4
    UNION ALL
    SELECT r.survey_id, 0, '', coalesce(r.community_code, ''), '', count(*)::int, 0, 0
      FROM survey_responses r WHERE r.id = ANY(p_responses) GROUP BY 1, 4
  )
  INSERT INTO survey_counts AS t (survey_id, question_id, row_key, community_code, value, n, num_sum, others)
  SELECT * FROM delta ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (survey_id, question_id, row_key, community_code, value)
  DO UPDATE SET n = t.n + EXCLUDED.n, num_sum = t.num_sum + EXCLUDED.num_sum, others = t.others + EXCLUDED.others;

  WITH a AS MATERIALIZED (
    SELECT x.response_id, x.survey_id, x.question_id, x.row_key, x.picked
      FROM survey_answers x WHERE x.response_id = ANY(p_responses)
  ), delta AS (
    SELECT p.survey_id, p.question_id, p.row_key, p.by_question_id, p.by_row_key, g AS by_value, v AS value, count(*)::int AS n
      FROM survey_tracked_pairs p
      JOIN a ON a.survey_id = p.survey_id AND a.question_id = p.question_id AND a.row_key = p.row_key
      JOIN a b ON b.response_id = a.response_id AND b.question_id = p.by_question_id AND b.row_key = p.by_row_key
      CROSS JOIN LATERAL unnest(b.picked) AS g
      CROSS JOIN LATERAL unnest(array_prepend(''::text, a.picked)) AS v
     GROUP BY 1, 2, 3, 4, 5, 6, 7
  )
  INSERT INTO survey_pair_counts AS t (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, n)
  SELECT * FROM delta ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value) DO UPDATE SET n = t.n + EXCLUDED.n;
END
$fn$;

-- the responses stored before this migration
SELECT survey_add_counts(array_agg(id)) FROM survey_responses HAVING count(*) > 0;

-- One response, if the survey still is what the caller checked the answers against (p_version), open, not answered by
-- this person and within the community's quota. p_answers: [{question_id, row_key, picked, num, other_text,
-- text_value, held}], checked by the service. A refusal says why in `outcome` and takes back what this item wrote
-- before it was refused (its key, its participation) — by hand, not with a subtransaction: rows locked or referenced
-- from subtransactions of one batch would each add a member to a shared multixact (the survey row, the community's).
-- With an Idempotency-Key, a key used before replays its stored body.
-- Outcomes: recorded, replay, key_reused, in_progress, not_found, changed, closed, not_started, answered, quota_full.
CREATE FUNCTION survey_record_response(p_survey bigint, p_version integer, p_anonymous boolean, p_user bigint, p_key text,
                                       p_route text, p_community text, p_answers jsonb)
RETURNS TABLE (outcome text, response_id uuid, body jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  s record;
  prior record;
  v_id uuid;
  v_day date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
  refusal text;
BEGIN
  IF p_key IS NOT NULL THEN
    INSERT INTO idempotency_keys (user_id, key, route) VALUES (p_user, p_key, p_route) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT k.route, k.status_code, k.response INTO prior FROM idempotency_keys k WHERE k.user_id = p_user AND k.key = p_key;
      outcome := CASE WHEN prior.route IS DISTINCT FROM p_route THEN 'key_reused' WHEN prior.status_code IS NULL THEN 'in_progress' ELSE 'replay' END;
      body := CASE WHEN outcome = 'replay' THEN prior.response END;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;
  SELECT x.status, x.starts_at, x.ends_at, x.anonymous, x.version, x.quota_per_community INTO s
    FROM surveys x WHERE x.id = p_survey FOR SHARE;
  refusal := CASE
    WHEN NOT FOUND OR s.status = 'draft' THEN 'not_found'
    WHEN s.version <> p_version OR s.anonymous <> p_anonymous THEN 'changed'
    WHEN s.status = 'closed' OR s.ends_at <= now() THEN 'closed'
    WHEN s.starts_at > now() THEN 'not_started'
  END;
  IF refusal IS NULL THEN
    -- one per resident: the primary key decides, under concurrency too
    INSERT INTO survey_participations (survey_id, user_id) VALUES (p_survey, p_user) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      refusal := 'answered';
    ELSIF s.quota_per_community IS NOT NULL AND p_community IS NOT NULL THEN
      INSERT INTO survey_quota_counts (survey_id, community_code) VALUES (p_survey, p_community) ON CONFLICT DO NOTHING;
      UPDATE survey_quota_counts q SET taken = q.taken + 1
       WHERE q.survey_id = p_survey AND q.community_code = p_community AND q.taken < s.quota_per_community;
      IF NOT FOUND THEN
        DELETE FROM survey_participations x WHERE x.survey_id = p_survey AND x.user_id = p_user;
        refusal := 'quota_full';
      END IF;
    END IF;
  END IF;
  IF refusal IS NOT NULL THEN
    IF p_key IS NOT NULL THEN
      DELETE FROM idempotency_keys k WHERE k.user_id = p_user AND k.key = p_key;
    END IF;
    outcome := refusal;
    RETURN NEXT;
    RETURN;
  END IF;
  -- anonymous: no user and no time but the day
  INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at)
  VALUES (p_survey, CASE WHEN s.anonymous THEN NULL ELSE p_user END, p_community, v_day, CASE WHEN s.anonymous THEN NULL ELSE now() END)
  RETURNING id INTO v_id;
  INSERT INTO survey_answers (response_id, survey_id, question_id, row_key, community_code, submitted_on, picked, num, other_text, text_value, held)
  SELECT v_id, p_survey, x.question_id, x.row_key, p_community, v_day, ARRAY(SELECT jsonb_array_elements_text(x.picked)),
         x.num, x.other_text, x.text_value, x.held
    FROM jsonb_to_recordset(p_answers) AS x(question_id bigint, row_key text, picked jsonb, num int, other_text text, text_value text, held boolean);
  DELETE FROM survey_drafts d WHERE d.survey_id = p_survey AND d.user_id = p_user;
  IF NOT s.anonymous THEN
    INSERT INTO audit_log (actor_id, action, target, detail) VALUES (p_user, 'survey.respond', 'survey:' || p_survey, '{}'::jsonb);
  END IF;
  body := jsonb_build_object('surveyId', p_survey, 'submittedOn', to_char(v_day, 'YYYY-MM-DD'), 'anonymous', s.anonymous);
  IF p_key IS NOT NULL THEN
    UPDATE idempotency_keys k SET status_code = 201, response = body WHERE k.user_id = p_user AND k.key = p_key;
  END IF;
  outcome := 'recorded';
  response_id := v_id;
  RETURN NEXT;
END
$fn$;
