-- Quizzes: question bank, campaigns (答题活动), attempts, points, live quizzes (现场答题).

-- The bank. Options are a JSON array of strings; the answer a JSON array of 0-based option indexes
-- (one for single choice and true/false, one or more for multiple choice). Answers never leave the
-- server before the attempt that drew the question is submitted.
CREATE TABLE quiz_questions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- stable key of a question shipped with the product ('hx-001'); NULL for imported ones
  bank_key    text UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('single', 'multiple', 'judge')),
  stem        text NOT NULL CHECK (length(stem) BETWEEN 1 AND 500),
  options     jsonb NOT NULL,
  answer      jsonb NOT NULL,
  explanation text NOT NULL DEFAULT '',
  tags        text[] NOT NULL DEFAULT '{}',
  difficulty  smallint NOT NULL CHECK (difficulty BETWEEN 1 AND 3),
  -- NULL: the city-wide bank; otherwise the region of the worker who imported it (used there and below)
  region_code text REFERENCES regions(code),
  active      boolean NOT NULL DEFAULT true,
  created_by  bigint REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (jsonb_typeof(options) = 'array' AND jsonb_array_length(options) BETWEEN 2 AND 6),
  CHECK (jsonb_typeof(answer) = 'array' AND jsonb_array_length(answer) >= 1)
);
CREATE INDEX quiz_questions_tags_idx ON quiz_questions USING gin (tags);

CREATE TABLE quiz_campaigns (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  region_code        text NOT NULL REFERENCES regions(code),
  title              text NOT NULL,
  description        text NOT NULL DEFAULT '',
  starts_at          timestamptz NOT NULL,
  ends_at            timestamptz NOT NULL,
  question_count     integer NOT NULL CHECK (question_count BETWEEN 1 AND 100),
  -- [{"tag": "垃圾分类", "count": 3}, …]; the rest of question_count is drawn from any tag
  tag_mix            jsonb NOT NULL DEFAULT '[]'::jsonb,
  difficulties       smallint[] NOT NULL DEFAULT '{1,2,3}',
  time_limit_seconds integer NOT NULL CHECK (time_limit_seconds BETWEEN 30 AND 7200),
  pass_score         integer NOT NULL CHECK (pass_score BETWEEN 0 AND 100),
  max_attempts       integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 20),
  created_by         bigint NOT NULL REFERENCES users(id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  cancelled_at       timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX quiz_campaigns_region_idx ON quiz_campaigns (region_code, ends_at);

-- Every quiz a resident took: campaign attempts, daily practice, live quizzes. The figures (participants,
-- pass rate, average score; later the awareness rate) are computed from these rows.
CREATE TABLE quiz_attempts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('campaign', 'practice', 'live')),
  campaign_id    bigint REFERENCES quiz_campaigns(id),
  live_session_id bigint,
  user_id        bigint NOT NULL REFERENCES users(id),
  community_code text REFERENCES regions(code),
  street_code    text REFERENCES regions(code),
  attempt_no     integer NOT NULL DEFAULT 1,
  question_ids   bigint[] NOT NULL,
  started_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  submitted_at   timestamptz,
  -- set when a late submission was refused: the attempt is over, score 0
  expired_at     timestamptz,
  correct_count  integer,
  total          integer NOT NULL,
  score          integer CHECK (score BETWEEN 0 AND 100),
  passed         boolean,
  points         integer NOT NULL DEFAULT 0,
  CHECK (kind <> 'campaign' OR campaign_id IS NOT NULL)
);
-- attempt numbers make the attempt limit hold under concurrent starts
CREATE UNIQUE INDEX quiz_attempts_campaign_no_uniq ON quiz_attempts (campaign_id, user_id, attempt_no) WHERE campaign_id IS NOT NULL;
CREATE UNIQUE INDEX quiz_attempts_live_uniq ON quiz_attempts (live_session_id, user_id) WHERE live_session_id IS NOT NULL;
CREATE INDEX quiz_attempts_user_idx ON quiz_attempts (user_id, started_at DESC);
CREATE INDEX quiz_attempts_campaign_idx ON quiz_attempts (campaign_id, community_code) WHERE submitted_at IS NOT NULL;

CREATE TABLE quiz_attempt_answers (
  attempt_id  bigint NOT NULL REFERENCES quiz_attempts(id),
  question_id bigint NOT NULL REFERENCES quiz_questions(id),
  user_id     bigint NOT NULL REFERENCES users(id),
  given       jsonb NOT NULL,
  correct     boolean NOT NULL,
  answered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (attempt_id, question_id)
);
CREATE INDEX quiz_attempt_answers_wrong_idx ON quiz_attempt_answers (user_id, answered_at DESC) WHERE NOT correct;

-- Points ledger; day is the Asia/Shanghai calendar day the daily cap applies to.
CREATE TABLE quiz_points (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id),
  attempt_id bigint NOT NULL REFERENCES quiz_attempts(id) UNIQUE,
  day        date NOT NULL,
  points     integer NOT NULL CHECK (points > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quiz_points_user_day_idx ON quiz_points (user_id, day);

-- Live quizzes. The state lives here, not in any one API process.
CREATE TABLE quiz_live_sessions (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code                text NOT NULL CHECK (code ~ '^[0-9]{6}$'),
  title               text NOT NULL,
  host_id             bigint NOT NULL REFERENCES users(id),
  region_code         text REFERENCES regions(code),
  question_ids        bigint[] NOT NULL,
  question_seconds    integer NOT NULL CHECK (question_seconds BETWEEN 5 AND 300),
  state               text NOT NULL DEFAULT 'lobby' CHECK (state IN ('lobby', 'question', 'reveal', 'finished')),
  current_index       integer NOT NULL DEFAULT -1,
  question_started_at timestamptz,
  question_ends_at    timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  finished_at         timestamptz
);
-- a join code names one session that is not finished
CREATE UNIQUE INDEX quiz_live_sessions_code_uniq ON quiz_live_sessions (code) WHERE state <> 'finished';

CREATE TABLE quiz_live_participants (
  session_id bigint NOT NULL REFERENCES quiz_live_sessions(id),
  user_id    bigint NOT NULL REFERENCES users(id),
  nickname   text NOT NULL,
  score      integer NOT NULL DEFAULT 0,
  correct_count integer NOT NULL DEFAULT 0,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, user_id)
);

-- One answer per participant and question: the database says so.
CREATE TABLE quiz_live_answers (
  session_id     bigint NOT NULL REFERENCES quiz_live_sessions(id),
  question_index integer NOT NULL,
  user_id        bigint NOT NULL REFERENCES users(id),
  question_id    bigint NOT NULL REFERENCES quiz_questions(id),
  given          jsonb NOT NULL,
  correct        boolean NOT NULL,
  points         integer NOT NULL,
  elapsed_ms     integer NOT NULL,
  answered_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, question_index, user_id),
  FOREIGN KEY (session_id, user_id) REFERENCES quiz_live_participants(session_id, user_id)
);
