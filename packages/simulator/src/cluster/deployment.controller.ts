/**
 * The Deployment controller: one ReplicaSet per pod template (named `<deployment>-<pod-template-hash>`, the
 * hash also labelling its pods and selector), rolling updates within `maxSurge`/`maxUnavailable` (or Recreate),
 * revision annotations, and the status fields and conditions `kubectl get deploy` and `kubectl rollout status`
 * read (replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas, observedGeneration,
 * Available and Progressing).
 */
import type { KubeObject, LabelSelectorSpec } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { controllerRef, ownerRefTo, type PodTemplate, scaledValue, splitKey, templateHash } from './pod-helpers.ts';
import { REPLICASETS, type ReplicaSet } from './replicaset.controller.ts';

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    paused?: boolean;
    selector?: LabelSelectorSpec;
    template?: PodTemplate;
    strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: DeploymentCondition[];
    collisionCount?: number;
  };
}

interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const DEPLOYMENTS = 'apps/deployments';
const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {}

  /** The ReplicaSets a deployment controls. */
  private owned(d: Deployment): ReplicaSet[] {
    return this.ctx.store
      .list<ReplicaSet>(REPLICASETS, { namespace: d.metadata.namespace })
      .items.filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
  }

  sync(key: string): void {
    const { store } = this.ctx;
    const [namespace, name] = splitKey(key);
    const d = store.get<Deployment>(DEPLOYMENTS, namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const desired = d.spec?.replicas ?? 1;
    const hash = templateHash(d.spec?.template ?? {});
    let all = this.owned(d);
    let newRs = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const revisions = all.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0));
    const maxRevision = revisions.length ? Math.max(...revisions) : 0;
    const olds = () => all.filter((rs) => rs !== newRs && (rs.spec?.replicas ?? 0) > 0);

    if (!newRs) {
      const rollingUpdate = d.spec?.strategy?.type !== 'Recreate';
      const initial = olds().length === 0 ? desired : rollingUpdate ? 0 : 0;
      newRs = this.createReplicaSet(d, hash, initial, maxRevision + 1);
      all = [...all, newRs];
    } else if (newRs.metadata.annotations?.[REVISION] !== String(maxRevision) && olds().length > 0) {
      // A rollback to an older template makes its ReplicaSet the newest revision again.
      newRs = this.annotate(newRs, { [REVISION]: String(maxRevision + 1) });
      all = all.map((rs) => (rs.metadata.uid === newRs!.metadata.uid ? newRs! : rs));
    }

    if (!d.spec?.paused) {
      if (d.spec?.strategy?.type === 'Recreate') this.recreate(d, newRs, olds(), all, desired);
      else this.rollingUpdate(d, newRs, olds(), all, desired);
    }
    const revision = newRs.metadata.annotations?.[REVISION];
    if (revision && d.metadata.annotations?.[REVISION] !== revision) {
      store.mutate<Deployment>(DEPLOYMENTS, namespace, name, (draft) => {
        draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), [REVISION]: revision };
      }, { skipValidation: true });
    }
    this.cleanupHistory(d, newRs);
    this.writeStatus(namespace, name, newRs);
  }

  private createReplicaSet(d: Deployment, hash: string, replicas: number, revision: number): ReplicaSet {
    const template = structuredClone(d.spec?.template ?? {}) as PodTemplate;
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector: LabelSelectorSpec = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rsName = `${d.metadata.name}-${hash}`;
    try {
      const rs = this.ctx.store.create<ReplicaSet>(REPLICASETS, {
        metadata: {
          name: rsName,
          namespace: d.metadata.namespace,
          labels: { ...(template.metadata.labels ?? {}) },
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(d.spec?.replicas ?? 1),
            'deployment.kubernetes.io/max-replicas': String((d.spec?.replicas ?? 1) + this.maxSurge(d)),
            [REVISION]: String(revision),
          },
          ownerReferences: [ownerRefTo(d)],
        },
        spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
      });
      if (replicas > 0) this.ctx.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${replicas}`, SOURCE);
      return rs;
    } catch (err) {
      // A ReplicaSet of that name not owned by us (hash collision or an orphan): adopt it if it is ours to take.
      if (err instanceof KubeApiError && err.reason === 'AlreadyExists') {
        const existing = this.ctx.store.get<ReplicaSet>(REPLICASETS, d.metadata.namespace, rsName);
        if (existing && !controllerRef(existing)) {
          return this.ctx.store.mutate<ReplicaSet>(REPLICASETS, d.metadata.namespace, rsName, (rs) => {
            rs.metadata.ownerReferences = [...(rs.metadata.ownerReferences ?? []), ownerRefTo(d)];
          });
        }
      }
      throw err;
    }
  }

  private maxSurge(d: Deployment): number {
    return scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, d.spec?.replicas ?? 1, true, Math.ceil((d.spec?.replicas ?? 1) * 0.25));
  }

  private scale(d: Deployment, rs: ReplicaSet, replicas: number): ReplicaSet {
    const current = rs.spec?.replicas ?? 0;
    if (current === replicas) return rs;
    const updated = this.ctx.store.mutate<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name, (draft) => {
      draft.spec = { ...(draft.spec ?? {}), replicas };
      draft.metadata.annotations = {
        ...(draft.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(d.spec?.replicas ?? 1),
        'deployment.kubernetes.io/max-replicas': String((d.spec?.replicas ?? 1) + this.maxSurge(d)),
      };
    });
    const verb = replicas > current ? 'up' : 'down';
    this.ctx.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${current} to ${replicas}`, SOURCE);
    return updated;
  }

  private annotate(rs: ReplicaSet, annotations: Record<string, string>): ReplicaSet {
    return this.ctx.store.mutate<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name, (draft) => {
      draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), ...annotations };
    });
  }

  private recreate(d: Deployment, newRs: ReplicaSet, olds: ReplicaSet[], all: ReplicaSet[], desired: number): void {
    for (const rs of olds) this.scale(d, rs, 0);
    const oldPodsLeft = all.filter((rs) => rs !== newRs).some((rs) => this.ctx.index.podsOf(rs.metadata.uid).length > 0);
    if (!oldPodsLeft) this.scale(d, newRs, desired);
  }

  /** deployment/util rolling update: surge the new ReplicaSet, then scale old ones down within maxUnavailable. */
  private rollingUpdate(d: Deployment, newRs: ReplicaSet, olds: ReplicaSet[], all: ReplicaSet[], desired: number): void {
    if (olds.length === 0) {
      this.scale(d, newRs, desired);
      return;
    }
    const maxSurge = this.maxSurge(d);
    let maxUnavailable = scaledValue(d.spec?.strategy?.rollingUpdate?.maxUnavailable, desired, false, Math.floor(desired * 0.25));
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const specTotal = () => all.reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    // Scale up the new ReplicaSet as far as the surge allows.
    const newReplicas = newRs.spec?.replicas ?? 0;
    const room = desired + maxSurge - specTotal();
    if (room > 0 && newReplicas < desired) {
      const target = Math.min(desired, newReplicas + room);
      const scaled = this.scale(d, newRs, target);
      all = all.map((rs) => (rs.metadata.uid === scaled.metadata.uid ? scaled : rs));
      newRs = scaled;
    } else if (newReplicas > desired) {
      newRs = this.scale(d, newRs, desired);
    }
    // Scale old ones down while keeping desired − maxUnavailable available.
    const minAvailable = desired - maxUnavailable;
    const newUnavailable = Math.max(0, (newRs.spec?.replicas ?? 0) - (newRs.status?.availableReplicas ?? 0));
    let cleanup = specTotal() - minAvailable - newUnavailable;
    for (const rs of olds) {
      // First the old ReplicaSets' unavailable pods (they cost no availability).
      if (cleanup <= 0) break;
      const unhealthy = (rs.spec?.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      const cut = Math.min(cleanup, Math.max(0, unhealthy));
      if (cut > 0) {
        const scaled = this.scale(d, rs, (rs.spec?.replicas ?? 0) - cut);
        all = all.map((x) => (x.metadata.uid === scaled.metadata.uid ? scaled : x));
        cleanup -= cut;
      }
    }
    const availableTotal = all.reduce((s, rs) => s + (rs.status?.availableReplicas ?? 0), 0);
    let scaleDown = availableTotal - minAvailable;
    for (const old of olds) {
      if (scaleDown <= 0) break;
      const rs = all.find((x) => x.metadata.uid === old.metadata.uid) ?? old;
      const cut = Math.min(scaleDown, rs.spec?.replicas ?? 0);
      if (cut > 0) {
        this.scale(d, rs, (rs.spec?.replicas ?? 0) - cut);
        scaleDown -= cut;
      }
    }
  }

  /** Keeps at most revisionHistoryLimit old ReplicaSets with zero replicas. */
  private cleanupHistory(d: Deployment, newRs: ReplicaSet): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const old = this.owned(d)
      .filter((rs) => rs.metadata.uid !== newRs.metadata.uid && (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0));
    for (const rs of old.slice(0, Math.max(0, old.length - limit))) {
      try {
        this.ctx.store.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.reason === 'NotFound')) throw err;
      }
    }
  }

  private writeStatus(namespace: string, name: string, newRs: ReplicaSet): void {
    const { store } = this.ctx;
    const d = store.get<Deployment>(DEPLOYMENTS, namespace, name);
    if (!d) return;
    const all = this.owned(d);
    const fresh = all.find((rs) => rs.metadata.uid === newRs.metadata.uid);
    const desired = d.spec?.replicas ?? 1;
    const sum = (f: (rs: ReplicaSet) => number | undefined) => all.reduce((s, rs) => s + (f(rs) ?? 0), 0);
    const replicas = sum((rs) => rs.status?.replicas);
    const updatedReplicas = fresh?.status?.replicas ?? 0;
    const readyReplicas = sum((rs) => rs.status?.readyReplicas);
    const availableReplicas = sum((rs) => rs.status?.availableReplicas);
    const maxUnavailable = d.spec?.strategy?.type === 'Recreate' ? 0 : scaledValue(d.spec?.strategy?.rollingUpdate?.maxUnavailable, desired, false, Math.floor(desired * 0.25));
    const now = store.timestamp();
    const rsName = fresh?.metadata.name ?? newRs.metadata.name;
    const complete = updatedReplicas === desired && replicas === desired && availableReplicas === desired && (fresh?.spec?.replicas ?? 0) === desired;
    const available: DeploymentCondition =
      availableReplicas >= desired - maxUnavailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
    const progressing: DeploymentCondition = complete
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    const conditions = [available, progressing].map((c) => {
      const prev = d.status?.conditions?.find((p) => p.type === c.type);
      if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return prev;
      return { ...c, lastUpdateTime: now, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
    });
    const status: NonNullable<Deployment['status']> = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas,
      updatedReplicas,
      readyReplicas,
      availableReplicas,
      unavailableReplicas: Math.max(0, desired - availableReplicas),
      conditions,
    };
    if (JSON.stringify(status) === JSON.stringify({ ...status, ...pick(d.status) })) return;
    store.mutate<Deployment>(DEPLOYMENTS, namespace, name, (draft) => {
      draft.status = { ...(draft.status ?? {}), ...status };
    }, { subresource: 'status' });
  }
}

function pick(s: Deployment['status']): Partial<NonNullable<Deployment['status']>> {
  if (!s) return { observedGeneration: -1 };
  const { observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas, conditions } = s;
  return { observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas, conditions };
}
