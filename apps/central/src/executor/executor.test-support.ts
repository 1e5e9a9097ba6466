/**
 * What the executor's tests share: central over a scratch database (the test kit: real DbTaskQueue, settings,
 * audit log, realtime hub) with a given CloudProvider behind a one-cluster CloudAccess, an agent that works the
 * cluster's task queue, readiness read from the provider, and builders of replacement plans.
 */
import type { CloudProvider } from '@cloudoptim/cloud';
import { exampleDecisionRequest, exampleDecisionResponse, type ErrorCode, type ExecutionStep, type TaskResultStatus } from '@cloudoptim/contracts';
import { ClustersRepository, NodesRepository, PlansRepository, TasksRepository, type PlanWithSteps, type StoredTask } from '@cloudoptim/db';
import type { TestDatabaseTarget } from '@cloudoptim/db/testing';
import type { CloudAccess } from '../cloud/cloud-access.ts';
import type { ClusterSettingsPatch } from '../settings/cluster-settings.ts';
import { DbClusterSettings } from '../settings/db-cluster-settings.ts';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';
import type { NodeReadiness } from './executor-types.ts';
import { PlanExecutor } from './plan-executor.ts';

/** Ready = the provider says `running` (and the test has not held readiness back). */
export class ProviderReadiness implements NodeReadiness {
  ready = true;
  constructor(private readonly provider: () => CloudProvider) {}

  async readyInstances(): Promise<Map<string, string>> {
    if (!this.ready) return new Map();
    const all = await this.provider().describeInstances();
    return new Map(all.filter((i) => i.state === 'running').map((i) => [i.instanceId, i.privateDnsName || i.instanceId]));
  }
}

/** An agent that leases every offered task of the cluster and reports an outcome for each. */
export class FakeAgent {
  readonly handled: StoredTask[] = [];
  private readonly repo: TasksRepository;

  constructor(
    private readonly central: TestCentral,
    private readonly clusterId: string,
  ) {
    this.repo = new TasksRepository(central.db.db);
  }

  /** Works what is offered now; `outcome` decides each result (default success). */
  /** Leases and finishes every queued task; `outcome` may answer a status or a status with its error code. */
  async work(outcome: (task: StoredTask) => TaskResultStatus | { status: TaskResultStatus; errorCode: ErrorCode } = () => 'success'): Promise<StoredTask[]> {
    const now = new Date(this.central.clock.now());
    const leased = await this.repo.lease(this.clusterId, { owner: 'fake-agent', max: 100, leaseExpiresAt: new Date(now.getTime() + 300_000), now });
    for (const task of leased) {
      const answer = outcome(task);
      const { status, errorCode } = typeof answer === 'string' ? { status: answer, errorCode: null } : answer;
      await this.repo.recordResult(this.clusterId, task.id, { task_id: task.id, status, executed_at: now.toISOString(), duration_seconds: 1, logs: [], error: status === 'success' ? null : `${task.taskType} ${status} (fake agent)`, error_code: errorCode, metadata: {}, attempt: task.attempts }, now);
      this.handled.push(task);
    }
    return leased;
  }
}

/** An old node to replace: its EC2 instance (launched on the provider) and its row in the nodes table. */
export interface OldNode {
  nodeName: string;
  instanceId: string;
}

export interface ExecutorSetup {
  central: TestCentral;
  customerId: string;
  clusterId: string;
  provider: CloudProvider;
  readiness: ProviderReadiness;
  agent: FakeAgent;
  plans: PlansRepository;
  /** A new executor (a fresh process: it knows no step it started). */
  executor(): PlanExecutor;
  settings(patch: ClusterSettingsPatch): Promise<void>;
  /** Launches `count` on-demand instances and reports them as the cluster's nodes (cluster total_nodes too). */
  oldNodes(count: number, zone?: string): Promise<OldNode[]>;
}

/** One central per test file; each test gets a customer and cluster of its own with its own provider. */
export interface ExecutorHarness {
  central: TestCentral;
  /** A new customer and cluster whose cloud is `provider` (or what `providerOf` returns at each call). */
  cluster(provider: CloudProvider, providerOf?: () => CloudProvider): Promise<ExecutorSetup>;
  close(): Promise<void>;
}

