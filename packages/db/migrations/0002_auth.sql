-- 0002_auth: people and agents that may call central, what they did, per-cluster settings, and worker leases.
-- Secrets are never stored: passwords as argon2id PHC strings, session tokens and agent keys as the hex SHA-256
-- of the token (they are 32 random bytes, so a fast hash is enough and lookups stay one indexed equality).
-- Times the application compares against its Clock (expiry, revocation, leases) are written by the application.
-- Keep packages/db/src/schema/auth.schema.ts in step (schema.int.test.ts checks it).

-- Operators (customer_id null, see every customer) and customer users (customer_id set).
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('operator', 'customer_admin', 'customer_viewer')),
  customer_id uuid REFERENCES customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  disabled_at timestamptz,
  CONSTRAINT users_role_customer_check CHECK ((role = 'operator') = (customer_id IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_customer_idx ON users (customer_id, email) WHERE customer_id IS NOT NULL;

-- Login sessions; a session works while revoked_at is null and expires_at is in the future.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_seen_at timestamptz,
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Per-cluster agent API keys. revoked_at in the future is a scheduled revocation (the grace period of the old key
-- after a rotation); the key works while revoked_at is null or later than now.
CREATE TABLE agent_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  key_hash text NOT NULL,
  -- the key's first characters, for people to tell keys apart
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_used_at timestamptz,
  CONSTRAINT agent_keys_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT agent_keys_key_hash_key UNIQUE (key_hash)
);
CREATE INDEX agent_keys_customer_cluster_idx ON agent_keys (customer_id, cluster_id, created_at DESC);

-- Every action on a customer's account or cluster. No foreign keys on purpose: the trail outlives what it names
-- (a deleted cluster's "cluster.delete" entry keeps its cluster_id).
CREATE TABLE audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid,
  cluster_id uuid,
  -- "user:<email>", "agent:<cluster id>", "system:<worker>"
  actor text NOT NULL CHECK (length(actor) > 0),
  -- dotted verb: "cluster.register", "agent_key.rotate" …
  action text NOT NULL CHECK (length(action) > 0),
  target text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_customer_created_idx ON audit_log (customer_id, created_at DESC, id DESC);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);

-- A cluster's settings as changed from the defaults (absent keys take the code's defaults); version starts at 1
-- (no row = version 1, defaults) and grows by one with every change.
CREATE TABLE cluster_settings (
  cluster_id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cluster_settings_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE
);

-- Singleton background workers: the replica holding an unexpired lease on `name` runs it.
CREATE TABLE worker_leases (
  name text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  -- when the current owner took the lease (kept across renewals)
  acquired_at timestamptz NOT NULL
);
