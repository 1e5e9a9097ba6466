import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterMetrics, Heartbeat, PodMetric } from '@cloudoptim/contracts';
import {
  AgentHeartbeatsRepository,
  ClusterEventsRepository,
  ClusterMetricsRepository,
  ClustersRepository,
  CustomersRepository,
  NodesRepository,
  PodsRepository,
  type Cluster,
  type Database,
  type MetricsValues,
  type NodeReport,
} from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function event(overrides: Partial<ClusterEvent> = {}): ClusterEvent {
  return {
    event_id: 'ev-1',
    cluster_id: 'ignored',
    kind: 'pod_evicted',
    occurred_at: at(0).toISOString(),
    node_name: 'node-a',
    instance_id: null,
    namespace: 'shop',
    pod_name: 'web-1',
    reason: 'Evicted',
    message: 'The node was low on resource: memory.',
    ...overrides,
  };
}

function pod(name: string, overrides: Partial<PodMetric> = {}): PodMetric {
  return {
    namespace: 'shop',
    pod_name: name,
    node_name: 'node-a',
    phase: 'Running',
    owner: { kind: 'Deployment', name: 'web' },
    containers: [
      { container_name: 'app', cpu_request_millicores: 250, cpu_limit_millicores: null, memory_request_bytes: 256e6, memory_limit_bytes: null, cpu_usage_millicores: 100, memory_usage_bytes: 200e6, restart_count: 2, last_termination_reason: 'OOMKilled' },
      { container_name: 'sidecar', cpu_request_millicores: 50, cpu_limit_millicores: 100, memory_request_bytes: 64e6, memory_limit_bytes: 64e6, cpu_usage_millicores: null, memory_usage_bytes: null, restart_count: 0, last_termination_reason: null },
    ],
    labels: {},
    node_selector: {},
    tolerations: [],
    do_not_disrupt: false,
    ...overrides,
  };
}

function values(overrides: Partial<MetricsValues> = {}): MetricsValues {
  return {
    nodeCount: 2,
    spotNodeCount: 1,
    podCount: 10,
    pendingPods: 0,
    cpuAllocatableCores: 4,
    cpuAllocatedCores: 2,
    cpuUsedCores: 1,
    memoryAllocatableGb: 16,
    memoryAllocatedGb: 8,
    memoryUsedGb: 4,
    costPerHour: 0.1,
    baselineCostPerHour: 0.2,
    ...overrides,
  };
}

function metrics(timestamp: Date): ClusterMetrics {
  return {
    cluster_id: 'c',
    timestamp: timestamp.toISOString(),
    total_nodes: 0,
    spot_nodes: 0,
    on_demand_nodes: 0,
    total_cpu_cores: 0,
    total_memory_gb: 0,
    allocated_cpu_cores: 0,
    allocated_memory_gb: 0,
    total_pods: 0,
    running_pods: 0,
    pending_pods: 0,
    nodes: [],
    pods: [],
    pending_pod_details: [],
    estimated_cost_per_hour: 0,
  };
}

function heartbeat(overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    cluster_id: 'c',
    agent_id: 'agent-pod-1',
    agent_version: '0.1.0',
    timestamp: at(0).toISOString(),
    status: 'healthy',
    uptime_seconds: 10,
    kubernetes_version: 'v1.31.2',
    running_task_ids: [],
    buffered_messages: 0,
    last_metrics_at: null,
    problems: [],
    supported_task_types: [],
    ...overrides,
  };
}

