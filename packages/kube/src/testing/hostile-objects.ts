/**
 * Hostile Kubernetes objects as the API could serve them (raw JSON), as fast-check arbitraries, for fuzzing
 * whatever reads a cluster: the gateway's mapping (kube-objects.ts) and the agent's collector above it.
 *
 * Each object starts valid (a Node as a kubelet registers it, a Pod of a Deployment, its ReplicaSet, a Job, a
 * PDB, a Deployment, an Event, metrics.k8s.io usage) and gets one to three breakages: a field set to a value of
 * any type (absurd quantities such as "1e999", "-5Gi", "abc", huge strings, wrong JSON types), a field dropped
 * (metadata, spec, status and what is inside), weird labels and annotations, providerIDs that are not
 * aws://, timestamps out of range, thousands of containers, duplicated container names, ownerReference loops and
 * several controllers. A cluster is a few of each, names sometimes duplicated.
 *
 * Test support only (exported as `@cloudoptim/kube/testing`): fast-check is a dev dependency.
 */
import fc from 'fast-check';

export type RawJson = null | boolean | number | string | RawJson[] | { [key: string]: RawJson };
type Path = (string | number)[];

/** The lists an API server serves for one snapshot of a cluster (items only). */
export interface HostileCluster {
  nodes: RawJson[];
  pods: RawJson[];
  replicaSets: RawJson[];
  jobs: RawJson[];
  nodeMetrics: RawJson[];
  podMetrics: RawJson[];
  pdbs: RawJson[];
  deployments: RawJson[];
  events: RawJson[];
}

const TS = '2026-01-01T00:00:00Z';

export function validNode(name: string): RawJson {
  const capacity = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': '0' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: TS,
      labels: { 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/zone': 'us-east-1a', 'karpenter.sh/capacity-type': 'spot' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { providerID: `aws:///us-east-1a/i-0${name.replace(/[^0-9a-f]/g, '').padEnd(16, '0').slice(0, 16)}`, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }],
      nodeInfo: { architecture: 'amd64', kubeletVersion: 'v1.32.0' },
    },
  };
}

export function validPod(namespace: string, name: string, nodeName: string | null): RawJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: TS,
      labels: { app: 'web', 'pod-template-hash': '5d8f' },
      annotations: { 'karpenter.sh/do-not-disrupt': 'false' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'uid-rs', controller: true }],
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        { name: 'app', image: 'nginx', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } },
        { name: 'proxy', image: 'envoy', resources: { requests: { cpu: '50m', memory: '64Mi' } } },
      ],
      initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '1', memory: '16Mi' } } }],
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] }] }] } } },
      priority: 0,
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
    status: {
      phase: nodeName ? 'Running' : 'Pending',
      qosClass: 'Burstable',
      startTime: TS,
      conditions: nodeName ? [{ type: 'Ready', status: 'True' }] : [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 2, lastState: { terminated: { reason: 'OOMKilled' } } }, { name: 'proxy', ready: true, restartCount: 0 }],
    },
  };
}

const owned = (kind: string, namespace: string, name: string, owner: { kind: string; name: string }): RawJson => ({
  kind,
  metadata: { name, namespace, uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true }] },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '250m' } } }] } } },
});

export const validReplicaSet = (namespace: string) => owned('ReplicaSet', namespace, 'web-5d8f', { kind: 'Deployment', name: 'web' });
export const validJob = (namespace: string) => owned('Job', namespace, 'report-28', { kind: 'CronJob', name: 'report' });
export const validDeployment = (namespace: string): RawJson => ({ kind: 'Deployment', metadata: { name: 'web', namespace, resourceVersion: '3', annotations: {} }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] } } } });
export const validPdb = (namespace: string): RawJson => ({ kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] } }, status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
export const validEvent = (namespace: string): RawJson => ({ kind: 'Event', metadata: { name: 'web.1', namespace, creationTimestamp: TS }, type: 'Warning', reason: 'FailedScheduling', message: 'no nodes', involvedObject: { kind: 'Pod', namespace, name: 'web-0' }, count: 3, firstTimestamp: TS, lastTimestamp: TS, source: { component: 'scheduler' } });
export const validNodeMetrics = (name: string): RawJson => ({ metadata: { name }, timestamp: TS, usage: { cpu: '1200m', memory: '3Gi' } });
export const validPodMetrics = (namespace: string, name: string): RawJson => ({ metadata: { name, namespace }, timestamp: TS, containers: [{ name: 'app', usage: { cpu: '120m', memory: '300Mi' } }, { name: 'proxy', usage: { cpu: '5m', memory: '20Mi' } }] });

/** Quantities no real object has. */
export const absurdQuantity: fc.Arbitrary<RawJson> = fc.oneof(
  fc.constantFrom('1e999', '-1e999', '1e308', '1e300', '9'.repeat(400), '-5Gi', '-1', '-0.5m', 'abc', '', ' ', 'NaN', 'Infinity', '1.5.5', '1e', 'Mi', '1Ei', '8Ei', '0.0000001n', '1e-400', '+1', '.5', '1ki', '0x10', '١٢٣'),
  fc.constantFrom(1e308, -1, 0.5, 2 ** 53 + 1, -0),
  fc.tuple(fc.double({ min: -1e20, max: 1e20, noNaN: true }), fc.constantFrom('', 'm', 'n', 'Ki', 'Mi', 'Gi', 'Ti', 'Ei', 'E', 'k', 'e3', 'e30')).map(([n, s]) => `${n}${s}`),
);

