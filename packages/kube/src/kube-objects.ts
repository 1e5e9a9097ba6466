/**
 * Kubernetes API objects → KubeGateway domain types. Each object is validated with zod for exactly the fields
 * the code relies on; a malformed object is reported (`MalformedObject`) so the caller skips it with a log line
 * instead of crashing. Timestamps may be strings (raw JSON, watch events) or Dates (client-node models).
 */
import { z } from 'zod';
import { WorkloadKindSchema, type WorkloadKind } from '@cloudoptim/contracts';
import type { Logger } from '@cloudoptim/runtime';
import { countOf, cpuMillicores, memoryBytes } from './quantity.ts';
import {
  CLOUDOPTIM_DO_NOT_DISRUPT_ANNOTATION,
  DO_NOT_DISRUPT_ANNOTATION,
  MIRROR_POD_ANNOTATION,
  type KubeContainer,
  type KubeEvent,
  type KubeLabelSelector,
  type KubeNode,
  type KubePdb,
  type KubePod,
  type KubeWorkload,
  type NodeResources,
  type NodeUsage,
  type PodUsage,
  type Taint,
  type Toleration,
} from './kube-types.ts';

/** An object that does not have the fields the gateway relies on. */
export class MalformedObject extends Error {
  constructor(
    readonly kind: string,
    readonly objectName: string,
    message: string,
  ) {
    super(`malformed ${kind} ${objectName}: ${message}`);
    this.name = 'MalformedObject';
  }
}

const TimeSchema = z.union([z.string(), z.date()]).transform((v) => {
  const ms = typeof v === 'string' ? Date.parse(v) : v.getTime();
  return Number.isFinite(ms) ? ms : null;
});
const StringMap = z.record(z.string(), z.string());
const QuantityMap = z.record(z.string(), z.union([z.string(), z.number()]));
const IntOrString = z.union([z.number(), z.string()]);

const OwnerRefSchema = z.object({ kind: z.string(), name: z.string(), uid: z.string().nullish(), controller: z.boolean().nullish() });
const MetaSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().nullish(),
  uid: z.string().nullish(),
  resourceVersion: z.string().nullish(),
  labels: StringMap.nullish(),
  annotations: StringMap.nullish(),
  creationTimestamp: TimeSchema.nullish(),
  deletionTimestamp: TimeSchema.nullish(),
  ownerReferences: z.array(OwnerRefSchema).nullish(),
});
const ConditionSchema = z.object({ type: z.string(), status: z.string(), reason: z.string().nullish(), message: z.string().nullish() });

