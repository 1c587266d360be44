-- Rates (issue 12). The counting rules (比率口径) are in the README; the tables here keep them incrementally.
--
-- Flow: a source event (survey response stored, quiz attempt submitted, report filed, report rated) adds one row to
-- rate_outbox in its own transaction (triggers below: the source modules' code and the benchmarked quiz submission
-- stay as they are; the cost is one small insert). A job (server/modules/rates/service.ts, drainOutbox) takes
-- rows with FOR UPDATE SKIP LOCKED and, in one transaction per batch, turns each source into its contributions,
-- re-derives the affected per-person marks and adjusts the counts, then deletes the outbox rows: each event is
-- applied exactly once. `npm run rates:rebuild` derives the same three tables from the raw rows.

ALTER TABLE quiz_campaigns ADD COLUMN counts_for_awareness boolean NOT NULL DEFAULT false;

CREATE TABLE rate_outbox (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- 's:<response uuid>' survey response, 'q:<attempt id>' quiz attempt, 'p:<report id>' report filed,
  -- 'r:<report id>' report rated
  source     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- What one source contributes to one figure: the person, where and when. A changed source replaces its rows.
CREATE TABLE rate_contribs (
  source         text NOT NULL,
  figure         text NOT NULL CHECK (figure IN ('awareness', 'support', 'satisfaction', 'handling', 'participation')),
  -- 'u:<user id>', or 'a:<response uuid>' for an anonymous survey response (its own respondent)
  person         text NOT NULL,
  community_code text NOT NULL,
  day            date NOT NULL,
  at             timestamptz NOT NULL,
  favourable     boolean NOT NULL,
  -- shown as the sources behind a figure: 'survey:<id>', 'campaign:<id>', 'quiz:<kind>', 'rating', 'report'
  origin         text NOT NULL,
  PRIMARY KEY (source, figure)
);
CREATE INDEX rate_contribs_person_idx ON rate_contribs (figure, person, day);

-- The latest contribution of a person to a figure within one period bucket: 'd' a day, 'w' an ISO week (Monday),
-- 'm' a calendar month (Asia/Shanghai dates). "Latest" is by (at, source), so late arrivals and ties are exact.
CREATE TABLE rate_marks (
  figure         text NOT NULL,
  kind           char(1) NOT NULL CHECK (kind IN ('d', 'w', 'm')),
  start          date NOT NULL,
  person         text NOT NULL,
  community_code text NOT NULL,
  favourable     boolean NOT NULL,
  at             timestamptz NOT NULL,
  source         text NOT NULL,
  origin         text NOT NULL,
  PRIMARY KEY (figure, kind, start, person)
);
CREATE INDEX rate_marks_read_idx ON rate_marks (kind, start, community_code);

-- The marks counted: what the dashboard reads for a day, a week or a month.
CREATE TABLE rate_counts (
  figure         text NOT NULL,
  kind           char(1) NOT NULL CHECK (kind IN ('d', 'w', 'm')),
  start          date NOT NULL,
  community_code text NOT NULL,
  num            integer NOT NULL CHECK (num >= 0),
  den            integer NOT NULL CHECK (den >= num),
  PRIMARY KEY (kind, start, community_code, figure)
);

-- Set by the office; a region without its own target takes its nearest ancestor's, else 90%.
CREATE TABLE rate_targets (
  region_code text NOT NULL REFERENCES regions(code),
  figure      text NOT NULL CHECK (figure IN ('awareness', 'support', 'satisfaction', 'handling', 'participation')),
  target      numeric(5, 4) NOT NULL CHECK (target > 0 AND target <= 1),
  set_by      bigint NOT NULL REFERENCES users(id),
  set_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region_code, figure)
);

CREATE FUNCTION rate_outbox_survey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('s:' || NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER rate_outbox_survey AFTER INSERT ON survey_responses FOR EACH ROW EXECUTE FUNCTION rate_outbox_survey();

CREATE FUNCTION rate_outbox_quiz() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ('q:' || NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER rate_outbox_quiz_submit AFTER UPDATE OF submitted_at ON quiz_attempts FOR EACH ROW
  WHEN (OLD.submitted_at IS NULL AND NEW.submitted_at IS NOT NULL) EXECUTE FUNCTION rate_outbox_quiz();
CREATE TRIGGER rate_outbox_quiz_insert AFTER INSERT ON quiz_attempts FOR EACH ROW
  WHEN (NEW.submitted_at IS NOT NULL) EXECUTE FUNCTION rate_outbox_quiz();

CREATE FUNCTION rate_outbox_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_outbox (source) VALUES ((CASE WHEN TG_OP = 'INSERT' THEN 'p:' ELSE 'r:' END) || NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER rate_outbox_report_insert AFTER INSERT ON reports FOR EACH ROW EXECUTE FUNCTION rate_outbox_report();
-- a rating, and a state change of a rated report (only closed reports' ratings count)
CREATE TRIGGER rate_outbox_report_rating AFTER UPDATE OF rating, state ON reports FOR EACH ROW
  WHEN (NEW.rating IS NOT NULL OR OLD.rating IS NOT NULL) EXECUTE FUNCTION rate_outbox_report();
