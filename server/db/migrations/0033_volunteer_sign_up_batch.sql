-- Sign-ups go to the database in batches (server/db/functions/volunteer_sign_up.sql: volunteer_sign_up_batch over
-- volunteer_sign_up_at, which takes the waitlist's length when the batch knows it). The one-at-a-time function has no
-- caller left.
DROP FUNCTION IF EXISTS volunteer_sign_up(bigint, text, bigint, integer, integer, integer);