const hugeString = fc.integer({ min: 300, max: 5_000 }).map((n) => 'x'.repeat(n));

/** Any value at all: wrong types, absurd quantities, hostile text, deep or huge structures. */
export const hostileValue: fc.Arbitrary<RawJson> = fc.oneof(
  absurdQuantity,
  fc.constantFrom<RawJson>(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', '\u0000', '\uD800', '../..', 'Bad_Name', '-leading', 'UPPER', 'a'.repeat(254), [], {}, [null], { '': '' }, ['x']),
  fc.constantFrom<RawJson>('+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '2026-02-30T25:61:61Z', 'yesterday'),
  hugeString,
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<RawJson>,
);

/** Labels and annotations no API server would accept, and some it would. */
export const weirdStringMap: fc.Arbitrary<RawJson> = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom('', ' ', 'a/b/c', '/x', 'x/', 'k'.repeat(400), 'UPPER/Case', 'node.kubernetes.io/instance-type', 'topology.kubernetes.io/zone', 'karpenter.sh/capacity-type', 'kubernetes.io/arch', '__proto__', 'constructor'), fc.string({ maxLength: 12 })), fc.oneof(fc.string({ maxLength: 12 }), hugeString, fc.constantFrom('', 'spot', 'SPOT', 'on-demand', 'ON_DEMAND', 'normal', 'arm64', 'mips', 'm5.xlarge', 'not a type', 'us-east-1z', '../..', '\u0000')), { maxKeys: 6 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.constant(null), fc.constant({}), fc.boolean()) as fc.Arbitrary<RawJson>, { minKeys: 1, maxKeys: 3 }),
);

export const oddProviderId: fc.Arbitrary<RawJson> = fc.constantFrom<RawJson>('', 'gce://project/us-central1-a/i-0123', 'azure:///subscriptions/x', 'kind://docker/kind/kind-worker', 'aws:///us-east-1a/', 'aws:///us-east-1a/i-', 'aws:///x/i-../../etc', 'i-0123456789abcdef0', 'aws:///us-east-1a/I-0ABC', `aws:///us-east-1a/i-${'a'.repeat(1000)}`, 'aws://us-east-1a/i-0123456789abcdef0', 'aws:///us-east-1a/i-0123456789abcdef0/extra', 7, null);

/** Every path of `doc` (arrays: at most their first three items). */
function pathsOf(doc: RawJson): Path[] {
  const out: Path[] = [];
  const walk = (v: RawJson, path: Path) => {
    if (path.length > 0) out.push(path);
    if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return out;
}

function setAt(doc: RawJson, path: Path, value: RawJson | undefined): RawJson {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, RawJson>;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (next === null || typeof next !== 'object') return copy;
    parent = next as Record<string | number, RawJson>;
  }
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const get = (doc: RawJson, path: Path): RawJson | undefined => path.reduce<RawJson | undefined>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, RawJson>)[k] : undefined), doc);

