-- Regions: city → district → street/town → community → grid.
CREATE TABLE regions (
  code        text PRIMARY KEY,
  parent_code text REFERENCES regions(code),
  level       text NOT NULL CHECK (level IN ('city', 'district', 'street', 'community', 'grid')),
  name        text NOT NULL,
  population  integer NOT NULL DEFAULT 0 CHECK (population >= 0),
  boundary    jsonb,
  center_lng  double precision,
  center_lat  double precision,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX regions_parent_idx ON regions (parent_code);
CREATE INDEX regions_level_idx ON regions (level);

-- Bumped on every import so that each API process knows to rebuild its spatial index.
CREATE TABLE region_versions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  imported_by bigint,
  summary    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  openid         text UNIQUE,
  unionid        text,
  phone          text UNIQUE,
  nickname       text NOT NULL DEFAULT '',
  community_code text REFERENCES regions(code),
  elder_mode     boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_community_idx ON users (community_code);

-- Roles beyond "resident" (which everyone is). A worker's grant names the region it covers.
CREATE TABLE role_grants (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id),
  role        text NOT NULL CHECK (role IN ('volunteer', 'worker', 'office')),
  region_code text REFERENCES regions(code),
  granted_by  bigint REFERENCES users(id),
  granted_at  timestamptz NOT NULL DEFAULT now(),
  revoked_by  bigint REFERENCES users(id),
  revoked_at  timestamptz,
  CHECK (role <> 'worker' OR region_code IS NOT NULL)
);
-- One live grant per user, role and region.
CREATE UNIQUE INDEX role_grants_live_uniq ON role_grants (user_id, role, coalesce(region_code, '')) WHERE revoked_at IS NULL;

CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id),
  channel     text NOT NULL CHECK (channel IN ('wechat', 'sms')),
  wx_session_key text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE sms_codes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone      text NOT NULL,
  code_hash  text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  failed_attempts integer NOT NULL DEFAULT 0,
  requester_ip text
);
CREATE INDEX sms_codes_phone_idx ON sms_codes (phone, created_at DESC);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id   bigint REFERENCES users(id),
  action     text NOT NULL,
  target     text NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_target_idx ON audit_log (target, created_at DESC);

-- Stored responses of writes that a phone may retry (Idempotency-Key header).
CREATE TABLE idempotency_keys (
  user_id     bigint NOT NULL REFERENCES users(id),
  key         text NOT NULL,
  route       text NOT NULL,
  status_code integer,
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
