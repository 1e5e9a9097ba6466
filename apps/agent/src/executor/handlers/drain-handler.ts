/**
 * `drain_node` with kubectl-drain semantics through {@link drainNode}: cordon, skip DaemonSet and mirror pods,
 * evict through the Eviction API and retry what a PodDisruptionBudget refuses (backing off) until
 * min(task deadline, start + timeout_seconds), honour the grace period, emptyDir and do-not-disrupt settings,
 * refuse controller-less pods unless `force`, wait until the pods are gone. A drain that runs out of time ends
 * `timeout` naming each pod that blocked it and why.
 */
import { AppError, type ErrorCode } from '@cloudoptim/contracts';
import { drainNode, type DrainPodOutcome, type DrainResult } from '@cloudoptim/kube';
import { targetNode, TaskStop, type HandlerContext, type HandlerOutcome, type TaskHandler } from './handler.ts';

const LEFT = new Set(['terminating', 'blocked_pdb', 'failed', 'pending']);
const BLOCKING = new Set(['blocking_do_not_disrupt', 'blocking_empty_dir', 'blocking_daemonset', 'blocking_unmanaged']);

function why(p: DrainPodOutcome): string {
  switch (p.outcome) {
    case 'blocked_pdb':
      return `refused by a PodDisruptionBudget${p.error ? `: ${p.error}` : ''}`;
    case 'terminating':
      return 'evicted, still terminating';
    case 'failed':
      return `eviction failed: ${p.errorCode ?? 'INTERNAL'}: ${p.error ?? 'unknown error'}`;
    case 'pending':
      return p.error ? `not evicted yet (${p.errorCode}: ${p.error})` : 'not evicted yet';
    case 'blocking_do_not_disrupt':
      return 'marked do-not-disrupt';
    case 'blocking_empty_dir':
      return 'has emptyDir data (delete_emptydir_data is false)';
    case 'blocking_daemonset':
      return 'is a DaemonSet pod (ignore_daemonsets is false)';
    case 'blocking_unmanaged':
      return 'is managed by no controller (set force to evict it)';
    default:
      return p.outcome;
  }
}

const list = (pods: DrainPodOutcome[]) => pods.map((p) => `${p.namespace}/${p.name} (${why(p)})`).join('; ');

function metadataOf(r: DrainResult): Record<string, unknown> {
  return {
    node_name: r.nodeName,
    drain_status: r.status,
    pods_evicted: r.pods.filter((p) => p.outcome === 'evicted').length,
    pods_remaining: r.remaining,
    pdb_retries: r.pods.reduce((s, p) => s + Math.max(0, p.attempts - 1), 0),
    rounds: r.rounds,
    cordoned: r.cordoned,
    pods: r.pods.slice(0, 200).map((p) => ({ namespace: p.namespace, name: p.name, outcome: p.outcome, attempts: p.attempts, error_code: p.errorCode })),
  };
}

function outcomeOf(r: DrainResult, stop: TaskStop | undefined): HandlerOutcome {
  const metadata = metadataOf(r);
  const left = r.pods.filter((p) => LEFT.has(p.outcome));
  switch (r.status) {
    case 'drained':
      return { status: 'success', metadata };
    case 'timeout':
      return { status: 'timeout', error: `drain of ${r.nodeName} did not finish before its deadline: ${left.length} pod(s) left: ${list(left)}`, metadata };
    case 'cancelled':
      if (stop?.status === 'timeout') {
        return { status: 'timeout', error: `drain of ${r.nodeName} stopped at the task deadline: ${left.length} pod(s) left: ${list(left)}`, metadata };
      }
      return { status: 'cancelled', error: `drain of ${r.nodeName} cancelled with ${left.length} pod(s) left`, metadata };
    case 'blocked':
      return {
        status: 'failed', errorCode: 'UNPROCESSABLE', metadata,
        error: `node ${r.nodeName} cannot be drained as asked (nothing was changed): ${list(r.pods.filter((p) => BLOCKING.has(p.outcome)))}`,
      };
    case 'failed': {
      const failed = r.pods.filter((p) => p.outcome === 'failed');
      return { status: 'failed', errorCode: (failed[0]?.errorCode ?? 'INTERNAL') as ErrorCode, error: `drain of ${r.nodeName} failed: ${list(failed)}`, metadata };
    }
    case 'node_not_found':
      throw new AppError('NOT_FOUND', `node ${r.nodeName} does not exist`, { node_name: r.nodeName });
  }
}

export const drainNodeHandler: TaskHandler<'drain_node'> = async (task, ctx: HandlerContext) => {
  const p = task.parameters;
  // drainNode reads the node itself; the extra read only checks the instance (every call counts for an urgent drain).
  if (p.instance_id) await targetNode(ctx, p);
  const startMs = ctx.clock.now();
  let lastProgress = '';
  const result = await drainNode(ctx.kube, p.node_name, {
    clock: ctx.clock,
    deadlineMs: Math.min(ctx.deadlineMs, startMs + p.timeout_seconds * 1000),
    ignoreDaemonSets: p.ignore_daemonsets,
    deleteEmptyDirData: p.delete_emptydir_data,
    respectDoNotDisrupt: !p.include_do_not_disrupt,
    respectPdb: p.respect_pdb,
    gracePeriodSeconds: p.grace_period_seconds,
    refuseUnmanagedPods: p.force !== true,
    retryIntervalMs: ctx.drain.retryIntervalMs,
    maxRetryIntervalMs: ctx.drain.maxRetryIntervalMs,
    signal: ctx.signal,
    log: ctx.logger,
    onProgress: (pr) => {
      const line = `${pr.evicted} pod(s) evicted, ${pr.remaining} to go${pr.blocked ? `, ${pr.blocked} refused by a PodDisruptionBudget` : ''}`;
      if (line !== lastProgress) ctx.log(`round ${pr.round}: ${line}`);
      lastProgress = line;
    },
  });
  for (const pod of result.pods) if (pod.outcome !== 'skipped_daemonset' && pod.outcome !== 'skipped_mirror') ctx.log(`${pod.namespace}/${pod.name}: ${pod.outcome}${pod.attempts > 1 ? ` after ${pod.attempts} attempts` : ''}`);
  ctx.log(result.message);
  const retries = result.pods.reduce((s, pod) => s + Math.max(0, pod.attempts - 1), 0);
  if (retries > 0) ctx.metrics?.evictionsRetried.inc(retries);
  const stop = ctx.signal.reason instanceof TaskStop ? ctx.signal.reason : undefined;
  const outcome = outcomeOf(result, stop);
  ctx.metrics?.drainDuration.observe({ status: outcome.status }, (ctx.clock.now() - startMs) / 1000);
  return outcome;
};
