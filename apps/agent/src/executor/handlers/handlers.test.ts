/**
 * Every task type on the fake gateway, through the executor (as central's tasks arrive): what changes in the
 * cluster, what the result says, and that re-running a task leaves the cluster as one run did.
 */
import { TaskResultSchema, type Task, type TaskResult } from '@cloudoptim/contracts';
import { fakeContainer, fakeNode, fakePod, FakeKubeGateway } from '@cloudoptim/kube';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { taskOf } from '../../testing/tasks.ts';
import { TaskExecutor } from '../task-executor.ts';
import { ORIGINAL_REPLICAS_ANNOTATION } from './workload-handlers.ts';

const T0 = Date.UTC(2026, 0, 1);
const MiB = 2 ** 20;

function setup() {
  const clock = new ManualClock(T0);
  const kube = new FakeKubeGateway({ clock });
  kube.addNode(fakeNode('n1', { providerId: 'aws:///us-east-1a/i-0123456789abcdef0' }));
  kube.addNode(fakeNode('n2'));
  kube.addWorkload({ kind: 'Deployment', namespace: 'staging', name: 'api', replicas: 3, containers: [fakeContainer({ name: 'app', cpuRequestMillicores: 500, memoryRequestBytes: 512 * MiB })] });
  const collected: Array<string | null> = [];
  const run = async (task: Task): Promise<TaskResult> => {
    let result: TaskResult | undefined;
    const executor = new TaskExecutor({
      kube, clock, log: silentLogger, clusterId: 'cl-test', maxConcurrent: 1,
      drain: { retryIntervalMs: 1_000, maxRetryIntervalMs: 1_000 },
      collectMetrics: async (reason) => {
        collected.push(reason);
        return { nodes: 2, pods: 0 };
      },
      onResult: (r) => (result = TaskResultSchema.parse(r)),
    });
    executor.submit(task);
    await executor.idle();
    return result!;
  };
  return { clock, kube, run, collected };
}