function nodeReport(instanceId: string, nodeName: string): NodeReport {
  return {
    nodeName,
    instanceId,
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    capacityType: 'spot',
    cpuAllocatableCores: 1.9,
    memoryAllocatableGb: 7,
    cpuAllocatedCores: 1,
    memoryAllocatedGb: 2,
    cpuUsedCores: 0.5,
    memoryUsedGb: 1,
    podCount: 5,
  };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('agent-link repositories on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let customerA: string;
  let customerB: string;
  let cluster: Cluster;
  let otherCluster: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    const customers = new CustomersRepository(database.db);
    const clusters = new ClustersRepository(database.db);
    customerA = (await customers.create({ name: 'Alice Corp' })).id;
    customerB = (await customers.create({ name: 'Bob Ltd' })).id;
    cluster = await clusters.create(customerA, { name: 'prod', region: 'us-east-1' });
    otherCluster = await clusters.create(customerB, { name: 'prod', region: 'eu-west-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  describe('cluster events', () => {
    it('stores each event once per cluster and lists them newest first', async () => {
      const repo = new ClusterEventsRepository(database.db);
      const first = await repo.record(customerA, cluster.id, [event(), event({ event_id: 'ev-2', occurred_at: at(5).toISOString() }), event()], at(10));
      expect(first).toEqual({ accepted: 2, duplicates: 1 });
      expect(await repo.record(customerA, cluster.id, [event()], at(11))).toEqual({ accepted: 0, duplicates: 1 });
      // Another cluster may use the same event id.
      expect(await repo.record(customerB, otherCluster.id, [event()], at(11))).toEqual({ accepted: 1, duplicates: 0 });
      const listed = await repo.list(customerA, cluster.id);
      expect(listed.map((e) => e.event.event_id)).toEqual(['ev-2', 'ev-1']);
      expect(listed[1]).toEqual({ event: { ...event(), cluster_id: cluster.id, occurred_at: at(0).toISOString() }, receivedAt: at(10) });
      expect((await repo.list(customerA, cluster.id, { limit: 1, offset: 1 })).map((e) => e.event.event_id)).toEqual(['ev-1']);
      expect(await repo.list(customerB, cluster.id)).toEqual([]);
    });

    it('refuses events for another customer’s cluster', async () => {
      const error = await new ClusterEventsRepository(database.db).record(customerA, otherCluster.id, [event({ event_id: 'x' })], at(0)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('pods', () => {
    it('keeps the latest report’s pods with summed requests, usage, restarts and OOM kills', async () => {
      const repo = new PodsRepository(database.db);
      await repo.replace(customerA, cluster.id, [pod('web-1'), pod('web-2', { node_name: 'node-b' }), pod('db-0', { namespace: 'data', owner: null })], at(0), at(1));
      expect((await repo.list(customerA, cluster.id)).map((p) => `${p.namespace}/${p.podName}`)).toEqual(['data/db-0', 'shop/web-1', 'shop/web-2']);
      const [web1] = await repo.list(customerA, cluster.id, { namespace: 'shop', nodeName: 'node-a' });
      expect(web1).toMatchObject({
        podName: 'web-1',
        owner: { kind: 'Deployment', name: 'web' },
        cpuRequestMillicores: 300,
        memoryRequestBytes: 320e6,
        cpuUsageMillicores: 100,
        memoryUsageBytes: 200e6,
        restarts: 2,
        oomKills: 1,
        observedAt: at(0),
      });
      expect(web1?.containers).toHaveLength(2);

      await repo.replace(customerA, cluster.id, [pod('web-1', { phase: 'Pending', node_name: null })], at(60), at(61));
      const after = await repo.list(customerA, cluster.id);
      expect(after.map((p) => [p.podName, p.phase, p.nodeName])).toEqual([['web-1', 'Pending', null]]);
      expect(await repo.list(customerB, cluster.id)).toEqual([]);
    });

    it('leaves pods of a newer report alone when an older report arrives', async () => {
      const repo = new PodsRepository(database.db);
      await repo.replace(customerA, cluster.id, [pod('web-1', { phase: 'Running' })], at(200), at(200));
      await repo.replace(customerA, cluster.id, [pod('web-1', { phase: 'Failed' })], at(100), at(201));
      expect((await repo.list(customerA, cluster.id)).map((p) => p.phase)).toEqual(['Running']);
    });
  });

  describe('cluster metrics', () => {
    it('appends a sample once per timestamp, per cluster and node', async () => {
      const repo = new ClusterMetricsRepository(database.db);
      const sample = { sampledAt: at(0), cluster: values(), nodes: [{ nodeName: 'node-a', ...values({ nodeCount: 1 }) }] };
      expect(await repo.appendSample(customerA, cluster.id, sample)).toBe(true);
      expect(await repo.appendSample(customerA, cluster.id, sample)).toBe(false);
      expect(await repo.history(customerA, cluster.id, { from: at(-1), to: at(1) })).toEqual([expect.objectContaining({ sampledAt: at(0), resolutionSeconds: 60, sampleCount: 1, costPerHour: 0.1 })]);
      expect(await repo.history(customerA, cluster.id, { from: at(-1), to: at(1), nodeName: 'node-a' })).toEqual([expect.objectContaining({ nodeCount: 1 })]);
      expect(await repo.history(customerB, cluster.id, { from: at(-1), to: at(1) })).toEqual([]);
    });

    it('keeps the newest ClusterMetrics as latest', async () => {
      const repo = new ClusterMetricsRepository(database.db);
      expect(await repo.latest(customerA, cluster.id)).toBeUndefined();
      expect(await repo.storeLatest(customerA, cluster.id, metrics(at(60)), at(61))).toBe(true);
      expect(await repo.storeLatest(customerA, cluster.id, metrics(at(0)), at(62))).toBe(false);
      expect(await repo.latest(customerA, cluster.id)).toEqual({ metrics: metrics(at(60)), receivedAt: at(61) });
      expect(await repo.latest(customerB, cluster.id)).toBeUndefined();
    });

    it('rolls raw samples of whole hours up into hourly averages and deletes old hourly rows', async () => {
      const repo = new ClusterMetricsRepository(database.db);
      const base = Date.UTC(2025, 11, 1, 10, 0, 0);
      const minute = (m: number) => new Date(base + m * 60_000);
      for (const [m, cpu] of [[0, 1], [30, 3], [61, 5], [125, 7]] as const) {
        await repo.appendSample(customerA, cluster.id, { sampledAt: minute(m), cluster: values({ cpuUsedCores: cpu, costPerHour: cpu / 10 }), nodes: [{ nodeName: 'node-a', ...values({ cpuUsedCores: cpu }) }] });
      }
      // Cut-off 11:40 → only the 10:00 hour is whole; 11:01 stays raw.
      expect(await repo.clustersWithRawBefore(minute(100), 10)).toEqual([cluster.id]);
      expect(await repo.rollUpRaw(cluster.id, minute(100))).toBe(4);
      const history = await repo.history(customerA, cluster.id, { from: minute(0), to: minute(200) });
      expect(history.map((p) => [p.sampledAt.toISOString(), p.resolutionSeconds, p.sampleCount, p.cpuUsedCores])).toEqual([
        [minute(0).toISOString(), 3600, 2, 2],
        [minute(61).toISOString(), 60, 1, 5],
        [minute(125).toISOString(), 60, 1, 7],
      ]);
      expect(history[0]?.costPerHour).toBeCloseTo(0.2, 6);

      // A late raw sample of an hour already rolled up merges in, weighted by sample count.
      await repo.appendSample(customerA, cluster.id, { sampledAt: minute(45), cluster: values({ cpuUsedCores: 8 }), nodes: [] });
      await repo.rollUpRaw(cluster.id, minute(100));
      const [hour] = await repo.history(customerA, cluster.id, { from: minute(0), to: minute(0) });
      expect([hour?.sampleCount, hour?.cpuUsedCores]).toEqual([3, 4]);

      expect(await repo.deleteHourlyBefore(minute(60))).toBe(2);
      expect((await repo.history(customerA, cluster.id, { from: minute(0), to: minute(200) })).map((p) => p.resolutionSeconds)).toEqual([60, 60]);
    });
  });

  describe('heartbeats and health', () => {
    it('records the last heartbeat and the cluster’s last_heartbeat_at', async () => {
      const repo = new AgentHeartbeatsRepository(database.db);
      await repo.record(customerA, cluster.id, heartbeat(), at(1));
      const stored = await repo.record(customerA, cluster.id, heartbeat({ status: 'degraded', problems: ['no metrics API'] }), at(31));
      expect(stored).toMatchObject({ clusterId: cluster.id, agentStatus: 'degraded', problems: ['no metrics API'], receivedAt: at(31), agentTime: at(0) });
      expect(await repo.find(customerA, cluster.id)).toEqual(stored);
      expect(await repo.find(customerB, cluster.id)).toBeNull();
      expect((await new ClustersRepository(database.db).get(customerA, cluster.id)).lastHeartbeatAt).toEqual(at(31));
      const error = await repo.record(customerA, otherCluster.id, heartbeat(), at(1)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists liveness of every cluster and sets health only when it changes', async () => {
      const repo = new AgentHeartbeatsRepository(database.db);
      const all = await repo.liveness({ limit: 10 });
      expect(all.map((c) => c.clusterId).sort()).toEqual([cluster.id, otherCluster.id].sort());
      expect(all.find((c) => c.clusterId === otherCluster.id)).toMatchObject({ lastHeartbeatAt: null, agentStatus: null, healthStatus: null });
      expect(await repo.setHealth(customerA, cluster.id, 'YELLOW')).toBe(true);
      expect(await repo.setHealth(customerA, cluster.id, 'YELLOW')).toBe(false);
      expect(await repo.setHealth(customerB, cluster.id, 'RED')).toBe(false);
      const [first] = await repo.liveness({ limit: 1 });
      expect(await repo.liveness({ afterClusterId: first!.clusterId, limit: 10 })).toHaveLength(1);
    });
  });

  describe('nodes gone from a report', () => {
    it('removes the cluster’s nodes whose instance is not kept', async () => {
      const repo = new NodesRepository(database.db);
      await repo.upsertMany(customerA, cluster.id, [nodeReport('i-0000000000000000a', 'node-a'), nodeReport('i-0000000000000000b', 'node-b')]);
      const removed = await repo.removeMissing(customerA, cluster.id, ['i-0000000000000000a']);
      expect(removed.map((n) => n.nodeName)).toEqual(['node-b']);
      expect(await repo.removeMissing(customerB, cluster.id, [])).toEqual([]);
      expect((await repo.list(customerA, cluster.id)).map((n) => n.nodeName)).toEqual(['node-a']);
    });
  });
});
