-- 0001_init: the seed's tables (SPEC §4) for a multi-tenant control plane.
-- Every customer-owned row carries customer_id; rows that also belong to a cluster reference it through the
-- composite key (customer_id, cluster_id) → clusters (customer_id, id), so a row can never pair one customer
-- with another customer's cluster. Money is numeric (USD), resource quantities double precision, times timestamptz.
-- Column names follow the SPEC §2 messages (ClusterState, NodeMetric, SpotEvent) in snake_case.
-- Keep packages/db/src/schema.ts in step (schema.int.test.ts checks it).

CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  contact_email text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_name_key ON customers (lower(name));

-- Per-customer settings (defaults for its clusters) and how CloudOptim reaches the customer's AWS account.
CREATE TABLE customer_config (
  customer_id uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  automation_mode text NOT NULL DEFAULT 'recommend' CHECK (automation_mode IN ('off', 'recommend', 'automate')),
  max_spot_share double precision NOT NULL DEFAULT 0.8 CHECK (max_spot_share >= 0 AND max_spot_share <= 1),
  max_instance_family_share double precision NOT NULL DEFAULT 0.4 CHECK (max_instance_family_share > 0 AND max_instance_family_share <= 1),
  max_disrupted_nodes integer NOT NULL DEFAULT 1 CHECK (max_disrupted_nodes >= 0),
  excluded_namespaces text[] NOT NULL DEFAULT '{kube-system}',
  aws_role_arn text,
  aws_external_id text,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A cluster and its latest reported state (ClusterState); the state columns are overwritten by each report.
CREATE TABLE clusters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id),
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  region text NOT NULL,
  aws_account_id text CHECK (aws_account_id ~ '^[0-9]{12}$'),
  -- null until the agent's first report
  health_status text CHECK (health_status IN ('GREEN', 'YELLOW', 'RED')),
  total_nodes integer NOT NULL DEFAULT 0 CHECK (total_nodes >= 0),
  spot_nodes integer NOT NULL DEFAULT 0 CHECK (spot_nodes >= 0),
  on_demand_nodes integer NOT NULL DEFAULT 0 CHECK (on_demand_nodes >= 0),
  total_cpu_cores double precision NOT NULL DEFAULT 0 CHECK (total_cpu_cores >= 0),
  total_memory_gb double precision NOT NULL DEFAULT 0 CHECK (total_memory_gb >= 0),
  allocated_cpu_cores double precision NOT NULL DEFAULT 0 CHECK (allocated_cpu_cores >= 0),
  allocated_memory_gb double precision NOT NULL DEFAULT 0 CHECK (allocated_memory_gb >= 0),
  total_pods integer NOT NULL DEFAULT 0 CHECK (total_pods >= 0),
  running_pods integer NOT NULL DEFAULT 0 CHECK (running_pods >= 0),
  pending_pods integer NOT NULL DEFAULT 0 CHECK (pending_pods >= 0),
  current_cost_per_hour numeric(18, 6) NOT NULL DEFAULT 0 CHECK (current_cost_per_hour >= 0),
  baseline_cost_per_hour numeric(18, 6) NOT NULL DEFAULT 0 CHECK (baseline_cost_per_hour >= 0),
  -- when the agent last reported the state above (ClusterState.last_updated)
  last_updated timestamptz,
  last_heartbeat_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT clusters_customer_name_key UNIQUE (customer_id, name),
  -- target of the tenant-safe composite foreign keys below
  CONSTRAINT clusters_customer_id_id_key UNIQUE (customer_id, id)
);

-- The nodes of a cluster as last reported (NodeMetric); one row per EC2 instance in the cluster.
CREATE TABLE nodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  node_name text NOT NULL,
  instance_id text NOT NULL,
  instance_type text NOT NULL,
  availability_zone text NOT NULL,
  capacity_type text NOT NULL CHECK (capacity_type IN ('spot', 'on-demand')),
  cpu_allocatable_cores double precision NOT NULL DEFAULT 0 CHECK (cpu_allocatable_cores >= 0),
  memory_allocatable_gb double precision NOT NULL DEFAULT 0 CHECK (memory_allocatable_gb >= 0),
  cpu_allocated_cores double precision NOT NULL DEFAULT 0 CHECK (cpu_allocated_cores >= 0),
  memory_allocated_gb double precision NOT NULL DEFAULT 0 CHECK (memory_allocated_gb >= 0),
  cpu_used_cores double precision NOT NULL DEFAULT 0 CHECK (cpu_used_cores >= 0),
  memory_used_gb double precision NOT NULL DEFAULT 0 CHECK (memory_used_gb >= 0),
  pod_count integer NOT NULL DEFAULT 0 CHECK (pod_count >= 0),
  unschedulable boolean NOT NULL DEFAULT false,
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT nodes_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT nodes_cluster_instance_key UNIQUE (cluster_id, instance_id)
);
CREATE INDEX nodes_customer_cluster_idx ON nodes (customer_id, cluster_id);
-- interruption handling maps an instance to its node within a customer
CREATE INDEX nodes_customer_instance_idx ON nodes (customer_id, instance_id);
CREATE INDEX nodes_cluster_node_name_idx ON nodes (cluster_id, node_name);