describe('task handlers', () => {
  it('cordon_node and uncordon_node, idempotently, checking the instance id', async () => {
    const { kube, run } = setup();
    const cordon = await run(taskOf('cordon_node', T0, { node_name: 'n1', instance_id: 'i-0123456789abcdef0', reason: 'consolidation' }));
    expect(cordon).toMatchObject({ status: 'success', metadata: { was_unschedulable: false } });
    expect(kube.nodes().find((n) => n.name === 'n1')).toMatchObject({ unschedulable: true, annotations: { 'cloudoptim.io/cordon-reason': 'consolidation' } });
    expect((await run(taskOf('cordon_node', T0, { node_name: 'n1' }))).metadata).toMatchObject({ was_unschedulable: true });
    expect((await run(taskOf('uncordon_node', T0, { node_name: 'n1' }))).logs).toEqual(['uncordoned n1']);
    expect((await run(taskOf('uncordon_node', T0, { node_name: 'n1' }))).logs).toEqual(['n1 was already schedulable']);
    expect(kube.nodes().find((n) => n.name === 'n1')?.unschedulable).toBe(false);
  });

  it('label_node sets labels and removes those given as null (unlabel)', async () => {
    const { kube, run } = setup();
    await run(taskOf('label_node', T0, { node_name: 'n2', labels: { team: 'a', 'cloudoptim.io/pool': 'general' } }));
    const r = await run(taskOf('label_node', T0, { node_name: 'n2', labels: { team: null } }));
    expect(r.logs).toEqual(['removed labels from n2: team']);
    expect(kube.nodes().find((n) => n.name === 'n2')?.labels).toEqual({ 'cloudoptim.io/pool': 'general' });
  });

  it('taint_node adds and removes taints (untaint)', async () => {
    const { kube, run } = setup();
    await run(taskOf('taint_node', T0, { node_name: 'n2', add: [{ key: 'cloudoptim.io/draining', value: 'true', effect: 'NoSchedule' }], remove: [] }));
    expect(kube.nodes().find((n) => n.name === 'n2')?.taints).toEqual([{ key: 'cloudoptim.io/draining', value: 'true', effect: 'NoSchedule' }]);
    const r = await run(taskOf('taint_node', T0, { node_name: 'n2', add: [], remove: [{ key: 'cloudoptim.io/draining', effect: null }] }));
    expect(r.status).toBe('success');
    expect(kube.nodes().find((n) => n.name === 'n2')?.taints).toEqual([]);
  });

  it('evict_pod evicts, reports PDB_BLOCKED, and treats a gone pod as evicted', async () => {
    const { kube, run } = setup();
    kube.addPod(fakePod('web-0', { nodeName: 'n1', labels: { app: 'web' } }));
    kube.addPod(fakePod('web-1', { nodeName: 'n2', labels: { app: 'web' } }));
    kube.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 1 });
    expect(await run(taskOf('evict_pod', T0, { namespace: 'default', pod_name: 'web-0' }))).toMatchObject({ status: 'success', metadata: { already_gone: false } });
    const blocked = await run(taskOf('evict_pod', T0, { namespace: 'default', pod_name: 'web-1' }));
    expect(blocked).toMatchObject({ status: 'failed', error_code: 'PDB_BLOCKED' });
    expect(blocked.error).toMatch(/disruption budget/);
    expect(await run(taskOf('evict_pod', T0, { namespace: 'default', pod_name: 'web-0' }))).toMatchObject({ status: 'success', metadata: { already_gone: true } });
    expect(await run(taskOf('evict_pod', T0, { namespace: 'default', pod_name: 'web-1', respect_pdb: false }))).toMatchObject({ status: 'success', metadata: { method: 'delete' } });
  });

  it('scale_workload remembers the original replicas on the first scale-down and restores them', async () => {
    const { kube, run } = setup();
    const api = () => kube.getWorkload('Deployment', 'staging', 'api');
    const down = await run(taskOf('scale_workload', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', replicas: 0, expected_replicas: 3 }));
    expect(down.metadata).toMatchObject({ previous_replicas: 3, replicas: 0, original_replicas: 3 });
    expect((await api())?.annotations[ORIGINAL_REPLICAS_ANNOTATION]).toBe('3');
    // A second scale-down (and a re-run) keeps the first original.
    await run(taskOf('scale_workload', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', replicas: 0, expected_replicas: null }));
    expect((await api())?.annotations[ORIGINAL_REPLICAS_ANNOTATION]).toBe('3');
    const up = await run(taskOf('scale_workload', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', replicas: 1, expected_replicas: 0, restore_original: true }));
    expect(up.metadata).toMatchObject({ previous_replicas: 0, replicas: 3, original_replicas: null });
    expect(await api()).toMatchObject({ replicas: 3, annotations: {} });
  });

  it('scale_workload leaves no annotation behind when the guarded scale is refused', async () => {
    const { kube, run } = setup();
    const conflict = await run(taskOf('scale_workload', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', replicas: 0, expected_replicas: 5 }));
    expect(conflict).toMatchObject({ status: 'failed', error_code: 'CONFLICT' });
    expect(await kube.getWorkload('Deployment', 'staging', 'api')).toMatchObject({ replicas: 3, annotations: {} });
    expect((await run(taskOf('scale_workload', T0, { namespace: 'staging', kind: 'StatefulSet', name: 'api', replicas: 0, expected_replicas: null }))).error_code).toBe('NOT_FOUND');
  });

  it('patch_workload_resources applies rightsized requests (patch_requests) and reports before/after', async () => {
    const { kube, run } = setup();
    const r = await run(taskOf('patch_workload_resources', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', containers: [{ container_name: 'app', cpu_request_millicores: 250, memory_limit_bytes: 1024 * MiB }] }));
    expect(r.metadata).toMatchObject({
      before: { app: { cpu_request_millicores: 500, memory_limit_bytes: null } },
      after: { app: { cpu_request_millicores: 250, memory_request_bytes: 512 * MiB, memory_limit_bytes: 1024 * MiB } },
    });
    expect((await kube.getWorkload('Deployment', 'staging', 'api'))?.containers[0]?.cpuRequestMillicores).toBe(250);
    const bad = await run(taskOf('patch_workload_resources', T0, { namespace: 'staging', kind: 'Deployment', name: 'api', containers: [{ container_name: 'nope', cpu_request_millicores: 1 }] }));
    expect(bad.error_code).toBe('VALIDATION_FAILED');
  });

  it('delete_node refuses while pods remain, then deletes, and succeeds when already gone', async () => {
    const { kube, run } = setup();
    kube.addPod(fakePod('web-0', { nodeName: 'n2' }));
    kube.addPod(fakePod('exporter', { nodeName: 'n2', isDaemonSetPod: true }));
    const refused = await run(taskOf('delete_node', T0, { node_name: 'n2' }));
    expect(refused).toMatchObject({ status: 'failed', error_code: 'CONFLICT' });
    expect(refused.error).toMatch(/still runs 1 pod\(s\): default\/web-0/);
    expect(await run(taskOf('delete_node', T0, { node_name: 'n2', only_if_empty: false }))).toMatchObject({ status: 'success', metadata: { already_gone: false } });
    expect(kube.nodes().map((n) => n.name)).toEqual(['n1']);
    expect(await run(taskOf('delete_node', T0, { node_name: 'n2' }))).toMatchObject({ status: 'success', metadata: { already_gone: true } });
  });

  it('drain_node refuses controller-less pods unless forced', async () => {
    const { kube, run } = setup();
    kube.addPod(fakePod('bare', { nodeName: 'n2' }));
    const refused = await run(taskOf('drain_node', T0, { node_name: 'n2', timeout_seconds: 60 }));
    expect(refused).toMatchObject({ status: 'failed', error_code: 'UNPROCESSABLE' });
    expect(refused.error).toMatch(/default\/bare \(is managed by no controller \(set force to evict it\)\)/);
    expect(kube.nodes().find((n) => n.name === 'n2')?.unschedulable).toBe(false);
    const forced = await run(taskOf('drain_node', T0, { node_name: 'n2', timeout_seconds: 60, force: true }));
    expect(forced).toMatchObject({ status: 'success', metadata: { pods_evicted: 1, cordoned: true } });
  });

  it('collect_metrics collects a snapshot now', async () => {
    const { run, collected } = setup();
    const r = await run(taskOf('collect_metrics', T0, { reason: 'verify plan 7' }));
    expect(r).toMatchObject({ status: 'success', metadata: { nodes: 2 } });
    expect(collected).toEqual(['verify plan 7']);
  });
});
