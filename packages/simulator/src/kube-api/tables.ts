/**
 * Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Columns follow the apiserver's printers for pods,
 * nodes, workloads, PDBs, namespaces, services and events (priority-1 columns are the `-o wide` ones); every
 * other resource gets NAME and AGE.
 */
import { humanDuration } from './http.ts';
import type { ResourceInfo } from './resources.ts';
import { selectorSpecToString } from './selectors.ts';
import type { KubeObject, Node, Pod, PodDisruptionBudget } from './types.ts';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;

interface Printer {
  columns: Column[];
  row(obj: KubeObject, now: number): Cell[];
}

const col = (name: string, type: Column['type'] = 'string', priority = 0, format = ''): Column => ({
  name,
  type,
  format,
  description: `${name} column`,
  priority,
});
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

function age(obj: KubeObject, now: number): string {
  const created = Date.parse(obj.metadata.creationTimestamp);
  return Number.isFinite(created) ? humanDuration(now - created) : '<unknown>';
}

const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));

/** The STATUS column of `kubectl get pods`, as kubectl's pod printer computes it. */
export function podStatusReason(pod: Pod): { reason: string; ready: number; total: number; restarts: number } {
  const st = pod.status ?? {};
  let reason: string = st.reason || st.phase || 'Pending';
  const statuses = st.containerStatuses ?? [];
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    restarts += c.restartCount ?? 0;
    const state = c.state ?? {};
    if (state.waiting?.reason) reason = state.waiting.reason;
    else if (state.terminated?.reason) reason = state.terminated.reason;
    else if (state.terminated) reason = `ExitCode:${state.terminated.exitCode ?? 0}`;
    else if (c.ready && state.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { reason, ready, total: pod.spec?.containers?.length ?? 0, restarts };
}

/** The STATUS column of `kubectl get nodes`. */
export function nodeStatusText(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  let text = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable) text += ',SchedulingDisabled';
  return text;
}

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function address(node: Node, type: string): string {
  return none(node.status?.addresses?.find((a) => a.type === type)?.address);
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function containersOf(obj: Any): Any[] {
  return (obj['spec']?.template?.spec?.containers ?? []) as Any[];
}

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts', 'string'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    row(obj, now) {
      const pod = obj as Pod;
      const s = podStatusReason(pod);
      return [pod.metadata.name, `${s.ready}/${s.total}`, s.reason, String(s.restarts), age(pod, now), none(pod.status?.podIP), none(pod.spec?.nodeName), none(pod.status?.nominatedNodeName), '<none>'];
    },
  },
  nodes: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    row(obj, now) {
      const node = obj as Node;
      const info = node.status?.nodeInfo ?? {};
      return [node.metadata.name, nodeStatusText(node), nodeRoles(node), age(node, now), none(info.kubeletVersion), address(node, 'InternalIP'), address(node, 'ExternalIP'), none(info.osImage), none(info.kernelVersion), none(info.containerRuntimeVersion)];
    },
  },
  namespaces: {
    columns: [NAME, col('Status'), AGE],
    row: (obj, now) => [obj.metadata.name, String((obj.status as Any | undefined)?.['phase'] ?? 'Active'), age(obj, now)],
  },
  'apps/deployments': {
    columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row(obj, now) {
      const o = obj as Any;
      const st = o['status'] ?? {};
      const cs = containersOf(o);
      return [obj.metadata.name, `${st.readyReplicas ?? 0}/${o['spec']?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(obj, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorSpecToString(o['spec']?.selector) || '<none>'];
    },
  },
  'apps/replicasets': {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row(obj, now) {
      const o = obj as Any;
      const st = o['status'] ?? {};
      const cs = containersOf(o);
      return [obj.metadata.name, o['spec']?.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age(obj, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorSpecToString(o['spec']?.selector) || '<none>'];
    },
  },
  'apps/statefulsets': {
    columns: [NAME, col('Ready'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1)],
    row(obj, now) {
      const o = obj as Any;
      const cs = containersOf(o);
      return [obj.metadata.name, `${o['status']?.readyReplicas ?? 0}/${o['spec']?.replicas ?? 0}`, age(obj, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
    },
  },
  'apps/daemonsets': {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    row(obj, now) {
      const o = obj as Any;
      const st = o['status'] ?? {};
      const sel = Object.entries((o['spec']?.template?.spec?.nodeSelector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
      const cs = containersOf(o);
      return [obj.metadata.name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, sel || '<none>', age(obj, now), cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorSpecToString(o['spec']?.selector) || '<none>'];
    },
  },
  'policy/poddisruptionbudgets': {
    columns: [NAME, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), AGE],
    row(obj, now) {
      const pdb = obj as PodDisruptionBudget;
      return [obj.metadata.name, pdb.spec?.minAvailable === undefined ? 'N/A' : String(pdb.spec.minAvailable), pdb.spec?.maxUnavailable === undefined ? 'N/A' : String(pdb.spec.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, age(obj, now)];
    },
  },
  services: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
    row(obj, now) {
      const o = obj as Any;
      const spec = o['spec'] ?? {};
      const ports = ((spec.ports ?? []) as Any[]).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const sel = Object.entries((spec.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
      return [obj.metadata.name, spec.type ?? 'ClusterIP', none(spec.clusterIP), spec.type === 'LoadBalancer' ? '<pending>' : '<none>', ports || '<none>', age(obj, now), sel || '<none>'];
    },
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('First Seen', 'string', 1), col('Count', 'integer', 1), NAME],
    row(obj, now) {
      const o = obj as Any;
      const last = Date.parse(o['lastTimestamp'] ?? o['eventTime'] ?? obj.metadata.creationTimestamp);
      const first = Date.parse(o['firstTimestamp'] ?? o['eventTime'] ?? obj.metadata.creationTimestamp);
      const io = o['involvedObject'] ?? {};
      return [Number.isFinite(last) ? humanDuration(now - last) : '<unknown>', o['type'] ?? '', o['reason'] ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, o['message'] ?? '', io.fieldPath ?? '', o['source']?.component ?? '', Number.isFinite(first) ? humanDuration(now - first) : '<unknown>', o['count'] ?? 1, obj.metadata.name];
    },
  },
};

const GENERIC: Printer = { columns: [NAME, AGE], row: (obj, now) => [obj.metadata.name, age(obj, now)] };

/** What each row's `object` carries (`includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Converts objects to a Table. */
export function toTable(
  info: ResourceInfo,
  id: string,
  objects: readonly KubeObject[],
  now: number,
  options: { includeObject?: IncludeObject; resourceVersion?: string; continue?: string; remainingItemCount?: number; omitColumns?: boolean },
): Record<string, unknown> {
  const printer = PRINTERS[id] ?? GENERIC;
  void info;
  const include = options.includeObject ?? 'Metadata';
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.row(obj, now) };
    if (include === 'Object') row['object'] = obj;
    else if (include === 'Metadata') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (options.resourceVersion) metadata['resourceVersion'] = options.resourceVersion;
  if (options.continue) metadata['continue'] = options.continue;
  if (options.remainingItemCount) metadata['remainingItemCount'] = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.omitColumns ? [] : printer.columns,
    rows,
  };
}
