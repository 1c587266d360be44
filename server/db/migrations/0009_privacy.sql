-- The person's rights (注销账号, export) and the moderation of what residents publish (举报).

-- 注销: the user row stays, emptied of everything that names the person, so that what the city keeps (reports,
-- quiz attempts, points, "+1"s, 台账 entries) still points at one row and every figure counts it once as before.
-- The phone and WeChat ids become NULL, so the same phone or WeChat account signs up again as a new user.
ALTER TABLE users ADD COLUMN erased_at timestamptz;

-- 举报: one flag per person and item; the reviewer's decision closes the flags it covered.
CREATE TABLE content_flags (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_kind   text NOT NULL CHECK (item_kind IN ('report')),
  item_id     bigint NOT NULL,
  flagger_id  bigint NOT NULL REFERENCES users(id),
  reason      text NOT NULL CHECK (reason IN ('privacy', 'abuse', 'false_info', 'ads', 'illegal', 'other')),
  note        text CHECK (length(note) <= 200),
  created_at  timestamptz NOT NULL DEFAULT now(),
  reviewed_at timestamptz,
  reviewed_by bigint REFERENCES users(id),
  outcome     text CHECK (outcome IN ('restore', 'hide', 'remove_content')),
  UNIQUE (item_kind, item_id, flagger_id)
);
CREATE INDEX content_flags_pending_idx ON content_flags (item_kind, item_id) WHERE reviewed_at IS NULL;
CREATE INDEX content_flags_flagger_idx ON content_flags (flagger_id);

-- What residents see of a report, apart from the content check's hold: visible; auto_hidden (flagged by enough
-- people, hidden until a reviewer decides); hidden (a reviewer hid it); content_removed (visible without its
-- description and photos). Workers and the office see everything in every case.
ALTER TABLE reports ADD COLUMN moderation text NOT NULL DEFAULT 'visible'
  CHECK (moderation IN ('visible', 'auto_hidden', 'hidden', 'content_removed'));
