-- 随手拍 (reports): categories, photos, reports with their 台账 (events), co-reporters ("+1"),
-- the notification outbox and Open311 API keys.

CREATE TABLE report_categories (
  code               text PRIMARY KEY,
  name               text NOT NULL UNIQUE,
  icon               text NOT NULL,
  sla_hours          integer NOT NULL CHECK (sla_hours > 0),
  department         text NOT NULL,
  duplicate_radius_m integer NOT NULL DEFAULT 50 CHECK (duplicate_radius_m BETWEEN 1 AND 5000),
  sort_order         integer NOT NULL DEFAULT 0,
  active             boolean NOT NULL DEFAULT true
);

INSERT INTO report_categories (code, name, icon, sla_hours, department, duplicate_radius_m, sort_order) VALUES
  ('spitting',        '随地吐痰',       'spitting',   24,  '城市管理局',     50, 10),
  ('littering',       '乱扔垃圾',       'litter',     24,  '城市管理局',     50, 20),
  ('illegal_parking', '车辆乱停乱放',   'parking',    12,  '公安交警支队',   50, 30),
  ('blind_lane',      '占用盲道',       'blind-lane', 24,  '城市管理局',     50, 40),
  ('street_vending',  '占道经营',       'vendor',     24,  '城市管理局',     50, 50),
  ('dog_walking',     '不文明养犬',     'dog',        48,  '公安局（犬类管理）', 100, 60),
  ('red_light',       '闯红灯',         'traffic',    48,  '公安交警支队',   100, 70),
  ('illegal_ads',     '乱涂乱贴/小广告', 'poster',    48,  '城市管理局',     50, 80),
  ('no_helmet',       '电动车不戴头盔', 'helmet',     48,  '公安交警支队',   100, 90),
  ('illegal_building','乱搭乱建',       'building',  168,  '城市管理局（违建治理）', 50, 100),
  ('thrown_from_car', '车窗抛物',       'car-litter', 48,  '公安交警支队',   100, 110),
  ('damaged_facility','公共设施损坏',   'facility',   72,  '市政设施管理处', 50, 120);

-- Uploaded photos: stored (EXIF-free, re-encoded) before the report that uses them exists.
-- The id is random (unguessable): it is also the photo's URL.
CREATE TABLE report_photos (
  id          text PRIMARY KEY,
  owner_id    bigint NOT NULL REFERENCES users(id),
  report_id   bigint,
  event_id    bigint,
  source_format text NOT NULL,
  width       integer NOT NULL,
  height      integer NOT NULL,
  bytes       integer NOT NULL,
  storage_key text NOT NULL,
  thumb_key   text NOT NULL,
  -- WeChat content check of the image: pass, risky, or unchecked (check unavailable)
  sec_status  text NOT NULL CHECK (sec_status IN ('pass', 'risky', 'unchecked')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_photos_report_idx ON report_photos (report_id) WHERE report_id IS NOT NULL;
CREATE INDEX report_photos_event_idx ON report_photos (event_id) WHERE event_id IS NOT NULL;

CREATE TABLE reports (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  category_code  text NOT NULL REFERENCES report_categories(code),
  reporter_id    bigint NOT NULL REFERENCES users(id),
  anonymous      boolean NOT NULL DEFAULT false,
  description    text NOT NULL DEFAULT '',
  lng            double precision NOT NULL,
  lat            double precision NOT NULL,
  address        text NOT NULL DEFAULT '',
  community_code text NOT NULL REFERENCES regions(code),
  grid_code      text REFERENCES regions(code),
  state          text NOT NULL DEFAULT 'submitted' CHECK (state IN
                   ('submitted', 'accepted', 'dispatched', 'rectified', 'closed', 'closed_not_fixed', 'rejected', 'merged')),
  -- held by the content check (or by a worker): not public until a worker releases it
  held           boolean NOT NULL DEFAULT false,
  hold_reason    text,
  department     text NOT NULL,
  assignee_id    bigint REFERENCES users(id),
  merged_into    bigint REFERENCES reports(id),
  due_at         timestamptz NOT NULL,
  closed_at      timestamptz,
  rating         smallint CHECK (rating BETWEEN 1 AND 5),
  rating_comment text,
  rated_at       timestamptz,
  co_reporters   integer NOT NULL DEFAULT 0,
  reopen_count   integer NOT NULL DEFAULT 0,
  source         text NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'open311')),
  media_url      text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'merged' OR merged_into IS NOT NULL)
);
-- near-duplicate lookup: category and recent time first, then a bounding box on lat/lng (no PostGIS in PGlite)
CREATE INDEX reports_dup_idx ON reports (category_code, created_at) INCLUDE (lat, lng, state, held);
CREATE INDEX reports_community_idx ON reports (community_code, created_at DESC, id DESC);
CREATE INDEX reports_grid_idx ON reports (grid_code) WHERE grid_code IS NOT NULL;
CREATE INDEX reports_reporter_idx ON reports (reporter_id, created_at DESC, id DESC);
CREATE INDEX reports_created_idx ON reports (created_at DESC, id DESC);
CREATE INDEX reports_open_due_idx ON reports (due_at) WHERE state IN ('submitted', 'accepted', 'dispatched', 'rectified');

ALTER TABLE report_photos ADD CONSTRAINT report_photos_report_fk FOREIGN KEY (report_id) REFERENCES reports(id);

-- "+1 / 我也遇到了": once per person and report.
CREATE TABLE report_co_reporters (
  report_id  bigint NOT NULL REFERENCES reports(id),
  user_id    bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_co_reporters_user_idx ON report_co_reporters (user_id);

-- The 台账: every transition (and other act on a report) with actor, time, note and photos.
CREATE TABLE report_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  report_id  bigint NOT NULL REFERENCES reports(id),
  actor_id   bigint REFERENCES users(id),
  actor_role text NOT NULL CHECK (actor_role IN ('reporter', 'worker', 'office', 'system', 'open311')),
  action     text NOT NULL,
  from_state text,
  to_state   text,
  note       text,
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_events_report_idx ON report_events (report_id, id);
CREATE INDEX report_events_day_idx ON report_events (action, created_at);

ALTER TABLE report_photos ADD CONSTRAINT report_photos_event_fk FOREIGN KEY (event_id) REFERENCES report_events(id);

-- Subscribe messages, written in the transaction of the change they announce and sent by a worker loop.
CREATE TABLE notification_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users(id),
  kind            text NOT NULL,
  ref             text NOT NULL,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_failed_idx ON notification_outbox (created_at DESC) WHERE status = 'failed';

-- Open311: systems that file reports, each acting as a named account.
CREATE TABLE open311_keys (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  key_hash   text NOT NULL UNIQUE,
  account_id bigint NOT NULL REFERENCES users(id),
  created_by bigint REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
