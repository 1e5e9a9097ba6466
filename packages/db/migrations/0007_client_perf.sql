-- 0007_client_perf: what keeps the agents' hot paths cheap as tables grow. Keep
-- packages/db/src/schema/agent-link.schema.ts in step.

-- A cluster's open tasks only. Every task poll, every heartbeat (its pending count) and the timeout sweep look
-- at a cluster's open tasks, while ended tasks stay in the table for the record and outnumber them by far; this
-- index holds only the few open ones, in lease order.
CREATE INDEX tasks_open_idx ON tasks (cluster_id, priority, created_at) WHERE status IN ('pending', 'leased', 'running');

-- Every metrics report (each cluster, every minute) rewrites all of its pods. With full pages an update cannot
-- stay on its page, so each one adds an entry to every index and the table bloats (measured: 6% heap-only
-- updates, 51 MB for 500 pods after 120 reports); with half-empty pages nearly all are heap-only updates and the
-- table stays at ~1 MB.
ALTER TABLE pod_snapshots SET (fillfactor = 50);

-- The latest ClusterMetrics of a cluster is only ever stored and read back whole, never queried inside, and at
-- the seed's scale (50 nodes, 500 pods) it is ~0.5 MB of JSON every minute per cluster. json keeps the text as
-- sent (checking its syntax) where jsonb re-encoded all of it: measured 13–18 ms → 4–7 ms per store.
ALTER TABLE cluster_metrics_latest ALTER COLUMN metrics TYPE json USING metrics::json;
