-- Facts about this database as a whole, one row per key. 'demo': whether it was created in demo mode (demo city,
-- demo accounts whose sign-in codes are shown on the page). Written once by the first start after this migration
-- (server/seed/demo.ts claimDatabaseMode); the server never changes it, so demo accounts never live beside real ones.
CREATE TABLE instance_settings (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
