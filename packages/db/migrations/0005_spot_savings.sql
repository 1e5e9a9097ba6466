-- 0005_spot_savings: what the spot handler, the savings sampler, the notifications outbox and the office-hours
-- scheduler keep. Tenant rules as in 0001: every row carries customer_id; cluster rows reference the cluster
-- through (customer_id, cluster_id) → clusters (customer_id, id). Money is numeric USD, times timestamptz.
-- Keep packages/db/src/schema/spot-savings.schema.ts in step (schema.int.test.ts checks it).

-- Replacements the spot handler launched for interrupted Spot nodes. On-demand ones are swapped back to Spot
-- (status active → swap_planned → swapped) once a safe pool exists again; 'gone' when the instance went away.
CREATE TABLE spot_replacements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  -- the spot_events row (its id, not the EventBridge id) whose handling launched it
  spot_event_id uuid NOT NULL REFERENCES spot_events (id) ON DELETE CASCADE,
  instance_id text NOT NULL,
  instance_type text NOT NULL,
  availability_zone text NOT NULL,
  capacity_type text NOT NULL CHECK (capacity_type IN ('spot', 'on-demand')),
  launched_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'swap_planned', 'swapped', 'gone')),
  -- the spot_optimize plan (or the recorded intent) that swaps it back
  swap_plan_id text,
  swap_requested_at timestamptz,
  swap_note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT spot_replacements_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT spot_replacements_cluster_instance_key UNIQUE (cluster_id, instance_id)
);
-- the swap-back worker scans active on-demand replacements, oldest first
CREATE INDEX spot_replacements_status_launched_idx ON spot_replacements (status, launched_at);

-- Cost of a cluster at an instant (USD per hour) from its nodes' real prices, and the same capacity on
-- on-demand (the baseline). Savings per hour / month / cumulative are computed over these samples.
CREATE TABLE cost_samples (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  at timestamptz NOT NULL,
  cost_per_hour numeric(18, 6) NOT NULL CHECK (cost_per_hour >= 0),
  baseline_per_hour numeric(18, 6) NOT NULL CHECK (baseline_per_hour >= 0),
  spot_nodes integer NOT NULL DEFAULT 0 CHECK (spot_nodes >= 0),
  on_demand_nodes integer NOT NULL DEFAULT 0 CHECK (on_demand_nodes >= 0),
  -- nodes whose instance type has no known price (left out of both sums)
  unpriced_nodes integer NOT NULL DEFAULT 0 CHECK (unpriced_nodes >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cost_samples_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT cost_samples_cluster_at_key UNIQUE (cluster_id, at)
);
CREATE INDEX cost_samples_customer_at_idx ON cost_samples (customer_id, at);

-- Where a customer's notifications go: a Slack-compatible webhook, a generic signed webhook, or e-mail.
CREATE TABLE notification_channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  kind text NOT NULL CHECK (kind IN ('slack', 'webhook', 'email')),
  -- a URL (slack, webhook) or comma-separated e-mail addresses (email)
  target text NOT NULL CHECK (length(target) > 0),
  -- HMAC-SHA256 key of a generic webhook; kept as is because signing needs it; shown once at creation
  secret text,
  -- event types it receives; empty = every type
  events text[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_channels_customer_name_key UNIQUE (customer_id, name),
  CONSTRAINT notification_channels_customer_id_id_key UNIQUE (customer_id, id)
);

-- The notifications outbox: one row per (channel, event); a worker sends due rows and retries with backoff.
CREATE TABLE notification_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  channel_id uuid NOT NULL,
  cluster_id uuid,
  event_type text NOT NULL CHECK (event_type IN ('interruption_handled', 'plan_awaiting_approval', 'plan_failed', 'cluster_red', 'test')),
  -- idempotency key of the event: the same event notified twice is one delivery per channel
  event_key text NOT NULL CHECK (length(event_key) > 0),
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  -- HTTP status of the last webhook attempt
  last_status_code integer,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_deliveries_channel_fkey FOREIGN KEY (customer_id, channel_id) REFERENCES notification_channels (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT notification_deliveries_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT notification_deliveries_channel_event_key UNIQUE (channel_id, event_key)
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (status, next_attempt_at);
CREATE INDEX notification_deliveries_customer_created_idx ON notification_deliveries (customer_id, created_at DESC);

-- Workloads the office-hours scheduler scaled down, with the replica count to restore. A row lives from the
-- scale-down until the restore succeeded.
CREATE TABLE office_hours_workloads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  namespace text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('Deployment', 'StatefulSet', 'ReplicaSet')),
  name text NOT NULL,
  original_replicas integer NOT NULL CHECK (original_replicas >= 0),
  state text NOT NULL DEFAULT 'scaling_down' CHECK (state IN ('scaling_down', 'down', 'restoring')),
  -- the downtime window that scaled it down (the scale_workload idempotency key is derived from it)
  window_key text NOT NULL,
  task_id text,
  scaled_down_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT office_hours_workloads_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT office_hours_workloads_workload_key UNIQUE (cluster_id, namespace, kind, name)
);
