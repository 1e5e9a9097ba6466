-- 0004_plans: optimization plans (a DecisionResponse stored with what became of it), their steps as the central
-- executor runs them, and the ledger of predicted vs measured savings per plan.
-- Steps are persisted before (status running, attempt + 1) and after each action, so a restarted executor
-- reconciles a step it finds running instead of repeating it. Money is numeric USD per month.
-- Keep packages/db/src/schema/plans.schema.ts in step (schema.int.test.ts checks it).

CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  decision_type text NOT NULL CHECK (decision_type IN ('spot_optimize', 'bin_pack', 'rightsize', 'schedule')),
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'approved', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled')),
  trigger text NOT NULL CHECK (trigger IN ('user', 'schedule', 'pending_pods', 'consolidator', 'spot_handler')),
  -- a preview: stored for the record, never approved nor executed
  dry_run boolean NOT NULL DEFAULT false,
  -- DecisionResponse.outcome: a plan with nothing to do or no feasible answer has no steps
  outcome text NOT NULL DEFAULT 'planned' CHECK (outcome IN ('planned', 'nothing_to_do', 'infeasible')),
  -- the DecisionRequest sent to the ML server and its DecisionResponse (recommendations, rationale, risk, plan)
  request jsonb NOT NULL,
  response jsonb NOT NULL,
  estimated_savings_monthly numeric(18, 6) NOT NULL DEFAULT 0,
  -- the latest measurement (savings_ledger), null until measured
  actual_savings_monthly numeric(18, 6),
  -- "user:<email>", "system:<worker>"
  created_by text NOT NULL CHECK (length(created_by) > 0),
  approved_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT plans_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE,
  -- target of the tenant-safe composite foreign keys of plan_steps and savings_ledger
  CONSTRAINT plans_customer_id_id_key UNIQUE (customer_id, id)
);
CREATE INDEX plans_customer_created_idx ON plans (customer_id, created_at DESC);
CREATE INDEX plans_cluster_created_idx ON plans (cluster_id, created_at DESC);
-- what the executor polls
CREATE INDEX plans_active_idx ON plans (status, created_at) WHERE status IN ('approved', 'running');

CREATE TABLE plan_steps (
  customer_id uuid NOT NULL,
  plan_id uuid NOT NULL,
  step integer NOT NULL CHECK (step > 0),
  -- an ExecutionAction: a cloud action (launch_instances …) or a task type (drain_node …)
  action text NOT NULL CHECK (length(action) > 0),
  description text,
  depends_on jsonb NOT NULL DEFAULT '[]'::jsonb,
  not_before timestamptz,
  parameters jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled_back')),
  -- times the executor started (or, after a restart, reconciled) the step
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  started_at timestamptz,
  finished_at timestamptz,
  -- what the step did: launched instance ids, task ids, nodes seen Ready …
  outcome jsonb,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_id, step),
  CONSTRAINT plan_steps_plan_fkey FOREIGN KEY (customer_id, plan_id) REFERENCES plans (customer_id, id) ON DELETE CASCADE
);

-- Predicted vs measured savings of a plan, one row per measurement.
CREATE TABLE savings_ledger (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  cluster_id uuid NOT NULL,
  predicted_monthly numeric(18, 6) NOT NULL,
  actual_monthly numeric(18, 6) NOT NULL,
  measured_at timestamptz NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT savings_ledger_plan_fkey FOREIGN KEY (customer_id, plan_id) REFERENCES plans (customer_id, id) ON DELETE CASCADE,
  CONSTRAINT savings_ledger_cluster_fkey FOREIGN KEY (customer_id, cluster_id) REFERENCES clusters (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX savings_ledger_plan_measured_idx ON savings_ledger (plan_id, measured_at DESC);
CREATE INDEX savings_ledger_customer_measured_idx ON savings_ledger (customer_id, cluster_id, measured_at DESC);
