-- Quizzes: bank upkeep and live results.
--  * A worker may not change the options of a question someone is answering (their choice is an option index):
--    the check looks at the attempts still open, which this index keeps small to find whatever the table's size.
--    Submitted and expired attempts leave it, so it holds only the attempts in progress.
CREATE INDEX quiz_attempts_open_idx ON quiz_attempts (expires_at) WHERE submitted_at IS NULL AND expired_at IS NULL;