-- Spot interruption warnings, rebalance recommendations and terminations (SpotEvent). Idempotent per customer on
-- event_id (the EventBridge event id), so the same SQS message stored twice is one row. cluster_id is null when
-- the instance could not be mapped to a cluster.
CREATE TABLE spot_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id),
  cluster_id uuid,
  event_id text NOT NULL CHECK (length(event_id) > 0),
  event_type text NOT NULL CHECK (event_type IN ('interruption_warning', 'rebalance_recommendation', 'instance_terminated')),
  instance_id text NOT NULL,
  region text NOT NULL,
  availability_zone text,
  received_at timestamptz NOT NULL,
  interruption_time timestamptz,
  node_name text,
  action_taken text,
  replacement_instance_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT spot_events_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT spot_events_customer_event_key UNIQUE (customer_id, event_id)
);
CREATE INDEX spot_events_customer_received_idx ON spot_events (customer_id, received_at DESC);
CREATE INDEX spot_events_cluster_received_idx ON spot_events (cluster_id, received_at DESC) WHERE cluster_id IS NOT NULL;
CREATE INDEX spot_events_customer_instance_idx ON spot_events (customer_id, instance_id);

-- One optimization (a DecisionResponse and what became of it): the plan, its estimate and, later, actual savings.
CREATE TABLE optimization_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  request_id text,
  decision_type text NOT NULL CHECK (decision_type IN ('spot_optimize', 'bin_pack', 'rightsize', 'schedule')),
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'approved', 'rejected', 'executing', 'succeeded', 'failed', 'rolled_back', 'cancelled')),
  triggered_by text,
  recommendations jsonb NOT NULL DEFAULT '[]'::jsonb,
  execution_plan jsonb NOT NULL DEFAULT '[]'::jsonb,
  risk_assessment jsonb,
  confidence_score double precision CHECK (confidence_score >= 0 AND confidence_score <= 1),
  -- USD per month
  estimated_savings numeric(18, 6),
  actual_savings numeric(18, 6),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  CONSTRAINT optimization_history_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX optimization_history_customer_cluster_created_idx ON optimization_history (customer_id, cluster_id, created_at DESC);
CREATE UNIQUE INDEX optimization_history_cluster_request_key ON optimization_history (cluster_id, request_id) WHERE request_id IS NOT NULL;

-- Cluster metrics rolled up per time bucket (e.g. 300 s, 3600 s), for charts and savings over time.
CREATE TABLE metrics_summary (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  bucket_start timestamptz NOT NULL,
  bucket_seconds integer NOT NULL CHECK (bucket_seconds > 0),
  sample_count integer NOT NULL DEFAULT 0 CHECK (sample_count >= 0),
  avg_total_nodes double precision NOT NULL DEFAULT 0,
  avg_spot_nodes double precision NOT NULL DEFAULT 0,
  avg_total_cpu_cores double precision NOT NULL DEFAULT 0,
  avg_allocated_cpu_cores double precision NOT NULL DEFAULT 0,
  avg_used_cpu_cores double precision NOT NULL DEFAULT 0,
  avg_total_memory_gb double precision NOT NULL DEFAULT 0,
  avg_allocated_memory_gb double precision NOT NULL DEFAULT 0,
  avg_used_memory_gb double precision NOT NULL DEFAULT 0,
  max_pending_pods integer NOT NULL DEFAULT 0 CHECK (max_pending_pods >= 0),
  -- USD over the bucket
  cost numeric(18, 6) NOT NULL DEFAULT 0 CHECK (cost >= 0),
  baseline_cost numeric(18, 6) NOT NULL DEFAULT 0 CHECK (baseline_cost >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT metrics_summary_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT metrics_summary_bucket_key UNIQUE (cluster_id, bucket_seconds, bucket_start)
);
CREATE INDEX metrics_summary_customer_bucket_idx ON metrics_summary (customer_id, bucket_start DESC);