const NodeSchema = z.object({
  metadata: MetaSchema,
  spec: z
    .object({
      providerID: z.string().nullish(),
      unschedulable: z.boolean().nullish(),
      taints: z.array(z.object({ key: z.string(), value: z.string().nullish(), effect: z.string() })).nullish(),
    })
    .nullish(),
  status: z
    .object({
      allocatable: QuantityMap.nullish(),
      capacity: QuantityMap.nullish(),
      conditions: z.array(ConditionSchema).nullish(),
      nodeInfo: z.object({ architecture: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

const ResourcesSchema = z.object({ requests: QuantityMap.nullish(), limits: QuantityMap.nullish() }).nullish();
const ContainerSpecSchema = z.object({ name: z.string().min(1), resources: ResourcesSchema });
const ContainerStatusSchema = z.object({
  name: z.string(),
  ready: z.boolean().nullish(),
  restartCount: z.number().nullish(),
  lastState: z.object({ terminated: z.object({ reason: z.string().nullish() }).nullish() }).nullish(),
});
const MatchExpressionSchema = z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).nullish() });

const PodSchema = z.object({
  metadata: MetaSchema.extend({ namespace: z.string().min(1) }),
  spec: z.object({
    nodeName: z.string().nullish(),
    containers: z.array(ContainerSpecSchema).min(1),
    initContainers: z.array(ContainerSpecSchema).nullish(),
    nodeSelector: StringMap.nullish(),
    tolerations: z
      .array(z.object({ key: z.string().nullish(), operator: z.string().nullish(), value: z.string().nullish(), effect: z.string().nullish(), tolerationSeconds: z.number().nullish() }))
      .nullish(),
    affinity: z
      .object({
        nodeAffinity: z
          .object({
            requiredDuringSchedulingIgnoredDuringExecution: z
              .object({ nodeSelectorTerms: z.array(z.object({ matchExpressions: z.array(MatchExpressionSchema).nullish() })) })
              .nullish(),
          })
          .nullish(),
      })
      .nullish(),
    priority: z.number().nullish(),
    priorityClassName: z.string().nullish(),
    terminationGracePeriodSeconds: z.number().nullish(),
    volumes: z.array(z.object({ name: z.string(), emptyDir: z.unknown().optional() })).nullish(),
  }),
  status: z
    .object({
      phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).nullish(),
      conditions: z.array(ConditionSchema).nullish(),
      containerStatuses: z.array(ContainerStatusSchema).nullish(),
      initContainerStatuses: z.array(ContainerStatusSchema).nullish(),
      qosClass: z.enum(['Guaranteed', 'Burstable', 'BestEffort']).nullish(),
      startTime: TimeSchema.nullish(),
    })
    .nullish(),
});

const SelectorSchema = z
  .object({ matchLabels: StringMap.nullish(), matchExpressions: z.array(MatchExpressionSchema).nullish() })
  .nullish();

const PdbSchema = z.object({
  metadata: MetaSchema.extend({ namespace: z.string().min(1) }),
  spec: z.object({ selector: SelectorSchema, minAvailable: IntOrString.nullish(), maxUnavailable: IntOrString.nullish() }).nullish(),
  status: z
    .object({ disruptionsAllowed: z.number().nullish(), currentHealthy: z.number().nullish(), desiredHealthy: z.number().nullish(), expectedPods: z.number().nullish() })
    .nullish(),
});

const WorkloadSchema = z.object({
  metadata: MetaSchema.extend({ namespace: z.string().min(1) }),
  spec: z.object({
    replicas: z.number().int().nullish(),
    template: z.object({ spec: z.object({ containers: z.array(ContainerSpecSchema).min(1) }) }),
  }),
});

const EventSchema = z.object({
  metadata: MetaSchema.extend({ namespace: z.string().min(1) }),
  type: z.string().nullish(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  involvedObject: z
    .object({ kind: z.string().nullish(), namespace: z.string().nullish(), name: z.string().nullish(), uid: z.string().nullish() })
    .nullish(),
  count: z.number().nullish(),
  firstTimestamp: TimeSchema.nullish(),
  lastTimestamp: TimeSchema.nullish(),
  eventTime: TimeSchema.nullish(),
  series: z.object({ count: z.number().nullish(), lastObservedTime: TimeSchema.nullish() }).nullish(),
  source: z.object({ component: z.string().nullish(), host: z.string().nullish() }).nullish(),
});

/** An object's owner metadata only (ReplicaSets and Jobs, to resolve a pod's top-level workload). */
const OwnedSchema = z.object({ metadata: MetaSchema.extend({ namespace: z.string().min(1) }) });

/** The autoscaling/v1 Scale subresource. */
export const ScaleSchema = z.object({
  metadata: z.object({ resourceVersion: z.string().nullish() }).nullish(),
  spec: z.object({ replicas: z.number().int().nullish() }).nullish(),
});

const UsageSchema = z.object({ cpu: z.union([z.string(), z.number()]), memory: z.union([z.string(), z.number()]) });
const NodeMetricsSchema = z.object({ metadata: z.object({ name: z.string().min(1) }), timestamp: TimeSchema.nullish(), usage: UsageSchema });
const PodMetricsSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }),
  timestamp: TimeSchema.nullish(),
  containers: z.array(z.object({ name: z.string(), usage: UsageSchema })),
});

