-- A batch of survey submissions (server/modules/surveys/submission-batch.ts) in one statement, and so in one
-- transaction without BEGIN and COMMIT of its own: each item claimed through survey_claim_response (its response row,
-- with its picks), in the order of survey, community and person so that two batches take the quota counters' locks
-- in one order; then the texts of every recorded item in one INSERT, and the recorded ones noted for the counting
-- job (survey_uncounted, migration 0036: counted a moment later, read exactly meanwhile). One round trip instead of
-- four: under load each one waits for the scheduler on both sides.
-- p_items: [{i, survey, version, anonymous, uid, key, route, community, picks, texts}], picks as stored in
-- survey_responses.picks (migration 0035), texts as [{question_id, other_text, text_value, held}], both checked by the
-- service against the definition of `version` (which survey_claim_response holds the survey to); one row per item,
-- `i` its position.
CREATE OR REPLACE FUNCTION survey_record_batch(p_items jsonb)
RETURNS TABLE (i int, outcome text, response_id uuid, body jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  r record;
  rec_i int[] := '{}';
  rec_id uuid[] := '{}';
BEGIN
  FOR r IN
    SELECT x.i, o.outcome, o.response_id, o.body
      FROM (SELECT * FROM jsonb_to_recordset(p_items)
              AS y(i int, survey bigint, version int, anonymous boolean, uid bigint, key text, route text, community text, picks jsonb)
             ORDER BY y.survey, y.community, y.uid, y.i) x
     CROSS JOIN LATERAL survey_claim_response(x.survey, x.version, x.anonymous, x.uid, x.key, x.route, x.community, x.picks) o
  LOOP
    i := r.i;
    outcome := r.outcome;
    response_id := r.response_id;
    body := r.body;
    RETURN NEXT;
    IF r.outcome = 'recorded' THEN
      rec_i := rec_i || r.i;
      rec_id := rec_id || r.response_id;
    END IF;
  END LOOP;
  IF cardinality(rec_id) > 0 THEN
    INSERT INTO survey_texts (response_id, survey_id, question_id, community_code, submitted_on, other_text, text_value, held)
    SELECT m.id, y.survey, t.question_id, y.community, (now() AT TIME ZONE 'Asia/Shanghai')::date, t.other_text, t.text_value, t.held
      FROM unnest(rec_i, rec_id) AS m(i, id)
      JOIN jsonb_to_recordset(p_items) AS y(i int, survey bigint, community text, texts jsonb) ON y.i = m.i
     CROSS JOIN LATERAL jsonb_to_recordset(y.texts) AS t(question_id bigint, other_text text, text_value text, held boolean);
    INSERT INTO survey_uncounted (survey_id, response_id)
    SELECT y.survey, m.id
      FROM unnest(rec_i, rec_id) AS m(i, id)
      JOIN jsonb_to_recordset(p_items) AS y(i int, survey bigint) ON y.i = m.i;
  END IF;
END
$fn$;
