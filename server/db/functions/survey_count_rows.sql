-- How responses count (migrations 0019, 0027, 0035): the rows their answers add to survey_counts — per question, row,
-- community ('' for none) and value; value '' the question's respondents with the sum of their numbers and their
-- "其他" notes; question 0 the responses. One definition for both uses: survey_add_counts adds these rows, and the
-- reads (server/modules/surveys/queries.ts) add those of the responses not folded in yet (survey_uncounted, 0036).
-- Planned as key lookups once (see survey_add_counts): every read here is by primary key.
CREATE OR REPLACE FUNCTION survey_count_rows(p_responses uuid[])
RETURNS TABLE (survey_id bigint, question_id bigint, row_key text, community_code text, value text, n int, num_sum bigint, others int)
LANGUAGE plpgsql STABLE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH a AS MATERIALIZED (
    SELECT r.id AS response_id, r.survey_id, (e->>0)::bigint AS question_id, e->>1 AS row_key, coalesce(r.community_code, '') AS c,
           e->2 AS picked, (e->>3)::int AS num, (e->>4)::int AS other
      FROM survey_responses r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS e WHERE r.id = ANY(p_responses)
  )
  SELECT a.survey_id, a.question_id, a.row_key, a.c, ''::text, count(*)::int, coalesce(sum(a.num), 0)::bigint, coalesce(sum(a.other), 0)::int
    FROM a GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT a.survey_id, a.question_id, a.row_key, a.c, v, count(*)::int, 0::bigint, 0
    FROM a CROSS JOIN LATERAL jsonb_array_elements_text(a.picked) AS v GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  -- a matrix as a whole: the responses that answered any of its rows
  SELECT a.survey_id, a.question_id, '', a.c, '', count(DISTINCT a.response_id)::int, 0::bigint, 0
    FROM a WHERE a.row_key <> '' GROUP BY 1, 2, 4
  UNION ALL
  SELECT r.survey_id, 0::bigint, '', coalesce(r.community_code, ''), '', count(*)::int, 0::bigint, 0
    FROM survey_responses r WHERE r.id = ANY(p_responses) GROUP BY 1, 4;
END
$fn$;

-- The rows the same responses add to the cross-tabs being counted (survey_tracked_pairs, survey_pair_counts): per
-- pair, the group (by_value, a value of the other question) and value ('' the group's respondents).
CREATE OR REPLACE FUNCTION survey_pair_rows(p_responses uuid[])
RETURNS TABLE (survey_id bigint, question_id bigint, row_key text, by_question_id bigint, by_row_key text, by_value text, value text, n int)
LANGUAGE plpgsql STABLE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH a AS MATERIALIZED (
    SELECT r.id AS response_id, r.survey_id, (e->>0)::bigint AS question_id, e->>1 AS row_key, e->2 AS picked
      FROM survey_responses r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS e
     WHERE r.id = ANY(p_responses)
       AND EXISTS (SELECT 1 FROM survey_tracked_pairs p WHERE p.survey_id = r.survey_id)
  )
  SELECT p.survey_id, p.question_id, p.row_key, p.by_question_id, p.by_row_key, g, v, count(*)::int
    FROM survey_tracked_pairs p
    JOIN a ON a.survey_id = p.survey_id AND a.question_id = p.question_id AND a.row_key = p.row_key
    JOIN a b ON b.response_id = a.response_id AND b.question_id = p.by_question_id AND b.row_key = p.by_row_key
    CROSS JOIN LATERAL jsonb_array_elements_text(b.picked) AS g
    CROSS JOIN LATERAL (SELECT ''::text UNION ALL SELECT jsonb_array_elements_text(a.picked)) AS v(v)
   GROUP BY 1, 2, 3, 4, 5, 6, 7;
END
$fn$;
