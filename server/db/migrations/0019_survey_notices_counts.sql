-- Surveys, second part (issue 11): opening notices, conditions with "any", and counts kept as answers arrive.

-- "有新问卷时通知我": the resident's standing consent (personal data: surveys/personal-data.ts). Opting out deletes it.
CREATE TABLE survey_notice_consents (
  user_id   bigint PRIMARY KEY REFERENCES users(id),
  -- where it was given: on weapp after WeChat's own subscribe prompt was accepted
  channel   text NOT NULL CHECK (channel IN ('weapp', 'h5')),
  agreed_at timestamptz NOT NULL DEFAULT now()
);

-- One opening notice per survey per resident, whoever enqueues it (the publish, the job in any process): the
-- primary key decides, and only rows inserted here become messages in notification_outbox.
CREATE TABLE survey_opening_notices (
  survey_id bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  user_id   bigint NOT NULL REFERENCES users(id),
  PRIMARY KEY (survey_id, user_id)
);
CREATE INDEX survey_opening_notices_user_idx ON survey_opening_notices (user_id);

-- announced_at: the opening notices were enqueued (at publish when already open, else by the job once the window
-- starts). version: bumped by every edit, so a submission checked against a cached definition is refused if the
-- survey changed before its transaction (queries.RECORD).
ALTER TABLE surveys ADD COLUMN announced_at timestamptz, ADD COLUMN version integer NOT NULL DEFAULT 1;
UPDATE surveys SET announced_at = coalesce(published_at, now()) WHERE status <> 'draft';
CREATE INDEX surveys_unannounced_idx ON surveys (starts_at) WHERE status = 'published' AND announced_at IS NULL;

-- A display condition's clauses: 'all' must hold, or 'any' one of them.
ALTER TABLE survey_sections ADD COLUMN show_match text NOT NULL DEFAULT 'all' CHECK (show_match IN ('all', 'any'));
ALTER TABLE survey_questions ADD COLUMN show_match text NOT NULL DEFAULT 'all' CHECK (show_match IN ('all', 'any'));

-- Counts per (question, matrix row, community, value), added to in the transaction that stores the answers, so that
-- results and cross-tabs by community or street read a few hundred rows instead of every answer.
--  question_id 0: the responses themselves (value '').
--  value '': respondents who answered (for a matrix with row_key '': who answered any of its rows), with the sum of
--            their numeric answers (the mean of a scale) and how many wrote an "其他" note.
--  community_code '': responses without a community.
CREATE TABLE survey_counts (
  survey_id      bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  question_id    bigint NOT NULL,
  row_key        text NOT NULL,
  community_code text NOT NULL,
  value          text NOT NULL,
  n              integer NOT NULL,
  num_sum        bigint NOT NULL DEFAULT 0,
  others         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (survey_id, question_id, row_key, community_code, value)
);

-- Cross-tabs by another question: a pair is counted from the first time staff ask for it (recounted from the answers
-- under the survey's row lock, which submissions hold shared), then added to with every response.
CREATE TABLE survey_tracked_pairs (
  survey_id      bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  question_id    bigint NOT NULL,
  row_key        text NOT NULL,
  by_question_id bigint NOT NULL,
  by_row_key     text NOT NULL,
  PRIMARY KEY (survey_id, question_id, row_key, by_question_id, by_row_key)
);
--  value '': the group's respondents (who answered both questions with by_value)
CREATE TABLE survey_pair_counts (
  survey_id      bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  question_id    bigint NOT NULL,
  row_key        text NOT NULL,
  by_question_id bigint NOT NULL,
  by_row_key     text NOT NULL,
  by_value       text NOT NULL,
  value          text NOT NULL,
  n              integer NOT NULL,
  PRIMARY KEY (survey_id, question_id, row_key, by_question_id, by_row_key, by_value, value)
);
