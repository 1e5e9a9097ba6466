/**
 * The plan executor: drives approved plans step by step (SPEC §5 flow 2, ARCHITECTURE convention 2).
 *
 * Each pass takes the plans that are approved or running, oldest first, and advances each as far as it goes
 * without waiting: a step starts when its dependencies succeeded (`depends_on`, or every earlier step when it
 * names none) and its `not_before` has passed; cordons and drains also wait for the cluster's disruption budget.
 * A step's state is stored before its action (running, attempt + 1) and after it, so a process that dies
 * mid-step leaves the step `running`; the next executor — knowing it did not start it — counts a new attempt
 * and reconciles it (a launch finds its instances by tag, a task step finds its task by idempotency key)
 * instead of repeating it. A failed step rolls the plan back (rollback.ts). Transient failures (UNAVAILABLE,
 * RATE_LIMITED) are retried on later passes for up to `transientWindowMs` before the step fails.
 */
import { AppError } from '@cloudoptim/contracts';
import type { CloudProvider } from '@cloudoptim/cloud';
import { ClusterMetricsRepository, ClustersRepository, PlansRepository, type Cluster, type Plan, type PlanStep, type PlanWithSteps } from '@cloudoptim/db';
import { Counter } from '@cloudoptim/runtime';
import { disruptionBudget } from '../optimizations/decision-request.builder.ts';
import { publishPlanUpdate } from '../optimizations/plan-events.ts';
import type { ClusterSettings } from '../settings/cluster-settings.ts';
import { launchInstances, terminateInstances, waitForNodesReady } from './cloud-steps.ts';
import { disruptedNode, nodesInFlight } from './disruption-budget.ts';
import type { ExecutorDeps, NodeReadiness, StepHandler, StepProgress, StepRun } from './executor-types.ts';
import { rollbackPlan } from './rollback.ts';
import { isTaskAction, runTaskStep } from './task-steps.ts';

const TRANSIENT = new Set(['UNAVAILABLE', 'RATE_LIMITED']);
const DONE = new Set(['succeeded', 'skipped']);
/** Passes over one plan per tick at most (each pass must change something to continue). */
const MAX_PASSES = 100;

export interface PlanExecutorOptions {
  /** Where Ready nodes are read (default: the cluster's latest metrics). */
  readiness?: NodeReadiness;
  /** How long a step may keep failing transiently before it fails, ms (default 10 minutes). */
  transientWindowMs?: number;
  /** Called once when a plan starts running (the worker samples the cluster's cost: the "before" of its savings). */
  onStart?: (plan: Plan, cluster: Cluster) => Promise<unknown>;
}

/** Ready nodes from the latest ClusterMetrics (nodes with an instance id and the Ready condition). */
export class MetricsNodeReadiness implements NodeReadiness {
  constructor(private readonly metrics: ClusterMetricsRepository) {}

  async readyInstances(customerId: string, clusterId: string): Promise<Map<string, string>> {
    const latest = await this.metrics.latest(customerId, clusterId);
    return new Map((latest?.metrics.nodes ?? []).filter((n) => n.ready && n.instance_id !== null).map((n) => [n.instance_id as string, n.node_name]));
  }
}

function describeError(error: unknown): string {
  return error instanceof AppError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
}

export class PlanExecutor {
  private readonly plans: PlansRepository;
  private readonly clusters: ClustersRepository;
  private readonly handlers: Record<string, StepHandler>;
  /** Steps this executor started or reconciled: a running step not in here was left by a previous process. */
  private readonly seen = new Set<string>();
  private readonly outcomes: Counter<'decision_type' | 'status'>;
  private readonly onStart: PlanExecutorOptions['onStart'];
  private readonly transientWindowMs: number;

  constructor(
    private readonly deps: ExecutorDeps,
    options: PlanExecutorOptions = {},
  ) {
    this.plans = new PlansRepository(deps.db.db);
    this.clusters = new ClustersRepository(deps.db.db);
    const readiness = options.readiness ?? new MetricsNodeReadiness(new ClusterMetricsRepository(deps.db.db));
    this.transientWindowMs = options.transientWindowMs ?? 600_000;
    this.onStart = options.onStart;
    this.handlers = {
      launch_instances: (run) => launchInstances(deps, run),
      wait_for_nodes_ready: waitForNodesReady(readiness),
      terminate_instances: (run) => terminateInstances(deps, run),
    };
    const name = 'cloudoptim_central_plan_outcomes_total';
    this.outcomes =
      (deps.metrics.getSingleMetric(name) as Counter<'decision_type' | 'status'> | undefined) ??
      new Counter({ name, help: 'Finished plans by decision type and final status', labelNames: ['decision_type', 'status'], registers: [deps.metrics] });
  }

