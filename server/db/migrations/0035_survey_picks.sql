-- Survey submission speed (issue 11): a response's answers in its own row instead of ~26 rows of their own.
--
-- Each answer row cost a heap tuple and two index entries (~0.17 ms of database CPU per 20-question response, the
-- largest single part), and the counts then read all of them back. Nothing reads a single choice answer by itself:
-- the counts, the rates, the cross-tab backfill and the export all read whole responses. So the choices, scales,
-- ratings and matrix rows now live in survey_responses.picks, as written in the statement that stores the response:
--   [[question_id, row_key, [value, …], num, other], …]
-- values as before ('5' … '1' on a scale, '0' … '10' on a rating, option values), num the number of a scale, rating or
-- matrix row (else null), other 1 when a "其他" note was given (else 0). A text question answered appears with no
-- values, so that it counts as answered. The words themselves — text answers and "其他" notes, which staff list,
-- search, hold and export, and which 注销 erases — stay one row each, in survey_texts (the former survey_answers,
-- now only texts).
ALTER TABLE survey_responses ADD COLUMN picks jsonb NOT NULL DEFAULT '[]';

UPDATE survey_responses r
   SET picks = p.picks
  FROM (SELECT a.response_id,
               jsonb_agg(jsonb_build_array(a.question_id, a.row_key, to_jsonb(a.picked), a.num, CASE WHEN a.other_text IS NULL THEN 0 ELSE 1 END)
                         ORDER BY q.position, a.row_key) AS picks
          FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
         GROUP BY a.response_id) p
 WHERE r.id = p.response_id;

DELETE FROM survey_answers WHERE text_value IS NULL AND other_text IS NULL;
ALTER TABLE survey_answers RENAME TO survey_texts;
-- one text per question and response (a matrix has none); the primary key and the index by question, both on
-- row_key, go with the column
ALTER TABLE survey_texts DROP COLUMN picked, DROP COLUMN num, DROP COLUMN row_key;
ALTER TABLE survey_texts ADD PRIMARY KEY (response_id, question_id);
-- the staff's list of one question's texts, newest day first
CREATE INDEX survey_texts_question_idx ON survey_texts (survey_id, question_id, submitted_on);

-- The answers one row each, as they were: for what reads whole responses at leisure (the export, a person's own data)
-- and for anyone querying by hand.
CREATE VIEW survey_answers AS
  SELECT r.id AS response_id, r.survey_id, (e->>0)::bigint AS question_id, e->>1 AS row_key, r.community_code, r.submitted_on,
         ARRAY(SELECT jsonb_array_elements_text(e->2)) AS picked, (e->>3)::int AS num, t.other_text, t.text_value,
         coalesce(t.held, false) AS held
    FROM survey_responses r CROSS JOIN LATERAL jsonb_array_elements(r.picks) AS e
    LEFT JOIN survey_texts t ON t.response_id = r.id AND t.question_id = (e->>0)::bigint;

CREATE OR REPLACE FUNCTION survey_answers_of_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM survey_texts a USING gone g WHERE a.response_id = g.id;
  RETURN NULL;
END
$fn$;

-- now given the response's picks to store with its row (server/db/functions/survey_claim_response.sql; a new
-- database has no functions yet when its migrations run)
DROP FUNCTION IF EXISTS survey_claim_response(bigint, integer, boolean, bigint, text, text, text);
