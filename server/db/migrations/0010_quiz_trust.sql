-- Quiz options are shown in an order of their own per attempt (per live session: the host's screen and every
-- participant share one). The order is derived from this key, the attempt (or session) and the question
-- (server/modules/quizzes/option-order.ts): it stays on the server — whoever reads a response cannot tell the
-- bank's order, nor where the answer sits in it — and grading needs no read to learn it. One row, made here with
-- the database's strong random source; it never changes (a new key would reorder every open attempt).
CREATE TABLE quiz_option_key (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  key text NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO quiz_option_key (key) VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
