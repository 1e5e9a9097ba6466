-- 0007_client_perf: what keeps the agents' hot paths cheap as tables grow. Keep
-- packages/db/src/schema/agent-link.schema.ts in step.

-- A cluster's open tasks only. Every task poll, every heartbeat (its pending count) and the timeout sweep look
-- at a cluster's open tasks, while ended tasks stay in the table for the record and outnumber them by far; this
-- index holds only the few open ones, in lease order.
CREATE INDEX tasks_open_idx ON tasks (cluster_id, priority, created_at) WHERE status IN ('pending', 'leased', 'running');
