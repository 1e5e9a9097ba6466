/**
 * What the end-to-end flows read from the simulator (EC2 instances, Kubernetes objects) and from central's admin
 * API (plans), so each flow asserts outcomes where a user would see them rather than status codes.
 */
import { kubeApi, type aws, type Simulator } from '@cloudoptim/simulator';
import type { DemoAdminApi } from './admin-api.ts';

export const CLUSTER_TAG = 'cloudoptim:cluster-id';
export const PLAN_TAG = 'cloudoptim:plan-id';

interface DeploymentObject extends kubeApi.KubeObject {
  spec: { replicas?: number; template: { spec: kubeApi.PodSpec } };
}

export interface PlanSummary {
  plan_id: string;
  decision_type: string;
  status: string;
  trigger: string;
  outcome: string;
  /** Simulated time (set from central's clock); created_at is the database's wall clock. */
  approved_at: string | null;
}

export interface PlanStep {
  step: number;
  action: string;
  status: string;
  parameters: Record<string, unknown>;
  outcome: Record<string, unknown> | null;
}

export interface PlanDetail extends PlanSummary {
  steps: PlanStep[];
  /** The engine's facts, among them `data_age_seconds`: how old the metrics it decided on were. */
  engine: Record<string, unknown>;
  container_recommendations: { namespace: string; owner: { kind: string; name: string }; container_name: string; recommended_cpu_request_millicores: number; recommended_memory_request_bytes: number }[];
}

export async function listPlans(api: DemoAdminApi, clusterId: string): Promise<PlanSummary[]> {
  return (await api.call<{ items: PlanSummary[] }>('GET', `/api/v1/admin/optimizations?cluster_id=${clusterId}&limit=1000`)).items;
}

export function getPlan(api: DemoAdminApi, planId: string): Promise<PlanDetail> {
  return api.call<PlanDetail>('GET', `/api/v1/admin/optimizations/${planId}`);
}

/** Plans that may still change nodes or workloads. */
export const UNFINISHED = new Set(['proposed', 'approved', 'running']);

/** Instances that exist or are on their way (not shutting down or gone). */
export function liveInstances(sim: Simulator): aws.InstanceInfo[] {
  return sim.aws.ec2.list().filter((i) => i.state === 'pending' || i.state === 'running');
}

export function runningInstances(sim: Simulator): aws.InstanceInfo[] {
  return sim.aws.ec2.list().filter((i) => i.state === 'running');
}

/** Kubernetes nodes whose EC2 instance is not running (a node left behind by a terminated instance). */
export function nodesWithoutRunningInstance(sim: Simulator): string[] {
  const running = new Set(runningInstances(sim).map((i) => i.instanceId));
  return sim.store.nodes
    .list()
    .filter((n) => !running.has(n.spec?.providerID?.split('/').at(-1) ?? ''))
    .map((n) => n.metadata.name);
}

export function deployment(sim: Simulator, namespace: string, name: string): DeploymentObject {
  const d = sim.store.get<DeploymentObject>('apps/deployments', namespace, name);
  if (!d) throw new Error(`no Deployment ${namespace}/${name} in the simulator`);
  return d;
}

/**
 * Scales a Deployment as `kubectl scale` would (spec.replicas), through the store: a kubectl child process would
 * leave this process idle, and the SteppedClock would let an unknown amount of simulated time pass meanwhile.
 */
export function scaleDeployment(sim: Simulator, namespace: string, name: string, replicas: number): void {
  sim.store.mutate<DeploymentObject>('apps/deployments', namespace, name, (d) => {
    d.spec.replicas = replicas;
  });
}

/** The app's pods that are not finished or being deleted. */
export function appPods(sim: Simulator, namespace: string, app: string): kubeApi.Pod[] {
  return sim.store.pods.list({ namespace, labelSelector: `app=${app}` }).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export function isRunningAndReady(p: kubeApi.Pod): boolean {
  return p.status?.phase === 'Running' && kubeApi.isPodHealthy(p);
}

/** CPU (millicores) the Ready nodes could still give to pods: allocatable minus the requests bound to them. */
export function freeCpuMillis(sim: Simulator): number {
  const ready = sim.store.nodes.list().filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const names = new Set(ready.map((n) => n.metadata.name));
  const allocatable = ready.reduce((s, n) => s + kubeApi.cpuMillis(n.status?.allocatable?.cpu), 0);
  const requested = sim.store.pods
    .list()
    .filter((p) => names.has(p.spec.nodeName ?? '') && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .reduce((s, p) => s + p.spec.containers.reduce((c, x) => c + kubeApi.cpuMillis(x.resources?.requests?.cpu), 0), 0);
  return allocatable - requested;
}

/**
 * Watches every PodDisruptionBudget's status and keeps the smallest currentHealthy − desiredHealthy seen (a
 * negative value: more pods of a budget were down at once than it allows).
 */
export function watchPdbMargins(sim: Simulator): { minMargin(): number; updates(): number; stop(): void } {
  let min = Infinity;
  let updates = 0;
  const seen = (pdb: kubeApi.PodDisruptionBudget) => {
    if (!pdb.status) return;
    updates++;
    min = Math.min(min, pdb.status.currentHealthy - pdb.status.desiredHealthy);
  };
  for (const pdb of sim.store.list<kubeApi.PodDisruptionBudget>('policy/poddisruptionbudgets').items) seen(pdb);
  const watch = sim.store.watch<kubeApi.PodDisruptionBudget>('policy/poddisruptionbudgets', {}, (ev) => {
    if (ev.type !== 'DELETED') seen(ev.object);
  });
  return { minMargin: () => min, updates: () => updates, stop: () => watch.stop() };
}

/** Records the cluster's node count at each change (simulated time), to read what it was at a given instant. */
export function watchNodeCount(sim: Simulator, clock: { now(): number }): { at(ms: number): number; stop(): void } {
  const history: [number, number][] = [[clock.now(), sim.store.nodes.list().length]];
  const watch = sim.store.nodes.watch({}, (ev) => {
    if (ev.type !== 'MODIFIED') history.push([clock.now(), sim.store.nodes.list().length]);
  });
  return {
    at: (ms) => history.filter(([t]) => t <= ms).at(-1)?.[1] ?? history[0]![1],
    stop: () => watch.stop(),
  };
}