export async function createExecutorHarness(target: TestDatabaseTarget): Promise<ExecutorHarness> {
  const providers = new Map<string, () => CloudProvider>();
  const cloud: CloudAccess = {
    forCluster: async ({ clusterId }) => {
      const providerOf = providers.get(clusterId);
      if (!providerOf) throw new Error(`no provider for cluster ${clusterId}`);
      return { provider: providerOf(), interruptions: null };
    },
    close: async () => {},
  };
  const central = await createTestCentral({ target, overrides: { cloud } });
  const settingsWriter = new DbClusterSettings(central.db, central.clock);
  let launched = 0;
  return {
    central,
    close: () => central.close(),
    async cluster(provider, providerOf = () => provider) {
      const { customerId } = await central.createCustomer();
      const { clusterId } = await central.registerCluster(customerId, 'prod', provider.region);
      providers.set(clusterId, providerOf);
      const readiness = new ProviderReadiness(providerOf);
      return {
        central,
        customerId,
        clusterId,
        provider,
        readiness,
        agent: new FakeAgent(central, clusterId),
        plans: new PlansRepository(central.db.db),
        executor: () => new PlanExecutor(central.ctx, { readiness }),
        settings: async (patch) => void (await settingsWriter.update(customerId, clusterId, patch)),
        async oldNodes(count, zone = `${provider.region}a`) {
          const { instances } = await provider.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: zone }], capacityType: 'on-demand', count, clientToken: `old-nodes-${++launched}`, tags: { 'kubernetes.io/cluster': 'prod' }, launchTemplate: { launchTemplateId: 'lt-0123456789abcdef0' } });
          const nodes = new NodesRepository(central.db.db);
          const old = instances.map((i, n) => ({ nodeName: `old-node-${launched}-${n}`, instanceId: i.instanceId }));
          await nodes.upsertMany(customerId, clusterId, old.map((o) => ({ nodeName: o.nodeName, instanceId: o.instanceId, instanceType: 'm5.large', availabilityZone: zone, capacityType: 'on-demand', cpuAllocatableCores: 1.9, memoryAllocatableGb: 7, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 5 })));
          const total = (await nodes.list(customerId, clusterId)).length;
          await new ClustersRepository(central.db.db).updateState(customerId, clusterId, { healthStatus: 'GREEN', totalNodes: total, spotNodes: 0, onDemandNodes: total, totalCpuCores: total * 1.9, totalMemoryGb: total * 7, allocatedCpuCores: total, allocatedMemoryGb: total * 3, totalPods: total * 5, runningPods: total * 5, pendingPods: 0, currentCostPerHour: total * 0.096, baselineCostPerHour: total * 0.096, lastUpdated: new Date(central.clock.now()) });
          return old;
        },
      };
    },
  };
}

/** Launch `launchCount` Spot nodes in `zone`, wait for them, then cordon → drain → terminate → delete each old node. */
export function replacementSteps(old: readonly OldNode[], options: { zone: string; launchCount?: number; budgetChain?: boolean }): ExecutionStep[] {
  const steps: ExecutionStep[] = [
    { step: 1, action: 'launch_instances', depends_on: [], not_before: null, parameters: { instance_type: 'm5.large', availability_zone: options.zone, capacity_type: 'spot', count: options.launchCount ?? old.length, on_demand_fallback: true, labels: {}, taints: [] } },
    { step: 2, action: 'wait_for_nodes_ready', depends_on: [1], not_before: null, parameters: { count: options.launchCount ?? old.length, node_names: [], timeout_seconds: 600 } },
  ];
  for (const node of old) {
    const target = { node_name: node.nodeName, instance_id: node.instanceId };
    const first = steps.length + 1;
    // Every node's chain starts after the wait only: the executor's disruption budget alone limits how many run at once.
    steps.push(
      { step: first, action: 'cordon_node', depends_on: [2], not_before: null, parameters: { ...target, reason: 'test' } },
      { step: first + 1, action: 'drain_node', depends_on: [first], not_before: null, parameters: { ...target, grace_period_seconds: null, timeout_seconds: 300, respect_pdb: true, ignore_daemonsets: true, delete_emptydir_data: true, include_do_not_disrupt: false } },
      { step: first + 2, action: 'terminate_instances', depends_on: [first + 1], not_before: null, parameters: { instance_ids: [node.instanceId] } },
      { step: first + 3, action: 'delete_node', depends_on: [first + 2], not_before: null, parameters: { ...target, only_if_empty: true } },
    );
  }
  return steps;
}

/** Stores an approved plan with these steps (as the optimizer would in automate mode). */
export async function approvedPlan(setup: ExecutorSetup, steps: ExecutionStep[]): Promise<PlanWithSteps> {
  const response = exampleDecisionResponse({ cluster_id: setup.clusterId, execution_plan: steps });
  return setup.plans.create(setup.customerId, {
    clusterId: setup.clusterId,
    decisionType: 'spot_optimize',
    status: 'approved',
    trigger: 'user',
    dryRun: false,
    outcome: 'planned',
    request: exampleDecisionRequest({ cluster_id: setup.clusterId, request_id: `req-${Math.random().toString(36).slice(2)}` }),
    response,
    estimatedSavingsMonthly: response.estimated_savings,
    createdBy: 'user:admin@example.test',
    approvedBy: 'user:admin@example.test',
    approvedAt: new Date(setup.central.clock.now()),
    steps: steps.map((s) => ({ step: s.step, action: s.action, description: s.description ?? null, dependsOn: s.depends_on, notBefore: s.not_before !== null ? new Date(s.not_before) : null, parameters: s.parameters as Record<string, unknown> })),
  });
}

/** Ticks the executor, letting the agent work between ticks, until the plan ends (or `maxTicks`). */
export async function runToEnd(setup: ExecutorSetup, executor: PlanExecutor, planId: string, options: { maxTicks?: number; between?: () => Promise<void> } = {}): Promise<PlanWithSteps> {
  for (let i = 0; i < (options.maxTicks ?? 40); i++) {
    await executor.tick();
    const plan = (await setup.plans.find(null, planId)) as PlanWithSteps;
    if (!['approved', 'running'].includes(plan.status)) return plan;
    await setup.agent.work();
    await options.between?.();
    await setup.central.clock.advance(5_000);
  }
  return (await setup.plans.find(null, planId)) as PlanWithSteps;
}
