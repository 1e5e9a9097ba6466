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
  type ClusterStateSnapshot,
  type Database,
  type MetricsReport,
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

    it('finds a cluster with its agent’s last heartbeat in one read', async () => {
      const repo = new AgentHeartbeatsRepository(database.db);
      await repo.record(customerA, cluster.id, heartbeat({ status: 'degraded' }), at(90));
      expect(await repo.findCluster(customerA, cluster.id)).toEqual({ cluster: await new ClustersRepository(database.db).get(customerA, cluster.id), heartbeat: { receivedAt: at(90), agentStatus: 'degraded' } });
      expect(await repo.findCluster(customerB, otherCluster.id)).toMatchObject({ cluster: { id: otherCluster.id }, heartbeat: null });
      expect(await repo.findCluster(customerB, cluster.id)).toBeNull();
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

    it('beats in one statement: heartbeat, health with the one it replaced, settings version and pending tasks', async () => {
      const repo = new AgentHeartbeatsRepository(database.db);
      const fresh = await new ClustersRepository(database.db).create(customerA, { name: 'beating', region: 'us-east-1' });
      const first = await repo.beat(customerA, fresh.id, heartbeat({ status: 'degraded' }), { receivedAt: at(1), health: 'YELLOW', now: at(1) });
      expect(first).toEqual({ previousHealth: null, configVersion: 1, pendingTasks: 0 });
      await database.query(
        `INSERT INTO tasks (customer_id, cluster_id, task_type, deadline, idempotency_key, created_by) VALUES ($1, $2, 'cordon_node', $3, 'k-1', 'test'), ($1, $2, 'cordon_node', $4, 'k-2', 'test')`,
        [customerA, fresh.id, at(3600).toISOString(), at(5).toISOString()],
      );
      await database.query(`INSERT INTO cluster_settings (cluster_id, customer_id, settings, version) VALUES ($1, $2, '{}', 4)`, [fresh.id, customerA]);
      const second = await repo.beat(customerA, fresh.id, heartbeat(), { receivedAt: at(31), health: 'GREEN', now: at(31) });
      // The task past its deadline is not offerable.
      expect(second).toEqual({ previousHealth: 'YELLOW', configVersion: 4, pendingTasks: 1 });
      expect((await repo.beat(customerA, fresh.id, heartbeat(), { receivedAt: at(61), health: 'GREEN', now: at(61) })).previousHealth).toBe('GREEN');
      expect(await repo.find(customerA, fresh.id)).toMatchObject({ agentStatus: 'healthy', receivedAt: at(61) });
      expect(await new ClustersRepository(database.db).get(customerA, fresh.id)).toMatchObject({ healthStatus: 'GREEN', lastHeartbeatAt: at(61) });

      const error = await repo.beat(customerA, otherCluster.id, heartbeat(), { receivedAt: at(1), health: 'GREEN', now: at(1) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
      expect(await repo.find(customerB, otherCluster.id)).toBeNull();
      expect((await new ClustersRepository(database.db).get(customerB, otherCluster.id)).healthStatus).toBeNull();
    });
  });

  describe('a whole metrics report in one statement', () => {
    const state = (pods: number): ClusterStateSnapshot => ({
      healthStatus: 'GREEN',
      totalNodes: 2,
      spotNodes: 1,
      onDemandNodes: 1,
      totalCpuCores: 4,
      totalMemoryGb: 16,
      allocatedCpuCores: 2,
      allocatedMemoryGb: 8,
      totalPods: pods,
      runningPods: pods,
      pendingPods: 0,
      currentCostPerHour: 0.25,
      baselineCostPerHour: 0.5,
      lastUpdated: at(0),
    });
    const report = (seconds: number, nodes: NodeReport[], pods: PodMetric[]): MetricsReport => ({
      metrics: { ...metrics(at(seconds)), pods },
      sample: { sampledAt: at(seconds), cluster: values(), nodes: nodes.map((n) => ({ nodeName: n.nodeName, ...values({ nodeCount: 1 }) })) },
      nodes,
      state: { ...state(pods.length), lastUpdated: at(seconds) },
      receivedAt: at(seconds + 1),
    });

    it('stores history, latest, nodes, pods and state; a re-sent report is a duplicate, an older one only history', async () => {
      const repo = new ClusterMetricsRepository(database.db);
      const reported = await new ClustersRepository(database.db).create(customerA, { name: 'reported', region: 'us-east-1' });
      const a = nodeReport('i-0000000000000000a', 'node-a');
      const b = nodeReport('i-0000000000000000b', 'node-b');
      const first = await repo.ingestReport(customerA, reported.id, report(0, [a, b], [pod('web-1'), pod('web-2')]));
      expect(first.kind === 'latest' && { added: [...first.added].sort(), removed: first.removed }).toEqual({ added: [a.instanceId, b.instanceId], removed: [] });
      expect(await repo.ingestReport(customerA, reported.id, report(0, [a], []))).toEqual({ kind: 'duplicate' });

      const second = await repo.ingestReport(customerA, reported.id, report(60, [{ ...a, podCount: 9 }, nodeReport('i-0000000000000000c', 'node-c')], [pod('web-1')]));
      expect(second).toEqual({ kind: 'latest', added: ['i-0000000000000000c'], removed: [{ nodeName: 'node-b', instanceId: b.instanceId }] });
      expect((await new NodesRepository(database.db).list(customerA, reported.id)).map((n) => [n.nodeName, n.podCount, n.lastSeenAt])).toEqual([
        ['node-a', 9, at(61)],
        ['node-c', 5, at(61)],
      ]);
      expect((await new PodsRepository(database.db).list(customerA, reported.id)).map((p) => [p.podName, p.observedAt])).toEqual([['web-1', at(60)]]);
      expect(await new ClustersRepository(database.db).get(customerA, reported.id)).toMatchObject({ totalPods: 1, currentCostPerHour: 0.25, lastUpdated: at(60), healthStatus: 'GREEN' });
      expect((await repo.latest(customerA, reported.id))?.metrics.timestamp).toBe(at(60).toISOString());
      expect(await repo.history(customerA, reported.id, { from: at(0), to: at(60), nodeName: 'node-c' })).toHaveLength(1);

      // Late from the agent's buffer: history only, nothing else moves.
      expect(await repo.ingestReport(customerA, reported.id, report(30, [b], [pod('old')]))).toEqual({ kind: 'history' });
      expect((await new NodesRepository(database.db).list(customerA, reported.id)).map((n) => n.nodeName)).toEqual(['node-a', 'node-c']);
      expect((await new PodsRepository(database.db).list(customerA, reported.id)).map((p) => p.podName)).toEqual(['web-1']);
      expect((await new ClustersRepository(database.db).get(customerA, reported.id)).lastUpdated).toEqual(at(60));
      expect(await repo.history(customerA, reported.id, { from: at(0), to: at(60) })).toHaveLength(3);
    });

    it('refuses a report for another customer’s cluster and writes nothing', async () => {
      const error = await new ClusterMetricsRepository(database.db).ingestReport(customerA, otherCluster.id, report(0, [nodeReport('i-0000000000000000z', 'node-z')], [pod('web-1')])).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
      expect(await new NodesRepository(database.db).list(customerB, otherCluster.id)).toEqual([]);
      expect(await new ClusterMetricsRepository(database.db).latest(customerB, otherCluster.id)).toBeUndefined();
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
