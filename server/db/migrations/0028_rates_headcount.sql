-- Rates (issue 12): 参与率's denominator, the residents registered per community, kept as a count instead of counting
-- users on every dashboard read (a scan of every resident's row: ~0.5 s at a million residents).
--
-- Exact by construction: statement-level triggers on users add what each statement changed, read from its transition
-- tables — any INSERT, DELETE or UPDATE (a move, an erasure setting community_code NULL, a bulk import), whatever the
-- code path. A trigger with transition tables cannot name columns, so the UPDATE one fires on every update of users and
-- nets out the rows whose community did not change. `npm run rates:rebuild` recounts it from users.
CREATE TABLE rate_headcount (
  community_code text PRIMARY KEY,
  residents      integer NOT NULL CHECK (residents >= 0)
);

INSERT INTO rate_headcount (community_code, residents)
SELECT community_code, count(*) FROM users WHERE community_code IS NOT NULL GROUP BY community_code;

-- The body is in server/db/functions/rates_headcount.sql, applied after the migrations in the same transaction.
CREATE FUNCTION rate_headcount() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

CREATE TRIGGER rate_headcount_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_headcount();
CREATE TRIGGER rate_headcount_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_headcount();
CREATE TRIGGER rate_headcount_update AFTER UPDATE ON users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_headcount();
CREATE TRIGGER rate_headcount_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION rate_headcount();
