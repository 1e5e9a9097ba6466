/**
 * The DaemonSet controller: one pod per eligible node (the template's nodeSelector/affinity match and every
 * NoSchedule/NoExecute taint is tolerated), pinned to its node by required node affinity on
 * `metadata.name` and placed by the scheduler, as upstream does. DaemonSet pods get the tolerations the real
 * controller adds (not-ready and unreachable NoExecute forever; disk/memory/pid pressure and unschedulable
 * NoSchedule), so they run on cordoned nodes and survive a node going NotReady. Template changes roll out
 * node by node within `maxUnavailable`.
 */
import type { KubeObject, LabelSelectorSpec, Node, Pod, Toleration } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { isActive, isAvailable, isReady, podFromTemplate, type PodTemplate, scaledValue, splitKey, templateHash } from './pod-helpers.ts';
import { matchesNodeSelectorAndAffinity, untoleratedTaint } from './scheduler-fit.ts';

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: LabelSelectorSpec;
    template?: PodTemplate;
    minReadySeconds?: number;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string } };
  };
  status?: {
    currentNumberScheduled: number;
    desiredNumberScheduled: number;
    numberMisscheduled: number;
    numberReady: number;
    numberAvailable?: number;
    numberUnavailable?: number;
    updatedNumberScheduled?: number;
    observedGeneration?: number;
  };
}

export const DAEMONSETS = 'apps/daemonsets';
const SOURCE = { component: 'daemonset-controller' };
const REVISION_LABEL = 'controller-revision-hash';
const GENERATION_LABEL = 'pod-template-generation';

