-- A batch of survey submissions (server/modules/surveys/submission-batch.ts) in one statement, and so in one
-- transaction without BEGIN and COMMIT of its own: each item claimed through survey_claim_response, in the order of
-- survey, community and person so that two batches take the quota counters' locks in one order; then the answers of
-- every recorded item in one INSERT, and the recorded ones added to the counts (survey_add_counts). One round trip
-- instead of four: under load each one waits for the scheduler on both sides.
-- p_items: [{i, survey, version, anonymous, uid, key, route, community, answers}], answers as
-- [{question_id, row_key, picked, num, other_text, text_value, held}] checked by the service against the definition
-- of `version` (which survey_claim_response holds the survey to); one row per item, `i` its position.
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
              AS y(i int, survey bigint, version int, anonymous boolean, uid bigint, key text, route text, community text)
             ORDER BY y.survey, y.community, y.uid, y.i) x
     CROSS JOIN LATERAL survey_claim_response(x.survey, x.version, x.anonymous, x.uid, x.key, x.route, x.community) o
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
    INSERT INTO survey_answers (response_id, survey_id, question_id, row_key, community_code, submitted_on, picked, num, other_text, text_value, held)
    SELECT m.id, y.survey, a.question_id, a.row_key, y.community, (now() AT TIME ZONE 'Asia/Shanghai')::date,
           ARRAY(SELECT jsonb_array_elements_text(a.picked)), a.num, a.other_text, a.text_value, a.held
      FROM unnest(rec_i, rec_id) AS m(i, id)
      JOIN jsonb_to_recordset(p_items) AS y(i int, survey bigint, community text, answers jsonb) ON y.i = m.i
     CROSS JOIN LATERAL jsonb_to_recordset(y.answers)
           AS a(question_id bigint, row_key text, picked jsonb, num int, other_text text, text_value text, held boolean);
    PERFORM survey_add_counts(rec_id);
  END IF;
END
$fn$;
