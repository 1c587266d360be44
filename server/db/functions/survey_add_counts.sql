-- These responses added to the counts (survey_count_rows, survey_pair_rows) — by the counting job
-- (survey_fold_counts), a moment after their submission, or by a bulk load. A call adds to a shard no other open
-- transaction holds (a transaction-level advisory lock, tried, never waited for), so two processes' jobs do not queue
-- on each other's count rows until commit. With every shard taken it shares one by its backend: still exact, it only
-- waits. Within a shard, rows are added in key order, so two calls sharing one wait for each other instead of
-- deadlocking.
-- Planned as key lookups, once: every read here is by primary key (the responses, the survey's tracked pairs).
-- PL/pgSQL keeps a statement's generic plan per connection from its sixth call on; one made while the answers' table
-- was nearly empty, or before its statistics caught up (never, where autovacuum is off), scanned the whole table on
-- every call for the life of the connection (issue 11). enable_seqscan = off leaves the planner only the index paths;
-- force_generic_plan spares the custom-plan planning on every call, which then bought nothing.
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

  INSERT INTO survey_counts AS t (survey_id, question_id, row_key, community_code, value, shard, n, num_sum, others)
  SELECT d.survey_id, d.question_id, d.row_key, d.community_code, d.value, v_shard, d.n, d.num_sum, d.others
    FROM survey_count_rows(p_responses) d ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (survey_id, question_id, row_key, community_code, value, shard)
  DO UPDATE SET n = t.n + EXCLUDED.n, num_sum = t.num_sum + EXCLUDED.num_sum, others = t.others + EXCLUDED.others;

  INSERT INTO survey_pair_counts AS t (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, shard, n)
  SELECT d.survey_id, d.question_id, d.row_key, d.by_question_id, d.by_row_key, d.by_value, d.value, v_shard, d.n
    FROM survey_pair_rows(p_responses) d ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
END
$fn$;
