-- Shipped questions follow the corrections of the bank they came with (server/modules/quizzes/bank-sync.ts).
--  * bank_hash: fingerprint of the content the product last wrote to a shipped row. A row whose content no longer
--    has it was edited by a worker and is left as they made it. NULL: written before this migration; such a row is
--    judged against the bank's first edition (server/modules/quizzes/bank/first-edition.ts).
--  * superseded_by: a shipped question whose options or answer were corrected after someone had drawn it is kept as
--    it was, retired, for the results and the 错题本 that graded against it (answers are option indexes); the bank
--    goes on with a new row, which takes over the bank_key. Superseded rows are history: not listed, not editable.
ALTER TABLE quiz_questions ADD COLUMN bank_hash text, ADD COLUMN superseded_by bigint REFERENCES quiz_questions(id);
ALTER TABLE quiz_questions ADD CONSTRAINT quiz_questions_superseded_check
  CHECK (superseded_by IS NULL OR (NOT active AND bank_key IS NULL));
