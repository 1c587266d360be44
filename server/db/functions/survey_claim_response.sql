-- One response claimed, if the survey still is what the caller checked the answers against (p_version), open, not
-- answered by this person and within the community's quota: its row with its picks (migration 0035), the
-- participation and the quota taken; the texts are written by the caller, survey_record_batch, for the whole batch. A refusal says why in
-- `outcome` and takes back what this item wrote before it was refused (its key, its participation) — by hand, not
-- with a subtransaction: rows locked or referenced from subtransactions of one batch would each add a member to a
-- shared multixact (the survey row, the community's). With an Idempotency-Key, a key used before replays its stored
-- body. Outcomes: recorded, replay, key_reused, in_progress, not_found, changed, closed, not_started, answered,
-- quota_full.
-- enable_seqscan = off: every statement here finds its rows by primary key, and a generic plan cached per connection
-- while a table was small (the drafts, the surveys) would otherwise keep scanning it as it grows (see survey_add_counts).
CREATE OR REPLACE FUNCTION survey_claim_response(p_survey bigint, p_version integer, p_anonymous boolean, p_user bigint,
                                                 p_key text, p_route text, p_community text, p_picks jsonb)
RETURNS TABLE (outcome text, response_id uuid, body jsonb)
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
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
  INSERT INTO survey_responses (survey_id, user_id, community_code, submitted_on, submitted_at, picks)
  VALUES (p_survey, CASE WHEN s.anonymous THEN NULL ELSE p_user END, p_community, v_day, CASE WHEN s.anonymous THEN NULL ELSE now() END, p_picks)
  RETURNING id INTO v_id;
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