/** Special breakages by kind of object, on top of the generic ones. */
function specials(base: RawJson): fc.Arbitrary<(doc: RawJson) => RawJson>[] {
  const out: fc.Arbitrary<(doc: RawJson) => RawJson>[] = [
    weirdStringMap.map((m) => (doc) => setAt(doc, ['metadata', 'labels'], m)),
    weirdStringMap.map((m) => (doc) => setAt(doc, ['metadata', 'annotations'], m)),
    fc.constantFrom<Path>(['metadata'], ['spec'], ['status'], ['metadata', 'name'], ['metadata', 'namespace']).map((p) => (doc) => setAt(doc, p, undefined)),
    fc.constantFrom<Path>(['metadata'], ['spec'], ['status']).chain((p) => hostileValue.map((v) => (doc: RawJson) => setAt(doc, p, v))),
  ];
  if (get(base, ['spec', 'providerID']) !== undefined) {
    out.push(oddProviderId.map((id) => (doc) => setAt(doc, ['spec', 'providerID'], id)));
    out.push(fc.tuple(fc.constantFrom('cpu', 'memory', 'pods', 'nvidia.com/gpu'), absurdQuantity).map(([k, q]) => (doc) => setAt(setAt(doc, ['status', 'allocatable', k], q), ['status', 'capacity', k], q)));
  }
  if (get(base, ['spec', 'containers']) !== undefined) {
    const container = (i: number, name = `c-${i}`): RawJson => ({ name, resources: { requests: { cpu: '1', memory: '1Gi' } } });
    out.push(
      fc.integer({ min: 1_000, max: 3_000 }).map((n) => (doc) => setAt(doc, ['spec', 'containers'], Array.from({ length: n }, (_, i) => container(i)))),
      fc.integer({ min: 2, max: 50 }).map((n) => (doc) => setAt(doc, ['spec', 'containers'], Array.from({ length: n }, (_, i) => container(i, 'app')))),
      fc.tuple(fc.constantFrom('requests', 'limits'), fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), absurdQuantity).map(([kind, k, q]) => (doc) => setAt(doc, ['spec', 'containers', 0, 'resources', kind, k], q)),
      fc.constantFrom<RawJson>(
        // Loops and oddities an apiserver would not allow, but a hostile or buggy one could serve.
        [{ kind: 'Pod', name: 'self', uid: 'uid-self', controller: true }],
        [{ kind: 'ReplicaSet', name: 'web-5d8f', controller: true }, { kind: 'Deployment', name: 'web', controller: true }],
        [{ kind: 'ReplicaSet', name: 'Bad_Name-5d8f', controller: true }],
        [{ kind: 'ReplicaSet', name: '-5d8f', controller: true }],
        [{ kind: 'Deployment', name: 'x'.repeat(300), controller: true }],
        [{ kind: 'StatefulSet', name: '', controller: true }],
        [{ kind: 'Job', name: 'report-28', controller: true }],
        [{ kind: 'ReplicaSet', name: 42, controller: 'yes' }],
        [],
      ).map((refs) => (doc) => setAt(doc, ['metadata', 'ownerReferences'], refs)),
      fc.tuple(fc.constantFrom<Path>(['metadata', 'creationTimestamp'], ['status', 'startTime'], ['metadata', 'deletionTimestamp']), fc.constantFrom<RawJson>('+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday', '', 0)).map(([p, t]) => (doc) => setAt(doc, p, t)),
      fc.tuple(fc.constantFrom('restartCount', 'ready'), fc.constantFrom<RawJson>(1e308, -5, 0.5, 2 ** 53 + 1, 'x', null)).map(([k, v]) => (doc) => setAt(doc, ['status', 'containerStatuses', 0, k], v)),
      fc.constantFrom<RawJson>(1e308, -1e308, 2 ** 31, 2 ** 53 + 1, 0.5, -0.5).map((v) => (doc) => setAt(doc, ['spec', 'priority'], v)),
      weirdStringMap.map((m) => (doc) => setAt(doc, ['spec', 'nodeSelector'], m)),
    );
  }
  if (get(base, ['usage']) !== undefined || get(base, ['containers', 0, 'usage']) !== undefined) {
    out.push(fc.tuple(fc.constantFrom('cpu', 'memory'), absurdQuantity).map(([k, q]) => (doc) => setAt(setAt(doc, ['usage', k], q), ['containers', 0, 'usage', k], q)));
  }
  return out;
}

/** `base` with one to three breakages (or none, a quarter of the time: hostile lists mix in good objects). */
export function hostileObject(base: RawJson): fc.Arbitrary<RawJson> {
  const paths = pathsOf(base);
  const generic: fc.Arbitrary<(doc: RawJson) => RawJson>[] = [
    fc.tuple(fc.nat(paths.length - 1), hostileValue).map(([i, v]) => (doc) => setAt(doc, paths[i] as Path, v)),
    fc.nat(paths.length - 1).map((i) => (doc) => setAt(doc, paths[i] as Path, undefined)),
  ];
  const breakage = fc.oneof(...generic, ...specials(base));
  return fc.oneof({ weight: 1, arbitrary: fc.constant(base) }, { weight: 3, arbitrary: fc.array(breakage, { minLength: 1, maxLength: 3 }).map((fs) => fs.reduce((doc, f) => f(doc), base)) });
}

/** A cluster of a few hostile objects of each kind, with names sometimes shared (duplicated objects). */
export const hostileCluster: fc.Arbitrary<HostileCluster> = fc
  .record({ nodes: fc.integer({ min: 1, max: 4 }), pods: fc.integer({ min: 1, max: 6 }), duplicate: fc.boolean() })
  .chain(({ nodes, pods, duplicate }) => {
    const nodeNames = Array.from({ length: nodes }, (_, i) => (duplicate && i > 0 ? 'ip-10-0-0-1.ec2.internal' : `ip-10-0-0-${i + 1}.ec2.internal`));
    const podNames = Array.from({ length: pods }, (_, i) => (duplicate && i > 0 ? 'web-5d8f-a' : `web-5d8f-${i}`));
    const each = (bases: RawJson[]) => fc.tuple(...bases.map(hostileObject));
    return fc.record({
      nodes: each(nodeNames.map(validNode)),
      pods: each(podNames.map((p, i) => validPod('shop', p, i % 3 === 2 ? null : (nodeNames[i % nodeNames.length] as string)))),
      replicaSets: each([validReplicaSet('shop')]),
      jobs: each([validJob('shop')]),
      nodeMetrics: each(nodeNames.map(validNodeMetrics)),
      podMetrics: each(podNames.map((p) => validPodMetrics('shop', p))),
      pdbs: each([validPdb('shop')]),
      deployments: each([validDeployment('shop')]),
      events: each([validEvent('shop')]),
    });
  });