/** The tolerations the DaemonSet controller adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function withDaemonTolerations(existing: readonly Toleration[] | undefined): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of DAEMON_TOLERATIONS) if (!out.some((e) => e.key === t.key && e.effect === t.effect)) out.push({ ...t });
  return out;
}

/** The node a daemon pod is pinned to (its matchFields metadata.name affinity), or where it is bound. */
export function daemonPodTarget(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchFields?: Array<{ key: string; values?: string[] }> }> } } } | undefined)
    ?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.values?.[0]) return f.values[0];
  return undefined;
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly queue = new WorkQueue();

  /** Verdicts per (frozen) Node object and DaemonSet uid/generation: a sync re-checks only changed nodes. */
  private readonly verdicts = new WeakMap<Node, Map<string, { run: boolean; keep: boolean }>>();

  constructor(private readonly ctx: ControllerContext) {}

  private verdict(ds: DaemonSet, node: Node): { run: boolean; keep: boolean } {
    const key = `${ds.metadata.uid}/${ds.metadata.generation ?? 1}`;
    let perNode = this.verdicts.get(node);
    if (!perNode) this.verdicts.set(node, (perNode = new Map()));
    let v = perNode.get(key);
    if (!v) perNode.set(key, (v = this.shouldRun(ds, node)));
    return v;
  }

  /**
   * nodeShouldRunDaemonPod: `run` — a daemon pod should be created there (NoSchedule and NoExecute taints
   * tolerated); `keep` — an existing one may stay (only NoExecute taints matter).
   */
  shouldRun(ds: DaemonSet, node: Node): { run: boolean; keep: boolean } {
    if (node.metadata.deletionTimestamp) return { run: false, keep: false };
    const probe = { metadata: { name: '' }, spec: { ...(ds.spec?.template?.spec ?? { containers: [] }), tolerations: withDaemonTolerations(ds.spec?.template?.spec?.tolerations) } } as unknown as Pod;
    if (!matchesNodeSelectorAndAffinity(probe, node)) return { run: false, keep: false };
    const taints = node.spec?.taints ?? [];
    const keep = untoleratedTaint(taints.filter((t) => t.effect === 'NoExecute'), probe.spec.tolerations) === undefined;
    return { run: keep && untoleratedTaint(taints, probe.spec.tolerations) === undefined, keep };
  }

  sync(key: string): void {
    const { store, index, clock } = this.ctx;
    const [namespace, name] = splitKey(key);
    const ds = store.get<DaemonSet>(DAEMONSETS, namespace, name);
    if (!ds) return;
    const generation = String(ds.metadata.generation ?? 1);
    const revision = templateHash(ds.spec?.template ?? {});
    const podsByNode = new Map<string, Pod[]>();
    for (const pod of index.podsOf(ds.metadata.uid)) {
      if (!isActive(pod) && pod.status?.phase !== 'Failed') continue;
      const target = daemonPodTarget(pod);
      if (!target) continue;
      const list = podsByNode.get(target) ?? [];
      list.push(pod);
      podsByNode.set(target, list);
    }
    const now = clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desiredCount = 0;
    let scheduled = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const outdated: Pod[] = [];
    const nodeNames = new Set([...index.nodes.keys(), ...podsByNode.keys()]);
    for (const nodeName of nodeNames) {
      const node = index.nodes.get(nodeName);
      const verdict = node ? this.verdict(ds, node) : { run: false, keep: false };
      const pods = podsByNode.get(nodeName) ?? [];
      const failed = pods.filter((p) => p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp);
      const live = pods.filter(isActive);
      const should = verdict.run || (verdict.keep && live.length > 0);
      if (should) desiredCount++;
      if (ds.metadata.deletionTimestamp) continue;
      for (const p of failed) this.deletePod(ds, p);
      if (verdict.run && live.length === 0 && node) this.createPod(ds, node, generation, revision);
      if (should && live.length > 1) {
        // Keep the oldest, delete the rest.
        for (const p of [...live].sort((a, b) => (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? -1 : 1)).slice(1)) this.deletePod(ds, p);
      }
      if (!should && live.length > 0) {
        if (node) misscheduled += live.filter((p) => p.spec.nodeName).length;
        for (const p of live) this.deletePod(ds, p);
      }
      if (should && live.length > 0) {
        const pod = live[0]!;
        if (pod.spec.nodeName) scheduled++;
        if (isReady(pod)) ready++;
        if (isAvailable(pod, minReady, now)) available++;
        if (pod.metadata.labels?.[GENERATION_LABEL] === generation || pod.metadata.labels?.[REVISION_LABEL] === revision) updated++;
        else outdated.push(pod);
      }
    }
    if (!ds.metadata.deletionTimestamp && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && outdated.length > 0) {
      const maxUnavailable = Math.max(1, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, desiredCount, true, 1));
      let budget = maxUnavailable - (desiredCount - available);
      for (const pod of outdated) {
        if (budget <= 0) break;
        if (!isAvailable(pod, minReady, now)) continue;
        this.deletePod(ds, pod);
        budget--;
      }
    }
    const status: NonNullable<DaemonSet['status']> = {
      currentNumberScheduled: scheduled,
      desiredNumberScheduled: desiredCount,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: Math.max(0, desiredCount - available),
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    const s = ds.status;
    if (!s || (Object.keys(status) as Array<keyof typeof status>).some((k) => s[k] !== status[k])) {
      store.mutate<DaemonSet>(DAEMONSETS, namespace, name, (d) => {
        d.status = { ...(d.status ?? {}), ...status };
      }, { subresource: 'status' });
    }
  }

  private createPod(ds: DaemonSet, node: Node, generation: string, revision: string): void {
    const spec = ds.spec?.template?.spec;
    const affinity = structuredClone((spec?.affinity ?? {}) as Record<string, unknown>) as {
      nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: Array<Record<string, unknown>> }; [k: string]: unknown };
      [k: string]: unknown;
    };
    // ReplaceDaemonSetPodNodeNameNodeAffinity: pin to the node through matchFields, keeping other affinity.
    affinity.nodeAffinity = {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.metadata.name] }] }],
      },
    };
    const manifest = podFromTemplate(
      ds,
      ds.spec?.template,
      { generateName: `${ds.metadata.name}-`, labels: { [REVISION_LABEL]: revision, [GENERATION_LABEL]: generation } },
      { affinity, tolerations: withDaemonTolerations(spec?.tolerations) },
    );
    const pod = this.ctx.store.pods.create(manifest);
    this.ctx.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
  }

  private deletePod(ds: DaemonSet, pod: Pod): void {
    try {
      this.ctx.store.pods.delete(pod.metadata.namespace!, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
      this.ctx.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, SOURCE);
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
    }
  }
}