function nameOf(raw: unknown): string {
  const meta = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const name = typeof meta?.name === 'string' ? meta.name : '(unnamed)';
  return typeof meta?.namespace === 'string' ? `${meta.namespace}/${name}` : name;
}

function parse<S extends z.ZodType>(schema: S, raw: unknown, kind: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new MalformedObject(kind, nameOf(raw), issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid');
}

function cpu(q: string | number | undefined, kind: string, name: string, field: string): number | undefined {
  if (q === undefined) return undefined;
  const v = cpuMillicores(q);
  if (v === undefined) throw new MalformedObject(kind, name, `${field}: not a quantity: ${String(q)}`);
  return v;
}
function mem(q: string | number | undefined, kind: string, name: string, field: string): number | undefined {
  if (q === undefined) return undefined;
  const v = memoryBytes(q);
  if (v === undefined) throw new MalformedObject(kind, name, `${field}: not a quantity: ${String(q)}`);
  return v;
}

function nodeResources(q: Record<string, string | number> | null | undefined, name: string, field: string): NodeResources {
  const m = q ?? {};
  return {
    cpuMillicores: cpu(m['cpu'], 'Node', name, `${field}.cpu`) ?? 0,
    memoryBytes: mem(m['memory'], 'Node', name, `${field}.memory`) ?? 0,
    pods: m['pods'] === undefined ? 0 : (countOf(m['pods']) ?? 0),
    gpus: m['nvidia.com/gpu'] === undefined ? 0 : (countOf(m['nvidia.com/gpu']) ?? 0),
  };
}

const TAINT_EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
function isEffect(e: string | null | undefined): e is Taint['effect'] {
  return e != null && TAINT_EFFECTS.has(e);
}

function capacityTypeOf(labels: Record<string, string>): KubeNode['capacityType'] {
  const karpenter = labels['karpenter.sh/capacity-type']?.toLowerCase();
  if (karpenter === 'spot' || karpenter === 'on-demand') return karpenter;
  const eks = labels['eks.amazonaws.com/capacityType']?.toUpperCase();
  if (eks === 'SPOT') return 'spot';
  if (eks === 'ON_DEMAND') return 'on-demand';
  // kops and self-managed node groups: `node.kubernetes.io/lifecycle=spot|normal`.
  const lifecycle = labels['node.kubernetes.io/lifecycle']?.toLowerCase();
  if (lifecycle === 'spot') return 'spot';
  if (lifecycle === 'normal' || lifecycle === 'on-demand') return 'on-demand';
  return null;
}

/** The instance id in an AWS providerID (`aws:///us-east-1a/i-0abc`), or null (other clouds' ids too). */
export function instanceIdOf(providerId: string | null | undefined): string | null {
  // `gce://project/zone/i-0123…` ends like an EC2 id but names no EC2 instance.
  if (!providerId?.startsWith('aws://')) return null;
  const last = providerId.split('/').pop() ?? '';
  return /^i-[0-9a-z-]+$/.test(last) ? last : null;
}

function architectureOf(raw: string | null | undefined): KubeNode['architecture'] {
  if (raw === 'amd64' || raw === 'x86_64') return 'x86_64';
  if (raw === 'arm64' || raw === 'aarch64') return 'arm64';
  return null;
}

/** A Node object → KubeNode. @throws MalformedObject */
export function toKubeNode(raw: unknown): KubeNode {
  const n = parse(NodeSchema, raw, 'Node');
  const name = n.metadata.name;
  const labels = n.metadata.labels ?? {};
  const providerId = n.spec?.providerID ?? null;
  return {
    name,
    uid: n.metadata.uid ?? '',
    instanceType: labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'] ?? null,
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? null,
    capacityType: capacityTypeOf(labels),
    providerId,
    instanceId: instanceIdOf(providerId),
    architecture: architectureOf(labels['kubernetes.io/arch'] ?? n.status?.nodeInfo?.architecture),
    allocatable: nodeResources(n.status?.allocatable ?? n.status?.capacity, name, 'status.allocatable'),
    capacity: nodeResources(n.status?.capacity ?? n.status?.allocatable, name, 'status.capacity'),
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    unschedulable: n.spec?.unschedulable === true,
    labels,
    annotations: n.metadata.annotations ?? {},
    taints: (n.spec?.taints ?? []).flatMap((t) => (isEffect(t.effect) ? [{ key: t.key, value: t.value ?? null, effect: t.effect }] : [])),
    createdAtMs: n.metadata.creationTimestamp ?? null,
    resourceVersion: n.metadata.resourceVersion ?? '',
  };
}

type ContainerSpec = z.output<typeof ContainerSpecSchema>;
type ContainerStatus = z.output<typeof ContainerStatusSchema>;

function toContainer(c: ContainerSpec, status: ContainerStatus | undefined, kind: string, owner: string): KubeContainer {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const f = `container ${c.name}`;
  const cpuLimit = cpu(lim['cpu'], kind, owner, `${f} limits.cpu`) ?? null;
  const memLimit = mem(lim['memory'], kind, owner, `${f} limits.memory`) ?? null;
  const gpu = req['nvidia.com/gpu'] ?? lim['nvidia.com/gpu'];
  return {
    name: c.name,
    // An unset request defaults to the limit (API defaulting), else 0.
    cpuRequestMillicores: cpu(req['cpu'], kind, owner, `${f} requests.cpu`) ?? cpuLimit ?? 0,
    memoryRequestBytes: mem(req['memory'], kind, owner, `${f} requests.memory`) ?? memLimit ?? 0,
    cpuLimitMillicores: cpuLimit,
    memoryLimitBytes: memLimit,
    gpuRequest: gpu === undefined ? 0 : (countOf(gpu) ?? 0),
    restartCount: status?.restartCount ?? 0,
    lastTerminationReason: status?.lastState?.terminated?.reason ?? null,
    ready: status?.ready === true,
  };
}

function controllerOf(refs: z.output<typeof OwnerRefSchema>[] | null | undefined): KubePod['owner'] {
  const ref = refs?.find((r) => r.controller === true) ?? null;
  return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid ?? '' } : null;
}

