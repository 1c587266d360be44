-- 一天一通报 (issue 12): the daily bulletin, frozen as generated, and who agreed to be told of it.

-- One row per day reported on: the primary key is what makes "exactly one process generates it" true, whatever the
-- number of API processes (they insert ON CONFLICT DO NOTHING under an advisory lock; the loser sends nothing).
CREATE TABLE rate_bulletins (
  day          date PRIMARY KEY,
  city_code    text NOT NULL,
  -- the bulletin as it was at generation time (types/rates-bulletin.ts BulletinContent); never recomputed
  content      jsonb NOT NULL,
  generated_at timestamptz NOT NULL DEFAULT now(),
  -- the process that wrote it (host:pid), for the record
  generated_by text NOT NULL
);

-- A worker's consent to the bulletin's subscribe message: given on the page (in WeChat after the platform's own
-- subscribe prompt), withdrawn there too; each change is also in the audit log.
CREATE TABLE rate_bulletin_subscriptions (
  user_id      bigint PRIMARY KEY REFERENCES users(id),
  active       boolean NOT NULL,
  agreed_at    timestamptz NOT NULL,
  withdrawn_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- a bulletin is sent to a person once, however often the job or a retry runs
CREATE UNIQUE INDEX notification_outbox_bulletin_uniq ON notification_outbox (user_id, ref) WHERE kind = 'rates.bulletin';
