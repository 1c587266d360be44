-- A batch of survey submissions (server/modules/surveys/submission-batch.ts) in one statement, and so in one
-- transaction without BEGIN and COMMIT of its own: each item through survey_record_response (migration 0020), in the
-- order of survey, community and person so that two batches take the quota counters' locks in one order, then the
-- recorded ones added to the counts (survey_add_counts). One round trip instead of four: under load each one waits
-- for the scheduler on both sides. p_items: [{i, survey, version, anonymous, uid, key, route, community, answers}];
-- one row per item, `i` its position.
CREATE OR REPLACE FUNCTION survey_record_batch(p_items jsonb)
RETURNS TABLE (i int, outcome text, response_id uuid, body jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  r record;
  recorded uuid[] := '{}';
BEGIN
  FOR r IN
    SELECT x.i, o.outcome, o.response_id, o.body
      FROM (SELECT * FROM jsonb_to_recordset(p_items)
              AS y(i int, survey bigint, version int, anonymous boolean, uid bigint, key text, route text, community text, answers jsonb)
             ORDER BY y.survey, y.community, y.uid, y.i) x
     CROSS JOIN LATERAL survey_record_response(x.survey, x.version, x.anonymous, x.uid, x.key, x.route, x.community, x.answers) o
  LOOP
    i := r.i;
    outcome := r.outcome;
    response_id := r.response_id;
    body := r.body;
    RETURN NEXT;
    IF r.outcome = 'recorded' THEN
      recorded := recorded || r.response_id;
    END IF;
  END LOOP;
  IF cardinality(recorded) > 0 THEN
    PERFORM survey_add_counts(recorded);
  END IF;
END
$fn$;