  /** One pass over every executable plan. A plan that throws is logged and retried next pass. */
  async tick(): Promise<void> {
    for (const plan of await this.plans.listExecutable()) {
      try {
        await this.advance(plan.id);
      } catch (error) {
        this.deps.log.error({ plan_id: plan.id, cluster_id: plan.clusterId, err: describeError(error) }, 'plan pass failed; retrying next pass');
      }
    }
  }

  /** Advances one plan as far as it goes now. */
  async advance(planId: string): Promise<void> {
    let plan = await this.plans.find(null, planId);
    if (!plan || plan.dryRun || (plan.status !== 'approved' && plan.status !== 'running')) return;
    const cluster = await this.clusters.get(plan.customerId, plan.clusterId);
    const { settings } = await this.deps.settings.get(plan.customerId, plan.clusterId);
    let provider: Promise<CloudProvider> | undefined;
    const providerOf = () => (provider ??= this.deps.cloud.forCluster({ customerId: cluster.customerId, clusterId: cluster.id, region: cluster.region }).then((c) => c.provider));

    if (plan.status === 'approved') {
      const started = await this.plans.transition(null, plan.id, ['approved'], 'running', { startedAt: new Date(this.deps.clock.now()) });
      if (!started) return;
      await this.onStart?.(started, cluster).catch((error: unknown) => this.deps.log.warn({ plan_id: started.id, err: describeError(error) }, 'plan start hook failed'));
      await publishPlanUpdate(this.deps, started, plan.steps.length);
    }
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      plan = (await this.plans.find(null, planId)) as PlanWithSteps;
      if (plan.status !== 'running') return;
      if (plan.steps.some((s) => s.status === 'failed')) return this.rollBack(plan, cluster, providerOf);
      if (plan.steps.every((s) => DONE.has(s.status))) return this.finish(plan, 'succeeded', null);
      if (!(await this.pass(plan, cluster, settings, providerOf))) return;
    }
  }

  /** Starts or checks every step that can move; true when something changed. */
  private async pass(plan: PlanWithSteps, cluster: Cluster, settings: ClusterSettings, provider: () => Promise<CloudProvider>): Promise<boolean> {
    const nowMs = this.deps.clock.now();
    const budget = disruptionBudget(settings, cluster.totalNodes);
    const inFlight = nodesInFlight(await this.plans.listForCluster(cluster.customerId, cluster.id, ['running']));
    const byStep = new Map(plan.steps.map((s) => [s.step, s]));
    let changed = false;
    for (const original of plan.steps) {
      let step = original;
      if (step.status === 'pending') {
        if (!this.startable(plan, step, byStep, nowMs)) continue;
        const node = disruptedNode(step);
        if (node !== null && !inFlight.has(node)) {
          if (inFlight.size >= budget) continue;
          inFlight.add(node);
        }
        step = (await this.plans.updateStep(plan.id, step.step, { status: 'running', attempt: step.attempt + 1, startedAt: new Date(nowMs), error: null })) as PlanStep;
        byStep.set(step.step, step);
        this.seen.add(this.key(step));
        changed = true;
        await publishPlanUpdate(this.deps, plan, plan.steps.length, step.step);
      } else if (step.status !== 'running') continue;
      // Handlers see the plan as it is now (a wait reads what the launch just before it recorded).
      const current = { ...plan, steps: plan.steps.map((s) => byStep.get(s.step) ?? s) };
      const after = await this.drive(current, step, { plan: current, step, cluster, settings, provider, nowMs });
      byStep.set(after.step, after);
      if (after.status !== 'running') changed = true;
      if (after.status === 'failed') return true;
    }
    return changed;
  }

  private startable(plan: PlanWithSteps, step: PlanStep, byStep: Map<number, PlanStep>, nowMs: number): boolean {
    if (step.notBefore !== null && step.notBefore.getTime() > nowMs) return false;
    const deps = step.dependsOn.length > 0 ? step.dependsOn : plan.steps.filter((s) => s.step < step.step).map((s) => s.step);
    return deps.every((d) => DONE.has(byStep.get(d)?.status ?? 'pending'));
  }

  private key(step: PlanStep): string {
    return `${step.planId}:${step.step}`;
  }

  /** Runs the step's handler once and stores what it reports. */
  private async drive(plan: PlanWithSteps, step: PlanStep, run: StepRun): Promise<PlanStep> {
    if (!this.seen.has(this.key(step))) {
      // Left running by a process that died mid-step: a new attempt that reconciles, never a blind repeat.
      this.seen.add(this.key(step));
      this.deps.log.warn({ plan_id: plan.id, step: step.step, action: step.action, attempt: step.attempt + 1 }, 'reconciling a step found running');
      step = (await this.plans.updateStep(plan.id, step.step, { attempt: step.attempt + 1 })) as PlanStep;
      run = { ...run, step };
    }
    const handler = this.handlers[step.action] ?? (isTaskAction(step.action) ? (r: StepRun) => runTaskStep(this.deps, r) : undefined);
    let progress: StepProgress;
    try {
      progress = handler ? await handler(run) : { state: 'failed', error: `unknown action ${step.action}` };
    } catch (error) {
      if (error instanceof AppError && TRANSIENT.has(error.code)) {
        const since = typeof step.outcome?.transient_since === 'number' ? step.outcome.transient_since : run.nowMs;
        if (run.nowMs - since < this.transientWindowMs) {
          this.deps.log.warn({ plan_id: plan.id, step: step.step, err: describeError(error) }, 'step failed transiently; retrying next pass');
          return (await this.plans.updateStep(plan.id, step.step, { outcome: { ...step.outcome, transient_since: since }, error: describeError(error) })) as PlanStep;
        }
      }
      progress = { state: 'failed', error: describeError(error) };
    }
    const { transient_since: _cleared, ...previous } = step.outcome ?? {};
    const outcome = { ...previous, ...progress.outcome };
    if (progress.state === 'running') {
      if (JSON.stringify(outcome) === JSON.stringify(step.outcome ?? {})) return step;
      return (await this.plans.updateStep(plan.id, step.step, { outcome })) as PlanStep;
    }
    const finishedAt = new Date(this.deps.clock.now());
    if (progress.state === 'failed') this.deps.log.warn({ plan_id: plan.id, step: step.step, action: step.action, err: progress.error }, 'plan step failed');
    return (await this.plans.updateStep(plan.id, step.step, { status: progress.state, finishedAt, outcome, error: progress.state === 'failed' ? progress.error : null })) as PlanStep;
  }

  private async rollBack(plan: PlanWithSteps, cluster: Cluster, provider: () => Promise<CloudProvider>): Promise<void> {
    const failed = plan.steps.find((s) => s.status === 'failed') as PlanStep;
    const result = await rollbackPlan(this.deps, plan, cluster, provider);
    const error = `step ${failed.step} (${failed.action}) failed: ${failed.error ?? 'unknown error'}`;
    await this.finish(plan, result.status, error, { terminated: result.terminated, uncordoned: result.uncordoned, ...(result.kept.length ? { kept_carrying_pods: result.kept } : {}) });
  }

  private async finish(plan: PlanWithSteps, status: 'succeeded' | 'failed' | 'rolled_back', error: string | null, details: Record<string, unknown> = {}): Promise<void> {
    const done: Plan | null = await this.plans.transition(null, plan.id, ['running'], status, { finishedAt: new Date(this.deps.clock.now()), error });
    if (!done) return;
    await this.plans.recordHistory(done);
    this.outcomes.inc({ decision_type: done.decisionType, status });
    await this.deps.audit.record({ customerId: done.customerId, clusterId: done.clusterId, actor: 'system:executor', action: `plan.${status}`, target: `plan/${done.id}`, details: { decision_type: done.decisionType, error, ...details } });
    await publishPlanUpdate(this.deps, done, plan.steps.length);
    this.deps.log.info({ plan_id: done.id, cluster_id: done.clusterId, status, error }, 'plan finished');
  }
}
