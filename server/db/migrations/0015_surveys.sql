-- Surveys (issue 11). The definition lives in rows, not in one JSON blob, so that the rates can select the questions
-- marked for a figure (figure, favourable) with SQL; per-type settings (options, labels, rows, limits) are jsonb.
CREATE TABLE surveys (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title               text NOT NULL,
  description         text NOT NULL DEFAULT '',
  region_code         text NOT NULL REFERENCES regions(code),
  -- 'residents': only residents whose community lies in the region; 'signed_in': anyone signed in
  audience            text NOT NULL CHECK (audience IN ('residents', 'signed_in')),
  anonymous           boolean NOT NULL,
  results_public      boolean NOT NULL DEFAULT false,
  quota_per_community integer CHECK (quota_per_community IS NULL OR quota_per_community > 0),
  starts_at           timestamptz NOT NULL,
  ends_at             timestamptz NOT NULL,
  status              text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
  template_key        text,
  created_by          bigint NOT NULL REFERENCES users(id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  published_at        timestamptz,
  closed_at           timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX surveys_region_idx ON surveys (region_code, status);
CREATE INDEX surveys_open_ends_idx ON surveys (ends_at) WHERE status = 'published';

CREATE TABLE survey_sections (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survey_id  bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  key        text NOT NULL,
  position   integer NOT NULL,
  title      text NOT NULL,
  -- all clauses must hold: [{question, row?, anyOf: [values]}]
  show_when  jsonb NOT NULL DEFAULT '[]'::jsonb,
  UNIQUE (survey_id, key)
);

CREATE TABLE survey_questions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survey_id   bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  section_key text NOT NULL,
  key         text NOT NULL,
  position    integer NOT NULL,
  type        text NOT NULL CHECK (type IN ('single', 'multiple', 'scale5', 'rating10', 'short_text', 'long_text', 'matrix')),
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  required    boolean NOT NULL,
  config      jsonb NOT NULL DEFAULT '{}'::jsonb,
  show_when   jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- what the rates read: the figure this question feeds and the stored values that count as favourable (or eligible)
  figure      text CHECK (figure IN ('awareness', 'support', 'satisfaction', 'eligibility')),
  favourable  text[] NOT NULL DEFAULT '{}',
  UNIQUE (survey_id, key),
  CHECK (figure IS NULL OR cardinality(favourable) > 0)
);
CREATE INDEX survey_questions_figure_idx ON survey_questions (figure) WHERE figure IS NOT NULL;

-- One per resident per survey, anonymous or not: the primary key is the rule (no check-then-insert). It holds no
-- time and no reference to the response, so that it cannot be joined to an anonymous response.
CREATE TABLE survey_participations (
  survey_id bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  user_id   bigint NOT NULL REFERENCES users(id),
  PRIMARY KEY (survey_id, user_id)
);
CREATE INDEX survey_participations_user_idx ON survey_participations (user_id);

-- A random id; user_id and submitted_at only for surveys that are not anonymous; the day always.
CREATE TABLE survey_responses (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  survey_id      bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  user_id        bigint REFERENCES users(id),
  community_code text REFERENCES regions(code),
  submitted_on   date NOT NULL,
  submitted_at   timestamptz,
  UNIQUE (survey_id, user_id)
);
CREATE INDEX survey_responses_survey_idx ON survey_responses (survey_id, community_code);

-- One row per (response, question, matrix row): values are the stored option values ('5' … '1' on a scale, '0' … '10'
-- on a rating), so a figure is `picked && favourable`, exactly. community_code is the respondent's at answer time.
CREATE TABLE survey_answers (
  response_id    uuid NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
  survey_id      bigint NOT NULL,
  question_id    bigint NOT NULL REFERENCES survey_questions(id),
  row_key        text NOT NULL DEFAULT '',
  community_code text,
  submitted_on   date NOT NULL,
  picked         text[] NOT NULL DEFAULT '{}',
  num            integer,
  other_text     text,
  text_value     text,
  -- text (or "其他" note) that WeChat's content check did not pass, or could not check: kept for staff, marked
  held           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (response_id, question_id, row_key)
);
CREATE INDEX survey_answers_question_idx ON survey_answers (question_id, row_key);

-- Quota per community: a counter row updated under its row lock, so concurrent submits never pass the quota.
CREATE TABLE survey_quota_counts (
  survey_id      bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  community_code text NOT NULL,
  taken          integer NOT NULL DEFAULT 0,
  PRIMARY KEY (survey_id, community_code)
);

-- Save-and-continue: the partial answers of a resident, removed when the response is submitted.
CREATE TABLE survey_drafts (
  survey_id  bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id),
  answers    jsonb NOT NULL,
  page       integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (survey_id, user_id)
);
