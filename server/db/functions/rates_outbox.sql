-- Rates (issue 12): the source events that feed the rate counters. Each adds one row to rate_outbox in the source's own
-- transaction; the job (server/modules/rates/service.ts, drainOutbox) turns them into counts. The triggers that call
-- these are in migrations 0018 and 0023.

-- 's:<response uuid>': a survey response stored
CREATE OR REPLACE FUNCTION rate_outbox_survey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('s:' || NEW.id::text);
  RETURN NULL;
END $$;

-- 'q:<attempt id>': a quiz attempt submitted (or inserted already submitted)
CREATE OR REPLACE FUNCTION rate_outbox_quiz() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('q:' || NEW.id::text);
  RETURN NULL;
END $$;

-- 'p:<report id>' a report filed, 'r:<report id>' its rating or state changed (only closed reports' ratings count)
CREATE OR REPLACE FUNCTION rate_outbox_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ((CASE WHEN TG_OP = 'INSERT' THEN 'p:' ELSE 'r:' END) || NEW.id::text);
  RETURN NULL;
END $$;

-- 'v:<signup id>': a shift credited; one credit per sign-up (volunteer_hours_credit_uniq), so one event
CREATE OR REPLACE FUNCTION rate_outbox_volunteer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('v:' || NEW.signup_id::text);
  RETURN NULL;
END $$;
