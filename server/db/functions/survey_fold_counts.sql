-- One run of the counting job (server/modules/surveys/counting.ts): up to p_limit responses noted in survey_uncounted
-- (migration 0036) added to the counts and their notes deleted, in one transaction — so a read sees each response
-- either noted or counted, never both and never neither. Notes are taken FOR UPDATE SKIP LOCKED: jobs of several API
-- processes take different ones. Then the surveys' rows are locked shared before counting, as submissions lock them:
-- a cross-tab that starts being counted (trackPair in queries.ts, which locks the row exclusively) is either committed
-- before this counts — and then seen by it, its backfill having left these responses to it — or starts after this
-- commits, and then its backfill counts them. Returns how many responses it folded in.
CREATE OR REPLACE FUNCTION survey_fold_counts(p_limit int) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  v_ids uuid[];
  v_surveys bigint[];
BEGIN
  WITH taken AS (
    DELETE FROM survey_uncounted u
     USING (SELECT x.survey_id, x.response_id FROM survey_uncounted x LIMIT p_limit FOR UPDATE SKIP LOCKED) t
     WHERE u.survey_id = t.survey_id AND u.response_id = t.response_id
    RETURNING u.survey_id, u.response_id
  )
  SELECT array_agg(response_id), array_agg(DISTINCT survey_id) INTO v_ids, v_surveys FROM taken;
  IF v_ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM 1 FROM surveys s WHERE s.id = ANY(v_surveys) ORDER BY s.id FOR SHARE;
  PERFORM survey_add_counts(v_ids);
  RETURN cardinality(v_ids);
END
$fn$;
