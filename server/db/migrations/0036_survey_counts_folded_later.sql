-- Survey counts folded in a moment after the responses (issue 11, submission speed). A submission batch added its
-- responses to ~66 count rows whatever its size (one per question, value and community): when residents arrive
-- steadily rather than all at once, batches are of one or two and those upserts were most of a submission's database
-- work (a lone response: ~1.5 ms of database CPU, eleven times the bare insert). Now a batch only notes its responses
-- here, in the transaction that stores them; a background job (server/jobs.ts, every second) takes what is noted,
-- adds it to the counts by survey_add_counts and deletes the notes, in one transaction. What the results read is the
-- counts plus the noted responses counted on the spot (survey_count_rows, survey_pair_rows) in one statement: a
-- response is in exactly one of the two in any snapshot, so the figures stay exact, with no lag.
-- Nothing here identifies a person: a response's id and its survey, for about a second.
CREATE TABLE survey_uncounted (
  survey_id   bigint NOT NULL,
  response_id uuid NOT NULL,
  PRIMARY KEY (survey_id, response_id)
);


-- a response deleted before it is counted takes its note along, as it takes its texts
CREATE OR REPLACE FUNCTION survey_answers_of_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM survey_texts a USING gone g WHERE a.response_id = g.id;
  DELETE FROM survey_uncounted u USING gone g WHERE u.survey_id = g.survey_id AND u.response_id = g.id;
  RETURN NULL;
END
$fn$;
