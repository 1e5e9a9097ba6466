-- 0003_agent_link: what flows between central and the agents — tasks with leases, the agents' heartbeats,
-- Kubernetes events, the latest pods, metrics history (raw then hourly) and the latest ClusterMetrics.
-- Every row belongs to a cluster through the tenant-safe composite key (customer_id, cluster_id).
-- Times that decide leases, deadlines and retention are written from the server's Clock, never now(), so tests
-- and the simulator can drive them. Keep packages/db/src/schema/agent-link.schema.ts in step.

-- Kubernetes work for a cluster's agent. A lease (lease_owner, lease_expires_at) hands a task to one poller;
-- when it expires the task is offered again with attempts + 1 (until max_attempts), and a result is accepted
-- only for the current attempt. idempotency_key makes enqueueing the same step twice one task.
CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  task_type text NOT NULL CHECK (task_type IN ('cordon_node', 'uncordon_node', 'drain_node', 'label_node', 'taint_node',
    'evict_pod', 'scale_workload', 'patch_workload_resources', 'delete_node', 'collect_metrics')),
  parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- 1 most urgent … 10
  priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'leased', 'running', 'success', 'failed', 'timeout', 'cancelled')),
  -- leases handed out so far; the current attempt's number once leased
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  lease_owner text,
  lease_expires_at timestamptz,
  deadline timestamptz NOT NULL,
  idempotency_key text NOT NULL CHECK (length(idempotency_key) > 0),
  created_by text NOT NULL CHECK (length(created_by) > 0),
  -- the optimization plan step this task carries out (plans live in 0004, hence no foreign key)
  plan_id uuid,
  plan_step integer CHECK (plan_step >= 1),
  -- pushed over the agent's WebSocket at once (urgent drains)
  urgent boolean NOT NULL DEFAULT false,
  -- for urgent drains: when AWS reclaims the instance
  interruption_time timestamptz,
  -- the agent's TaskResult and the attempt it belongs to
  result jsonb,
  result_attempt integer,
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT tasks_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT tasks_cluster_idempotency_key UNIQUE (cluster_id, idempotency_key)
);
-- the lease query: a cluster's offerable tasks by priority, then age
CREATE INDEX tasks_lease_idx ON tasks (cluster_id, status, priority, created_at);
CREATE INDEX tasks_customer_cluster_created_idx ON tasks (customer_id, cluster_id, created_at DESC);
CREATE INDEX tasks_plan_idx ON tasks (plan_id, plan_step) WHERE plan_id IS NOT NULL;

-- The last heartbeat of each cluster's agent (one row per cluster; health is computed from received_at).
CREATE TABLE agent_heartbeats (
  cluster_id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  agent_id text NOT NULL,
  agent_version text NOT NULL,
  kubernetes_version text,
  agent_status text NOT NULL CHECK (agent_status IN ('healthy', 'degraded')),
  problems jsonb NOT NULL DEFAULT '[]'::jsonb,
  buffered_messages integer NOT NULL DEFAULT 0 CHECK (buffered_messages >= 0),
  -- the agent's clock when it sent the heartbeat (skew = received_at - agent_time)
  agent_time timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  CONSTRAINT agent_heartbeats_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE
);

-- Kubernetes events the agent reports (ClusterEvent); event_id is the agent's dedupe key, unique per cluster.
CREATE TABLE cluster_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  event_id text NOT NULL CHECK (length(event_id) > 0),
  kind text NOT NULL CHECK (kind IN ('node_added', 'node_removed', 'node_not_ready', 'node_ready', 'pod_evicted',
    'pod_oom_killed', 'pod_unschedulable', 'spot_interruption_notice', 'agent_started')),
  occurred_at timestamptz NOT NULL,
  node_name text,
  instance_id text,
  namespace text,
  pod_name text,
  reason text,
  message text,
  received_at timestamptz NOT NULL,
  CONSTRAINT cluster_events_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT cluster_events_cluster_event_key UNIQUE (cluster_id, event_id)
);
CREATE INDEX cluster_events_cluster_occurred_idx ON cluster_events (cluster_id, occurred_at DESC);

-- The pods of each cluster as the latest metrics report them (a pod missing from a newer report is deleted).
-- CPU in millicores, memory in bytes; containers holds each container's requests, limits and usage.
CREATE TABLE pod_snapshots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  namespace text NOT NULL,
  pod_name text NOT NULL,
  node_name text,
  owner_kind text,
  owner_name text,
  phase text NOT NULL CHECK (phase IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown')),
  containers jsonb NOT NULL DEFAULT '[]'::jsonb,
  cpu_request_millicores bigint NOT NULL DEFAULT 0 CHECK (cpu_request_millicores >= 0),
  memory_request_bytes bigint NOT NULL DEFAULT 0 CHECK (memory_request_bytes >= 0),
  -- null when metrics.k8s.io gave no usage
  cpu_usage_millicores bigint,
  memory_usage_bytes bigint,
  -- summed container restarts, and containers whose last termination was an OOM kill
  restarts integer NOT NULL DEFAULT 0 CHECK (restarts >= 0),
  oom_kills integer NOT NULL DEFAULT 0 CHECK (oom_kills >= 0),
  -- the metrics timestamp the row was last reported in
  observed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pod_snapshots_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT pod_snapshots_cluster_pod_key UNIQUE (cluster_id, namespace, pod_name)
);
CREATE INDEX pod_snapshots_cluster_node_idx ON pod_snapshots (cluster_id, node_name);

-- Metrics over time per cluster (node_name '') and per node: raw samples (resolution 60) and, after the raw
-- retention, hourly averages (resolution 3600, sampled_at = the hour). CPU in cores, memory in GB, money USD/hour.
CREATE TABLE metrics_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  node_name text NOT NULL DEFAULT '',
  resolution_seconds integer NOT NULL CHECK (resolution_seconds IN (60, 3600)),
  sampled_at timestamptz NOT NULL,
  -- raw samples averaged into this row
  sample_count integer NOT NULL DEFAULT 1 CHECK (sample_count >= 1),
  node_count double precision NOT NULL DEFAULT 0,
  spot_node_count double precision NOT NULL DEFAULT 0,
  pod_count double precision NOT NULL DEFAULT 0,
  pending_pods double precision NOT NULL DEFAULT 0,
  cpu_allocatable_cores double precision NOT NULL DEFAULT 0,
  cpu_allocated_cores double precision NOT NULL DEFAULT 0,
  cpu_used_cores double precision,
  memory_allocatable_gb double precision NOT NULL DEFAULT 0,
  memory_allocated_gb double precision NOT NULL DEFAULT 0,
  memory_used_gb double precision,
  cost_per_hour numeric(18, 6) NOT NULL DEFAULT 0 CHECK (cost_per_hour >= 0),
  baseline_cost_per_hour numeric(18, 6) NOT NULL DEFAULT 0 CHECK (baseline_cost_per_hour >= 0),
  CONSTRAINT metrics_history_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT metrics_history_sample_key UNIQUE (cluster_id, node_name, resolution_seconds, sampled_at)
);
-- retention scans by resolution and age across clusters
CREATE INDEX metrics_history_resolution_sampled_idx ON metrics_history (resolution_seconds, sampled_at);

-- The latest ClusterMetrics of each cluster as the agent sent it (what the optimizer decides from).
CREATE TABLE cluster_metrics_latest (
  cluster_id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  metrics jsonb NOT NULL,
  -- ClusterMetrics.timestamp (agent clock); a report older than this one does not replace it
  sampled_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  CONSTRAINT cluster_metrics_latest_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE
);
