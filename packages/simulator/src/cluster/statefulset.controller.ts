/**
 * The StatefulSet controller: pods `<name>-0 … <name>-(n-1)` with stable names. With the default
 * `OrderedReady` policy it creates one pod at a time in ordinal order, each only after the previous ones are
 * Running and Ready, and removes from the highest ordinal down, one at a time; `Parallel` does both at once.
 * A pod whose name is still held by a terminating pod is re-created once that one is gone. Template changes
 * roll out from the highest ordinal down (RollingUpdate with `partition`). Status carries the revisions
 * `kubectl rollout status sts` compares.
 */
import type { KubeObject, LabelSelectorSpec, Pod } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { isActive, isAvailable, isReady, podFromTemplate, type PodTemplate, splitKey, templateHash } from './pod-helpers.ts';

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    serviceName?: string;
    selector?: LabelSelectorSpec;
    template?: PodTemplate;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

export const STATEFULSETS = 'apps/statefulsets';
const SOURCE = { component: 'statefulset-controller' };
const REVISION_LABEL = 'controller-revision-hash';

function ordinalOf(setName: string, pod: Pod): number {
  const prefix = `${setName}-`;
  const name = pod.metadata.name;
  if (!name.startsWith(prefix)) return -1;
  const n = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(n) ? Number(n) : -1;
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {}

  sync(key: string): void {
    const { store, index, clock } = this.ctx;
    const [namespace, name] = splitKey(key);
    const sts = store.get<StatefulSet>(STATEFULSETS, namespace, name);
    if (!sts) return;
    const desired = sts.spec?.replicas ?? 1;
    const parallel = sts.spec?.podManagementPolicy === 'Parallel';
    const revision = `${name}-${templateHash(sts.spec?.template ?? {})}`;
    const pods = index.podsOf(sts.metadata.uid);
    const byOrdinal = new Map<number, Pod>();
    for (const p of pods) {
      const o = ordinalOf(name, p);
      if (o >= 0) byOrdinal.set(o, p);
    }
    const healthy = (p: Pod | undefined) => !!p && isActive(p) && p.status?.phase === 'Running' && isReady(p);

    if (!sts.metadata.deletionTimestamp) {
      // Create missing replicas in ordinal order.
      for (let i = 0; i < desired; i++) {
        const pod = byOrdinal.get(i);
        if (!pod) {
          if (!index.pods.has(`${namespace}/${name}-${i}`)) this.createPod(sts, i, revision);
          if (!parallel) break;
          continue;
        }
        if (pod.status?.phase === 'Failed' && !pod.metadata.deletionTimestamp) {
          this.deletePod(sts, pod);
          if (!parallel) break;
          continue;
        }
        if (!parallel && !healthy(pod)) break;
      }
      // Remove condemned replicas, highest ordinal first.
      const condemned = [...byOrdinal.entries()].filter(([o]) => o >= desired).sort(([a], [b]) => b - a);
      const lowerHealthy = [...Array(desired).keys()].every((i) => healthy(byOrdinal.get(i)));
      for (const [, pod] of condemned) {
        if (pod.metadata.deletionTimestamp) {
          if (!parallel) break;
          continue;
        }
        if (!parallel && !lowerHealthy) break;
        this.deletePod(sts, pod);
        if (!parallel) break;
      }
      // Rolling update: replace the highest-ordinal pod on an old revision once all are healthy.
      const strategy = sts.spec?.updateStrategy?.type ?? 'RollingUpdate';
      const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const allHealthy = [...Array(desired).keys()].every((i) => healthy(byOrdinal.get(i)));
      if (strategy === 'RollingUpdate' && allHealthy && condemned.length === 0) {
        for (let i = desired - 1; i >= partition; i--) {
          const pod = byOrdinal.get(i)!;
          if (pod.metadata.labels?.[REVISION_LABEL] !== revision) {
            this.deletePod(sts, pod);
            break;
          }
        }
      }
    }

    const now = clock.now();
    const current = index.podsOf(sts.metadata.uid).filter(isActive);
    const minReady = sts.spec?.minReadySeconds ?? 0;
    const updated = current.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const allUpdated = updated === desired && current.length === desired;
    const currentRevision = allUpdated ? revision : (sts.status?.currentRevision ?? revision);
    const status: NonNullable<StatefulSet['status']> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: current.length,
      readyReplicas: current.filter(isReady).length,
      currentReplicas: allUpdated ? updated : current.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length,
      updatedReplicas: updated,
      availableReplicas: current.filter((p) => isAvailable(p, minReady, now)).length,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
    };
    const s = sts.status;
    if (!s || (Object.keys(status) as Array<keyof typeof status>).some((k) => s[k] !== status[k])) {
      store.mutate<StatefulSet>(STATEFULSETS, namespace, name, (d) => {
        d.status = { ...(d.status ?? {}), ...status };
      }, { subresource: 'status' });
    }
  }

  private createPod(sts: StatefulSet, ordinal: number, revision: string): void {
    const setName = sts.metadata.name;
    const podName = `${setName}-${ordinal}`;
    const manifest = podFromTemplate(
      sts,
      sts.spec?.template,
      {
        name: podName,
        labels: { [REVISION_LABEL]: revision, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(ordinal) },
      },
      { hostname: podName, subdomain: sts.spec?.serviceName ?? setName },
    );
    try {
      this.ctx.store.pods.create(manifest);
      this.ctx.events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${setName} successful`, SOURCE);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }

  private deletePod(sts: StatefulSet, pod: Pod): void {
    try {
      this.ctx.store.pods.delete(pod.metadata.namespace!, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
      this.ctx.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`, SOURCE);
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
    }
  }
}
