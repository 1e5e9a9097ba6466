/**
 * drainNode: the logic of `drain_node` above a KubeGateway, as `kubectl drain` does it plus what CloudOptim
 * needs: check the node can be drained at all (do-not-disrupt pods, emptyDir data, DaemonSet pods), cordon,
 * evict every evictable pod through the Eviction API (retrying those a PodDisruptionBudget blocks, every
 * `retryIntervalMs` of clock time, backing off to `maxRetryIntervalMs` while nothing moves), wait until the
 * evicted pods are gone, and report each pod's outcome. Like kubectl without `--force` it can refuse nodes running
 * pods no controller manages (`refuseUnmanagedPods`).
 *
 * Expected endings are values, not exceptions: `drained`, `timeout` (the deadline passed with N pods left),
 * `blocked` (refused before cordoning: nothing was changed), `failed` (an eviction failed for good, e.g.
 * FORBIDDEN), `node_not_found`, `cancelled`. Only a failure to read the node or its pods, or to cordon, throws
 * (an AppError from the gateway). Re-running a drain is harmless: a drained node drains again at once.
 */
import { isAppError, type ErrorCode } from '@cloudoptim/contracts';
import { silentLogger, type Clock, type Logger } from '@cloudoptim/runtime';
import type { KubeGateway } from './kube-gateway.ts';
import type { KubePod } from './kube-types.ts';

export interface DrainOptions {
  clock: Clock;
  /** The instant (clock epoch ms) after which the drain stops and answers `timeout`. */
  deadlineMs: number;
  /** Leave DaemonSet pods on the node (they die with it). When false, their presence blocks the drain. Default true. */
  ignoreDaemonSets?: boolean;
  /** Evict pods with emptyDir volumes (their data is lost). When false, such pods block the drain. Default true. */
  deleteEmptyDirData?: boolean;
  /** Refuse to drain a node running `karpenter.sh/do-not-disrupt` pods. False when the node goes anyway (Spot interruption). Default true. */
  respectDoNotDisrupt?: boolean;
  /** Use the Eviction API (PDBs apply). False deletes pods directly (imminent interruption only). Default true. */
  respectPdb?: boolean;
  /** Grace period given to each pod; null/absent = the pod's own. */
  gracePeriodSeconds?: number | null;
  /** Clock time between eviction rounds (PDB retries, waiting for pods to go). Default 5 s. */
  retryIntervalMs?: number;
  /**
   * Back off: after each round in which no pod went and no eviction succeeded (a PodDisruptionBudget keeps
   * refusing), the wait doubles up to this; any progress resets it to `retryIntervalMs`. Default: no backoff.
   */
  maxRetryIntervalMs?: number;
  /**
   * Refuse (`blocked`, nothing changed) when the node runs pods no controller manages, as `kubectl drain`
   * does without `--force`: nothing would recreate them. Default false (they are evicted like the rest).
   */
  refuseUnmanagedPods?: boolean;
  /** Called after each round. */
  onProgress?: (progress: DrainProgress) => void;
  /** Aborting stops the drain between rounds (status `cancelled`). */
  signal?: AbortSignal;
  log?: Logger;
}

/** What happened to one pod of the node. */
export type DrainPodOutcomeKind =
  | 'evicted' // evicted (or deleted) and gone
  | 'gone' // disappeared without us evicting it
  | 'terminating' // evicted, still shutting down when the drain ended
  | 'blocked_pdb' // a PodDisruptionBudget still refused it when the drain ended
  | 'failed' // eviction failed for good (FORBIDDEN, VALIDATION_FAILED…)
  | 'pending' // not attempted yet (the drain ended first)
  | 'skipped_daemonset'
  | 'skipped_mirror'
  | 'blocking_do_not_disrupt'
  | 'blocking_empty_dir'
  | 'blocking_daemonset'
  | 'blocking_unmanaged';

export interface DrainPodOutcome {
  namespace: string;
  name: string;
  outcome: DrainPodOutcomeKind;
  /** Eviction (or delete) calls made for the pod. */
  attempts: number;
  /** The last error's code and message, null when none. */
  errorCode: ErrorCode | null;
  error: string | null;
}

export interface DrainProgress {
  nodeName: string;
  round: number;
  /** Pods evicted and gone so far. */
  evicted: number;
  /** Pods that still have to go (including terminating and blocked ones). */
  remaining: number;
  /** Of those, blocked by a PDB in this round. */
  blocked: number;
}