/** The controller of ReplicaSets and Jobs, by `namespace/name`, to resolve a pod's top-level workload. */
export type OwnerIndex = ReadonlyMap<string, { kind: string; name: string }>;

/** Indexes the controllers of owned objects (ReplicaSets, Jobs); malformed ones are skipped. */
export function ownerIndexOf(kind: 'ReplicaSet' | 'Job', raws: readonly unknown[], into = new Map<string, { kind: string; name: string }>()): Map<string, { kind: string; name: string }> {
  for (const raw of raws) {
    const r = OwnedSchema.safeParse(raw);
    if (!r.success) continue;
    const owner = controllerOf(r.data.metadata.ownerReferences);
    if (owner) into.set(`${kind}/${r.data.metadata.namespace}/${r.data.metadata.name}`, { kind: owner.kind, name: owner.name });
  }
  return into;
}

function workloadOf(namespace: string, owner: KubePod['owner'], labels: Record<string, string>, index: OwnerIndex | undefined): KubePod['workload'] {
  if (!owner) return null;
  let top: { kind: string; name: string } = owner;
  if (owner.kind === 'ReplicaSet' || owner.kind === 'Job') {
    const parent = index?.get(`${owner.kind}/${namespace}/${owner.name}`);
    if (parent && ((owner.kind === 'ReplicaSet' && parent.kind === 'Deployment') || (owner.kind === 'Job' && parent.kind === 'CronJob'))) {
      top = parent;
    } else if (!parent && owner.kind === 'ReplicaSet') {
      // Not indexed: the Deployment controller names its ReplicaSets `<deployment>-<pod-template-hash>`.
      const hash = labels['pod-template-hash'];
      if (hash && owner.name.endsWith(`-${hash}`)) top = { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    }
  }
  const kind = WorkloadKindSchema.safeParse(top.kind);
  return kind.success ? { kind: kind.data, name: top.name } : null;
}

const SELECTOR_OPS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);

