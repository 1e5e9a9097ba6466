/**
 * The resource registry: every resource the simulator serves, with what discovery advertises for it
 * (kind, scope, verbs, short names, subresources) and what the store needs (status subresource, field
 * selectors). A resource is identified in-process by its {@link ResourceId}: `"pods"` for the core group,
 * `"<group>/<resource>"` otherwise (`"apps/deployments"`, `"policy/poddisruptionbudgets"`).
 */

/** `"pods"`, `"nodes"`, `"apps/deployments"`, `"coordination.k8s.io/leases"`, … */
export type ResourceId = string;

export interface ResourceInfo {
  /** `""` for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: `pods`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served (`status`, `scale`, `binding`, `eviction`). */
  subresources: string[];
  /** Extra field selector keys beyond `metadata.name` / `metadata.namespace`. */
  fieldSelectors?: string[];
  /** Served from a provider, not stored (metrics.k8s.io): only get and list. */
  virtual?: boolean;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Discovery verbs of a resource. */
export function verbsOf(info: ResourceInfo): string[] {
  return info.virtual ? ['get', 'list'] : RW;
}

/** `apiVersion` of a resource's objects: `v1`, `apps/v1`. */
export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The in-process id of a resource. */
export function resourceId(group: string, resource: string): ResourceId {
  return group ? `${group}/${resource}` : resource;
}

const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];
const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];
const EVENTS_V1_FIELDS = [
  'regarding.kind',
  'regarding.namespace',
  'regarding.name',
  'regarding.uid',
  'reason',
  'reportingController',
  'type',
];

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    kind,
    namespaced,
    singular: kind.toLowerCase(),
    subresources: [],
    ...extra,
  };
}

/** Every resource served, in discovery order. */
export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status', 'finalize'], fieldSelectors: ['status.phase'] }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'], fieldSelectors: ['spec.unschedulable'] }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'eviction'],
    fieldSelectors: POD_FIELDS,
  }),
  r('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true, { fieldSelectors: ['type'] }),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'], fieldSelectors: EVENT_FIELDS }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  r('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    fieldSelectors: ['status.replicas'],
  }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: ['status'], fieldSelectors: ['status.successful'] }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  r('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'], fieldSelectors: EVENTS_V1_FIELDS }),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { virtual: true }),
  r('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { virtual: true }),
];

const BY_ID = new Map<ResourceId, ResourceInfo>(RESOURCES.map((i) => [resourceId(i.group, i.resource), i]));

/** Looks a resource up by id; undefined if not served. */
export function resourceInfo(id: ResourceId): ResourceInfo | undefined {
  return BY_ID.get(id);
}

/** Finds the resource for `(group, version, plural)` as it appears in a URL. */
export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  const info = BY_ID.get(resourceId(group, plural));
  return info && info.version === version ? info : undefined;
}

/** Finds the stored resource whose objects have this `apiVersion` and `kind`. */
export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((i) => apiVersionOf(i) === apiVersion && i.kind === kind && !i.virtual);
}

/** The group versions served, in discovery preference order. */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Set<string>();
  const out: Array<{ group: string; version: string }> = [];
  for (const i of RESOURCES) {
    const key = `${i.group}/${i.version}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ group: i.group, version: i.version });
    }
  }
  return out;
}
