/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods (not terminating, not finished) owned by each
 * ReplicaSet — creating from the template, deleting the least valuable pods first when there are too many
 * (unscheduled, then pending, then not ready, then the newest) — and keeps `status` current.
 */
import type { KubeObject, LabelSelectorSpec, Pod } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { isActive, isAvailable, isReady, podFromTemplate, type PodTemplate, splitKey } from './pod-helpers.ts';

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorSpec; template?: PodTemplate };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export const REPLICASETS = 'apps/replicasets';
const SOURCE = { component: 'replicaset-controller' };
/** Pods created or deleted per sync, like the controller's burst limit (500). */
const BURST = 500;

/** Scale-down preference (controller.ActivePods ordering): lower rank goes first. */
function deletionRank(pod: Pod): number[] {
  const phaseRank = pod.status?.phase === 'Pending' ? 0 : pod.status?.phase === 'Unknown' ? 1 : 2;
  return [pod.spec.nodeName ? 1 : 0, phaseRank, isReady(pod) ? 1 : 0];
}

export function byDeletionPreference(a: Pod, b: Pod): number {
  const ra = deletionRank(a);
  const rb = deletionRank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
  // Newer pods go first.
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) return ta > tb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? 1 : -1;
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {}

  sync(key: string): void {
    const { store, index, clock, timers } = this.ctx;
    const [namespace, name] = splitKey(key);
    const rs = store.get<ReplicaSet>(REPLICASETS, namespace, name);
    if (!rs) return;
    const owned = index.podsOf(rs.metadata.uid);
    const active = owned.filter(isActive);
    const desired = rs.spec?.replicas ?? 1;
    if (!rs.metadata.deletionTimestamp) {
      const diff = desired - active.length;
      if (diff > 0) {
        for (let i = 0; i < Math.min(diff, BURST); i++) {
          const pod = store.pods.create(podFromTemplate(rs, rs.spec?.template, { generateName: `${name}-` }));
          this.ctx.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
        }
      } else if (diff < 0) {
        const victims = [...active].sort(byDeletionPreference).slice(0, Math.min(-diff, BURST));
        for (const pod of victims) {
          try {
            store.pods.delete(namespace, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
            this.ctx.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, SOURCE);
          } catch (err) {
            if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
          }
        }
      }
    }
    const now = clock.now();
    const current = index.podsOf(rs.metadata.uid).filter(isActive);
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const ready = current.filter(isReady).length;
    const available = current.filter((p) => isAvailable(p, minReady, now)).length;
    if (minReady > 0 && available < ready) timers.at(now + minReady * 1000, () => this.queue.add(key));
    const status = {
      replicas: current.length,
      fullyLabeledReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    const s = rs.status;
    if (
      !s ||
      s.replicas !== status.replicas ||
      s.fullyLabeledReplicas !== status.fullyLabeledReplicas ||
      s.readyReplicas !== status.readyReplicas ||
      s.availableReplicas !== status.availableReplicas ||
      s.observedGeneration !== status.observedGeneration
    ) {
      store.mutate<ReplicaSet>(REPLICASETS, namespace, name, (d) => {
        d.status = { ...(d.status ?? {}), ...status };
      }, { subresource: 'status' });
    }
  }
}
