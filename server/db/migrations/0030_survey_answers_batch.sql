-- Survey submission speed (issue 11). A response's ~26 answer rows each paid two foreign-key checks (52 lookups per
-- response, the one into survey_responses the dearest: 0.07 ms each under load) and one INSERT per response; the
-- answers are now written only by survey_record_batch (server/db/functions), for all responses of a batch in one
-- statement, in the transaction that stores their responses and from a definition checked by its version — the
-- references hold by construction there. Questions are never deleted (an answered survey's questions cannot change
-- in meaning, migration 0015's edit rules), and deleting responses still takes their answers (the trigger below), so
-- nothing the constraints guaranteed is lost.
ALTER TABLE survey_answers DROP CONSTRAINT survey_answers_response_id_fkey;
ALTER TABLE survey_answers DROP CONSTRAINT survey_answers_question_id_fkey;

CREATE FUNCTION survey_answers_of_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM survey_answers a USING gone g WHERE a.response_id = g.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER survey_responses_deleted AFTER DELETE ON survey_responses REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION survey_answers_of_deleted();

-- superseded by survey_claim_response (server/db/functions): the answers are written per batch
DROP FUNCTION survey_record_response(bigint, integer, boolean, bigint, text, text, text, jsonb);
