-- 0008_auth_hardening: failed sign-ins counted where every replica sees them. Keep
-- packages/db/src/schema/auth.schema.ts in step (schema.int.test.ts checks it).

-- One row per throttled bucket: `email:<hex sha256 of the normalised address>` or `ip:<hex sha256 of the
-- address>` (hashed, so addresses tried against accounts that do not exist are not kept in clear). A window
-- starts at a bucket's first failure and lasts LOGIN_FAILURE_WINDOW_SECONDS; the application compares it with
-- its Clock, and the auth housekeeping worker deletes rows whose window has ended.
CREATE TABLE login_failures (
  bucket text PRIMARY KEY CHECK (bucket ~ '^(email|ip):[0-9a-f]{64}$'),
  failures integer NOT NULL CHECK (failures > 0),
  window_started_at timestamptz NOT NULL,
  last_failure_at timestamptz NOT NULL
);
CREATE INDEX login_failures_window_idx ON login_failures (window_started_at);