export type DrainStatus = 'drained' | 'timeout' | 'blocked' | 'failed' | 'node_not_found' | 'cancelled';

export interface DrainResult {
  status: DrainStatus;
  nodeName: string;
  /** For people: what happened ("deadline passed with 2 pods left: default/web-1 (blocked_pdb), …"). */
  message: string;
  /** Every pod seen on the node, with its outcome, sorted by namespace/name. */
  pods: DrainPodOutcome[];
  /** Pods that still had to go when the drain ended (0 when drained). */
  remaining: number;
  /** Whether this run cordoned the node (false when refused up front or the node was gone). */
  cordoned: boolean;
  rounds: number;
  durationMs: number;
}

/** Errors worth another try in the next round. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['PDB_BLOCKED', 'UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED', 'CONFLICT']);

const idOf = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

/** See the module comment. */
export async function drainNode(gateway: KubeGateway, nodeName: string, options: DrainOptions): Promise<DrainResult> {
  const { clock, deadlineMs } = options;
  const ignoreDaemonSets = options.ignoreDaemonSets ?? true;
  const deleteEmptyDirData = options.deleteEmptyDirData ?? true;
  const respectDoNotDisrupt = options.respectDoNotDisrupt ?? true;
  const respectPdb = options.respectPdb ?? true;
  const retryIntervalMs = Math.max(1, options.retryIntervalMs ?? 5_000);
  const maxRetryIntervalMs = Math.max(retryIntervalMs, options.maxRetryIntervalMs ?? retryIntervalMs);
  let waitMs = retryIntervalMs;
  const log = (options.log ?? silentLogger).child({ nodeName });
  const startedMs = clock.now();
  const outcomes = new Map<string, DrainPodOutcome>();
  const outcome = (p: { namespace: string; name: string }): DrainPodOutcome => {
    let o = outcomes.get(idOf(p));
    if (!o) {
      o = { namespace: p.namespace, name: p.name, outcome: 'pending', attempts: 0, errorCode: null, error: null };
      outcomes.set(idOf(p), o);
    }
    return o;
  };
  let rounds = 0;
  let cordoned = false;
  const finish = (status: DrainStatus, message: string): DrainResult => {
    const pods = [...outcomes.values()].sort((a, b) => idOf(a).localeCompare(idOf(b)));
    const remaining = pods.filter((p) => ['terminating', 'blocked_pdb', 'failed', 'pending'].includes(p.outcome)).length;
    log.info({ status, remaining, rounds }, message);
    return { status, nodeName, message, pods, remaining, cordoned, rounds, durationMs: clock.now() - startedMs };
  };

  if (!(await gateway.getNode(nodeName))) return finish('node_not_found', `node ${nodeName} does not exist`);

  // Refuse up front, before changing anything, when the node cannot be drained as asked (as kubectl does).
  const initial = await gateway.listPods({ nodeName });
  const blockers: string[] = [];
  for (const pod of initial) {
    if (isFinished(pod) || pod.isMirrorPod) continue;
    const o = outcome(pod);
    if (pod.isDaemonSetPod) {
      if (!ignoreDaemonSets) {
        o.outcome = 'blocking_daemonset';
        blockers.push(`${idOf(pod)} is a DaemonSet pod`);
      }
    } else if (respectDoNotDisrupt && pod.doNotDisrupt) {
      o.outcome = 'blocking_do_not_disrupt';
      blockers.push(`${idOf(pod)} is marked karpenter.sh/do-not-disrupt`);
    } else if (!deleteEmptyDirData && pod.usesEmptyDir) {
      o.outcome = 'blocking_empty_dir';
      blockers.push(`${idOf(pod)} has emptyDir data`);
    } else if (options.refuseUnmanagedPods && pod.owner === null) {
      o.outcome = 'blocking_unmanaged';
      blockers.push(`${idOf(pod)} is managed by no controller (force to evict it anyway)`);
    }
  }
  if (blockers.length > 0) return finish('blocked', `node ${nodeName} was not drained (nothing changed): ${blockers.join('; ')}`);
  outcomes.clear();

  await gateway.cordonNode(nodeName, { reason: 'drain' });
  cordoned = true;

  let recheckedAfterSuccess = false;
  for (;;) {
    rounds++;
    const goneBefore = [...outcomes.values()].filter((p) => p.outcome === 'evicted' || p.outcome === 'gone').length;
    const pods = await gateway.listPods({ nodeName });
    const present = new Set<string>();
    const toGo: KubePod[] = [];
    for (const pod of pods) {
      if (pod.isMirrorPod) {
        outcome(pod).outcome = 'skipped_mirror';
        continue;
      }
      if (pod.isDaemonSetPod && ignoreDaemonSets) {
        outcome(pod).outcome = 'skipped_daemonset';
        continue;
      }
      present.add(idOf(pod));
      toGo.push(pod);
    }
    // Pods we were waiting for that are no longer on the node are done.
    for (const o of outcomes.values()) {
      if (present.has(idOf(o)) || o.outcome.startsWith('skipped')) continue;
      if (o.outcome === 'terminating') o.outcome = 'evicted';
      else if (o.outcome === 'blocked_pdb' || o.outcome === 'pending' || o.outcome === 'failed') o.outcome = 'gone';
    }

    let blocked = 0;
    let succeeded = 0;
    for (const pod of toGo) {
      const o = outcome(pod);
      if (pod.terminating) {
        if (o.outcome !== 'failed') o.outcome = 'terminating';
        continue;
      }
      if (o.outcome === 'failed') continue;
      o.attempts++;
      try {
        if (respectPdb) await gateway.evictPod(pod.namespace, pod.name, { gracePeriodSeconds: options.gracePeriodSeconds ?? null });
        else await gateway.deletePod(pod.namespace, pod.name, { gracePeriodSeconds: options.gracePeriodSeconds ?? null });
        o.outcome = 'terminating';
        o.errorCode = null;
        o.error = null;
        succeeded++;
        log.debug({ pod: idOf(pod), attempt: o.attempts }, respectPdb ? 'evicted' : 'deleted');
      } catch (err) {
        if (!isAppError(err)) throw err;
        if (err.code === 'NOT_FOUND') {
          o.outcome = 'evicted';
          continue;
        }
        o.errorCode = err.code;
        o.error = err.message;
        if (err.code === 'PDB_BLOCKED') {
          o.outcome = 'blocked_pdb';
          blocked++;
        } else {
          o.outcome = RETRYABLE.has(err.code) ? 'pending' : 'failed';
        }
        log.debug({ pod: idOf(pod), code: err.code, attempt: o.attempts }, 'eviction refused');
      }
    }

    const all = [...outcomes.values()];
    const remaining = all.filter((p) => ['terminating', 'blocked_pdb', 'failed', 'pending'].includes(p.outcome)).length;
    const evicted = all.filter((p) => p.outcome === 'evicted').length;
    options.onProgress?.({ nodeName, round: rounds, evicted, remaining, blocked });

    if (toGo.length === 0) return finish('drained', `node ${nodeName} drained: ${evicted} pod(s) evicted`);
    const failed = all.filter((p) => p.outcome === 'failed');
    if (failed.length > 0 && failed.length === remaining) {
      return finish('failed', `node ${nodeName} not drained: eviction failed for ${failed.map((f) => `${idOf(f)} (${f.errorCode}: ${f.error})`).join('; ')}`);
    }
    // Evictions that just succeeded may already be gone: look again before sleeping (at most once per success).
    if (succeeded > 0 && !recheckedAfterSuccess) {
      recheckedAfterSuccess = true;
      continue;
    }
    recheckedAfterSuccess = false;
    const progressed = succeeded > 0 || all.filter((p) => p.outcome === 'evicted' || p.outcome === 'gone').length > goneBefore;
    if (progressed) waitMs = retryIntervalMs;
    const now = clock.now();
    if (now >= deadlineMs) {
      const left = all.filter((p) => ['terminating', 'blocked_pdb', 'failed', 'pending'].includes(p.outcome));
      return finish('timeout', `deadline passed with ${left.length} pod(s) left on ${nodeName}: ${left.map((p) => `${idOf(p)} (${p.outcome})`).join(', ')}`);
    }
    try {
      await clock.sleep(Math.min(waitMs, deadlineMs - now), options.signal);
    } catch {
      return finish('cancelled', `drain of ${nodeName} cancelled with ${remaining} pod(s) left`);
    }
    if (!progressed) waitMs = Math.min(maxRetryIntervalMs, waitMs * 2);
    if (options.signal?.aborted) return finish('cancelled', `drain of ${nodeName} cancelled with ${remaining} pod(s) left`);
  }
}

function isFinished(pod: KubePod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}
