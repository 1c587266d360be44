-- The counts of these responses' answers, added to survey_counts and to the tracked pairs (migrations 0019, 0027), in
-- the transaction that stored them. A batch adds to a shard no other open transaction holds (a transaction-level
-- advisory lock, tried, never waited for), so concurrent batches do not queue on each other's count rows until
-- commit. With every shard taken it shares one by its backend: still exact, it only waits. Within a shard, rows are
-- added in key order, so two batches sharing one wait for each other instead of deadlocking.
-- Planned as key lookups, once: every read here is by primary key (the batch's responses, the survey's tracked
-- pairs). PL/pgSQL keeps a statement's generic plan per connection from its sixth call on; one made while
-- the answers' table was nearly empty, or before its statistics caught up (never, where autovacuum is off), scanned
-- the whole table on every batch for the life of the connection (issue 11: most of the database's CPU per
-- submission). enable_seqscan = off leaves the planner only the index paths; force_generic_plan spares the
-- custom-plan planning of these CTEs on every batch, which then bought nothing.
CREATE OR REPLACE FUNCTION survey_add_counts(p_responses uuid[]) RETURNS void LANGUAGE plpgsql
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  -- the read side sums over at most this many rows per count (queries.ts)
  shards constant int := 8;
  v_shard smallint;
BEGIN
  FOR k IN 0 .. shards - 1 LOOP
    IF pg_try_advisory_xact_lock(hashtext('survey-counts'), k) THEN
      v_shard := k;
      EXIT;
    END IF;
  END LOOP;
  v_shard := coalesce(v_shard, pg_backend_pid() % shards);

  -- one statement: the picks (migration 0035) are read once for the counts and the tracked pairs
  WITH a AS MATERIALIZED (
    SELECT r.id AS response_id, r.survey_id, (e->>0)::bigint AS question_id, e->>1 AS row_key, coalesce(r.community_code, '') AS c,
           e->2 AS picked, (e->>3)::int AS num, (e->>4)::int AS other
      FROM survey_responses r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS e WHERE r.id = ANY(p_responses)
  ), delta AS (
    SELECT a.survey_id, a.question_id, a.row_key, a.c, ''::text AS value, count(*)::int AS n,
           coalesce(sum(a.num), 0)::bigint AS num_sum, coalesce(sum(a.other), 0)::int AS others
      FROM a GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT a.survey_id, a.question_id, a.row_key, a.c, v, count(*)::int, 0, 0
      FROM a CROSS JOIN LATERAL jsonb_array_elements_text(a.picked) AS v GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- a matrix as a whole: the responses that answered any of its rows
    SELECT a.survey_id, a.question_id, '', a.c, '', count(DISTINCT a.response_id)::int, 0, 0
      FROM a WHERE a.row_key <> '' GROUP BY 1, 2, 4
    UNION ALL
    SELECT r.survey_id, 0, '', coalesce(r.community_code, ''), '', count(*)::int, 0, 0
      FROM survey_responses r WHERE r.id = ANY(p_responses) GROUP BY 1, 4
  ), counted AS (
    INSERT INTO survey_counts AS t (survey_id, question_id, row_key, community_code, value, shard, n, num_sum, others)
    SELECT d.survey_id, d.question_id, d.row_key, d.c, d.value, v_shard, d.n, d.num_sum, d.others FROM delta d ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (survey_id, question_id, row_key, community_code, value, shard)
    DO UPDATE SET n = t.n + EXCLUDED.n, num_sum = t.num_sum + EXCLUDED.num_sum, others = t.others + EXCLUDED.others
  ), pairs AS (
    SELECT p.survey_id, p.question_id, p.row_key, p.by_question_id, p.by_row_key, g AS by_value, v AS value, count(*)::int AS n
      FROM survey_tracked_pairs p
      JOIN a ON a.survey_id = p.survey_id AND a.question_id = p.question_id AND a.row_key = p.row_key
      JOIN a b ON b.response_id = a.response_id AND b.question_id = p.by_question_id AND b.row_key = p.by_row_key
      CROSS JOIN LATERAL jsonb_array_elements_text(b.picked) AS g
      CROSS JOIN LATERAL (SELECT ''::text UNION ALL SELECT jsonb_array_elements_text(a.picked)) AS v(v)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
  )
  INSERT INTO survey_pair_counts AS t (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, shard, n)
  SELECT d.survey_id, d.question_id, d.row_key, d.by_question_id, d.by_row_key, d.by_value, d.value, v_shard, d.n
    FROM pairs d ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
END
$fn$;