/** A Pod object → KubePod; `owners` resolves ReplicaSet → Deployment and Job → CronJob. @throws MalformedObject */
export function toKubePod(raw: unknown, owners?: OwnerIndex): KubePod {
  const p = parse(PodSchema, raw, 'Pod');
  const { namespace, name } = p.metadata;
  const id = `${namespace}/${name}`;
  const annotations = p.metadata.annotations ?? {};
  const statuses = new Map((p.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const initStatuses = new Map((p.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const owner = controllerOf(p.metadata.ownerReferences);
  const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const tolerations: Toleration[] = (p.spec.tolerations ?? []).map((t) => ({
    key: t.key ? t.key : null,
    operator: t.operator === 'Exists' ? 'Exists' : 'Equal',
    value: t.value ?? null,
    effect: isEffect(t.effect) ? t.effect : null,
    tolerationSeconds: t.tolerationSeconds ?? null,
  }));
  const terms = p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return {
    namespace,
    name,
    uid: p.metadata.uid ?? '',
    nodeName: p.spec.nodeName ? p.spec.nodeName : null,
    phase: p.status?.phase ?? 'Pending',
    owner,
    workload: workloadOf(namespace, owner, p.metadata.labels ?? {}, owners),
    containers: p.spec.containers.map((c) => toContainer(c, statuses.get(c.name), 'Pod', id)),
    initContainers: (p.spec.initContainers ?? []).map((c) => toContainer(c, initStatuses.get(c.name), 'Pod', id)),
    labels: p.metadata.labels ?? {},
    annotations,
    doNotDisrupt: annotations[DO_NOT_DISRUPT_ANNOTATION] === 'true' || annotations[CLOUDOPTIM_DO_NOT_DISRUPT_ANNOTATION] === 'true',
    isDaemonSetPod: owner?.kind === 'DaemonSet',
    isMirrorPod: annotations[MIRROR_POD_ANNOTATION] !== undefined,
    usesEmptyDir: (p.spec.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null),
    terminating: p.metadata.deletionTimestamp != null,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    nodeSelector: p.spec.nodeSelector ?? {},
    tolerations,
    requiredNodeAffinity: terms.map((t) =>
      (t.matchExpressions ?? []).flatMap((e) =>
        SELECTOR_OPS.has(e.operator) ? [{ key: e.key, operator: e.operator as 'In', values: e.values ?? [] }] : [],
      ),
    ),
    priority: p.spec.priority ?? null,
    priorityClassName: p.spec.priorityClassName ?? null,
    qosClass: p.status?.qosClass ?? null,
    pending: scheduled && scheduled.status === 'False' ? { reason: scheduled.reason ?? null, message: scheduled.message ?? null } : null,
    terminationGracePeriodSeconds: p.spec.terminationGracePeriodSeconds ?? null,
    createdAtMs: p.metadata.creationTimestamp ?? null,
    startedAtMs: p.status?.startTime ?? null,
    resourceVersion: p.metadata.resourceVersion ?? '',
  };
}

function toSelector(s: z.output<typeof SelectorSchema>): KubeLabelSelector {
  return {
    matchLabels: s?.matchLabels ?? {},
    matchExpressions: (s?.matchExpressions ?? []).flatMap((e) =>
      e.operator === 'In' || e.operator === 'NotIn' || e.operator === 'Exists' || e.operator === 'DoesNotExist'
        ? [{ key: e.key, operator: e.operator, values: e.values ?? [] }]
        : [],
    ),
  };
}

/** A PodDisruptionBudget object → KubePdb. @throws MalformedObject */
export function toKubePdb(raw: unknown): KubePdb {
  const b = parse(PdbSchema, raw, 'PodDisruptionBudget');
  return {
    namespace: b.metadata.namespace,
    name: b.metadata.name,
    selector: toSelector(b.spec?.selector),
    minAvailable: b.spec?.minAvailable ?? null,
    maxUnavailable: b.spec?.maxUnavailable ?? null,
    disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
    currentHealthy: b.status?.currentHealthy ?? 0,
    desiredHealthy: b.status?.desiredHealthy ?? 0,
    expectedPods: b.status?.expectedPods ?? 0,
  };
}

/** A Deployment / StatefulSet / DaemonSet / ReplicaSet object → KubeWorkload. @throws MalformedObject */
export function toKubeWorkload(kind: WorkloadKind, raw: unknown): KubeWorkload {
  const w = parse(WorkloadSchema, raw, kind);
  const id = `${w.metadata.namespace}/${w.metadata.name}`;
  return {
    kind,
    namespace: w.metadata.namespace,
    name: w.metadata.name,
    replicas: kind === 'DaemonSet' ? null : (w.spec.replicas ?? 1),
    containers: w.spec.template.spec.containers.map((c) => toContainer(c, undefined, kind, id)),
    annotations: w.metadata.annotations ?? {},
    resourceVersion: w.metadata.resourceVersion ?? '',
  };
}

/** A core/v1 Event object → KubeEvent. @throws MalformedObject */
export function toKubeEvent(raw: unknown): KubeEvent {
  const e = parse(EventSchema, raw, 'Event');
  const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? null;
  return {
    namespace: e.metadata.namespace,
    name: e.metadata.name,
    uid: e.metadata.uid ?? '',
    type: e.type ?? null,
    reason: e.reason ?? null,
    message: e.message ?? null,
    involvedObject: {
      kind: e.involvedObject?.kind ?? null,
      namespace: e.involvedObject?.namespace ?? null,
      name: e.involvedObject?.name ?? null,
      uid: e.involvedObject?.uid ?? null,
    },
    count: Math.max(1, e.count ?? e.series?.count ?? 1),
    firstTimestampMs: first,
    lastTimestampMs: e.lastTimestamp ?? e.series?.lastObservedTime ?? first,
    source: { component: e.source?.component ?? null, host: e.source?.host ?? null },
    resourceVersion: e.metadata.resourceVersion ?? '',
  };
}

/** A metrics.k8s.io NodeMetrics object → NodeUsage. @throws MalformedObject */
export function toNodeUsage(raw: unknown): NodeUsage {
  const m = parse(NodeMetricsSchema, raw, 'NodeMetrics');
  const name = m.metadata.name;
  return {
    nodeName: name,
    cpuMillicores: cpu(m.usage.cpu, 'NodeMetrics', name, 'usage.cpu') ?? 0,
    memoryBytes: mem(m.usage.memory, 'NodeMetrics', name, 'usage.memory') ?? 0,
    timestampMs: m.timestamp ?? null,
  };
}

/** A metrics.k8s.io PodMetrics object → PodUsage. @throws MalformedObject */
export function toPodUsage(raw: unknown): PodUsage {
  const m = parse(PodMetricsSchema, raw, 'PodMetrics');
  const id = `${m.metadata.namespace}/${m.metadata.name}`;
  return {
    namespace: m.metadata.namespace,
    podName: m.metadata.name,
    containers: m.containers.map((c) => ({
      name: c.name,
      cpuMillicores: cpu(c.usage.cpu, 'PodMetrics', id, `${c.name} usage.cpu`) ?? 0,
      memoryBytes: mem(c.usage.memory, 'PodMetrics', id, `${c.name} usage.memory`) ?? 0,
    })),
    timestampMs: m.timestamp ?? null,
  };
}

/**
 * Maps every object, skipping (and logging at warn) the malformed ones: one bad object never hides the rest.
 * Errors other than MalformedObject propagate.
 */
export function mapAll<T>(raws: readonly unknown[], map: (raw: unknown) => T, log: Logger): T[] {
  const out: T[] = [];
  for (const raw of raws) {
    try {
      out.push(map(raw));
    } catch (err) {
      if (!(err instanceof MalformedObject)) throw err;
      log.warn({ kind: err.kind, object: err.objectName, reason: err.message }, 'skipping a malformed Kubernetes object');
    }
  }
  return out;
}
