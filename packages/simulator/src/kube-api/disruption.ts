/**
 * PodDisruptionBudgets: the status the disruption controller computes (currentHealthy, desiredHealthy,
 * disruptionsAllowed, expectedPods) and the eviction check of `pods/eviction` (429 when a PDB forbids it).
 *
 * As in kube-controller-manager's disruption controller:
 * - matching pods: same namespace, the PDB's selector, not terminal (Succeeded/Failed);
 * - healthy: Ready condition True and not being deleted;
 * - expectedPods: with an integer `minAvailable`, the number of matching pods; otherwise (percentage or
 *   `maxUnavailable`) the sum of the `spec.replicas` of the pods' controllers (Deployment via its ReplicaSet,
 *   ReplicaSet, StatefulSet), a controller-less pod counting one;
 * - percentages round up; desiredHealthy = minAvailable, or expectedPods − maxUnavailable (≥ 0);
 * - disruptionsAllowed = max(0, currentHealthy − desiredHealthy).
 * The `disruptedPods` bookkeeping of the real controller is not kept: an evicted pod stops counting as healthy
 * as soon as it is marked for deletion, which gives the same answers.
 */
import type { Logger } from '@cloudoptim/runtime';
import { KubeApiError } from './errors.ts';
import type { ObjectStore, StoreWatch } from './object-store.ts';
import { selectorFromSpec } from './selectors.ts';
import type { KubeObject, Pod, PodDisruptionBudget } from './types.ts';

const PDB = 'policy/poddisruptionbudgets';

export interface PdbStatus {
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
}

/** Ready condition True and not being deleted. */
export function isPodHealthy(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Pods a PDB covers. */
export function podsOfPdb(store: ObjectStore, pdb: PodDisruptionBudget): Pod[] {
  const selector = selectorFromSpec(pdb.spec?.selector);
  return store.pods
    .list({ namespace: pdb.metadata.namespace })
    .filter((p) => !isTerminal(p) && selector.matches(p.metadata.labels));
}

function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

function controllerReplicas(store: ObjectStore, pod: Pod, seen: Set<string>): number {
  const ref = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (!ref) return 1;
  if (seen.has(ref.uid)) return 0;
  seen.add(ref.uid);
  const ns = pod.metadata.namespace;
  type Scalable = KubeObject & { spec?: { replicas?: number } };
  if (ref.kind === 'ReplicaSet') {
    const rs = store.get<Scalable>('apps/replicasets', ns, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return 1;
    const dref = rs.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
    if (dref) {
      if (seen.has(dref.uid)) return 0;
      seen.add(dref.uid);
      const d = store.get<Scalable>('apps/deployments', ns, dref.name);
      if (d) return d.spec?.replicas ?? 1;
    }
    return rs.spec?.replicas ?? 1;
  }
  if (ref.kind === 'StatefulSet') return store.get<Scalable>('apps/statefulsets', ns, ref.name)?.spec?.replicas ?? 1;
  return 1;
}

/** Computes a PDB's status from the current pods. */
export function computePdbStatus(store: ObjectStore, pdb: PodDisruptionBudget, pods = podsOfPdb(store, pdb)): PdbStatus {
  const currentHealthy = pods.filter(isPodHealthy).length;
  const spec = pdb.spec ?? {};
  let expectedPods: number;
  let desiredHealthy: number;
  if (typeof spec.minAvailable === 'number') {
    expectedPods = pods.length;
    desiredHealthy = spec.minAvailable;
  } else {
    const seen = new Set<string>();
    expectedPods = pods.reduce((n, p) => n + controllerReplicas(store, p, seen), 0);
    if (spec.minAvailable !== undefined) desiredHealthy = scaled(spec.minAvailable, expectedPods);
    else if (spec.maxUnavailable !== undefined) desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
    else desiredHealthy = expectedPods > 0 ? 1 : 0; // neither set: apiserver defaults minAvailable to 1
  }
  return { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/**
 * The eviction decision for one pod: undefined if allowed, else the 429 (or 500 for several PDBs) to answer.
 */
export function evictionBlocker(store: ObjectStore, pod: Pod): KubeApiError | undefined {
  if (isTerminal(pod) || pod.metadata.deletionTimestamp) return undefined;
  const pdbs = store
    .list<PodDisruptionBudget>(PDB, { namespace: pod.metadata.namespace })
    .items.filter((p) => selectorFromSpec(p.spec?.selector).matches(pod.metadata.labels));
  if (pdbs.length === 0) return undefined;
  if (pdbs.length > 1) {
    return new KubeApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const pdb = pdbs[0]!;
  const status = computePdbStatus(store, pdb);
  if (!isPodHealthy(pod)) {
    // An unhealthy pod may go when the budget is met anyway (IfHealthyBudget) or always (AlwaysAllow).
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || status.currentHealthy >= status.desiredHealthy) return undefined;
  } else if (status.disruptionsAllowed > 0) {
    return undefined;
  }
  return new KubeApiError('TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
    causes: [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
      },
    ],
  });
}

/**
 * Keeps every PDB's `status` current (the disruption controller's job), recomputing the PDBs a pod or PDB
 * change touches once per macrotask, so a burst of pod writes costs one recomputation per PDB.
 */
export class PdbStatusController {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private watches: StoreWatch[] = [];
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly log?: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.watches.push(
      this.store.watch<PodDisruptionBudget>(PDB, {}, (ev) => {
        if (ev.type !== 'DELETED') this.mark(ev.object.metadata.namespace!, ev.object.metadata.name);
      }),
      this.store.watch<Pod>('pods', {}, (ev) => {
        const ns = ev.object.metadata.namespace!;
        for (const pdb of this.store.list<PodDisruptionBudget>(PDB, { namespace: ns }).items) this.mark(ns, pdb.metadata.name);
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  /** Recomputes every dirty PDB now (tests call it instead of waiting a macrotask). */
  flush(): void {
    this.scheduled = false;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const [ns, name] = key.split('/') as [string, string];
      const pdb = this.store.get<PodDisruptionBudget>(PDB, ns, name);
      if (!pdb) continue;
      const s = computePdbStatus(this.store, pdb);
      const cur = pdb.status;
      const generation = pdb.metadata.generation ?? 1;
      if (cur && cur.currentHealthy === s.currentHealthy && cur.desiredHealthy === s.desiredHealthy && cur.disruptionsAllowed === s.disruptionsAllowed && cur.expectedPods === s.expectedPods && cur.observedGeneration === generation) continue;
      try {
        this.store.mutate<PodDisruptionBudget>(PDB, ns, name, (d) => {
          const allowed = s.disruptionsAllowed > 0;
          const prev = (d.status?.conditions as Array<{ status?: string; lastTransitionTime?: string }> | undefined)?.[0];
          const status = allowed ? 'True' : 'False';
          d.status = {
            ...s,
            observedGeneration: generation,
            disruptedPods: {},
            conditions: [
              {
                type: 'DisruptionAllowed',
                status,
                reason: allowed ? 'SufficientPods' : 'InsufficientPods',
                message: '',
                observedGeneration: generation,
                lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : this.store.timestamp(),
              },
            ],
          };
        }, { subresource: 'status' });
      } catch (err) {
        this.log?.warn({ err, pdb: key }, 'pdb status update failed');
      }
    }
  }

  private mark(ns: string, name: string): void {
    if (this.stopped) return;
    this.dirty.add(`${ns}/${name}`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        if (!this.stopped) this.flush();
      });
    }
  }
}
