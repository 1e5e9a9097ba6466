/**
 * Defaulting and validation of incoming objects, as the apiserver's registry strategies do for the fields
 * the simulator interprets. Validation failures are 422 Invalid with one `details.causes[]` entry per field
 * (`spec.containers[0].resources.requests[cpu]`), the way kubectl prints them. Fields we do not interpret are
 * stored unvalidated.
 */
import { invalid } from './errors.ts';
import { isQuantity, parseQuantity } from './quantity.ts';
import type { ResourceInfo } from './resources.ts';
import { labelKeyError, labelValueError, selectorFromSpec } from './selectors.ts';
import type { Container, KubeObject, LabelSelectorSpec, PodSpec } from './types.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

type Cause = { field: string; message: string; reason?: string };

/** DNS-1123 subdomain check; returns a message or undefined. */
export function dns1123SubdomainError(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(name))
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  return undefined;
}

/** DNS-1123 label check; returns a message or undefined. */
export function dns1123LabelError(name: string): string | undefined {
  if (name.length > 63) return 'must be no more than 63 characters';
  if (!DNS1123_LABEL.test(name))
    return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
  return undefined;
}

function nameRule(info: ResourceInfo): (name: string) => string | undefined {
  switch (info.resource) {
    case 'namespaces':
      return dns1123LabelError;
    case 'services':
      return (n) =>
        n.length > 63 || !DNS1035_LABEL.test(n)
          ? `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`
          : undefined;
    case 'roles':
    case 'rolebindings':
    case 'clusterroles':
    case 'clusterrolebindings':
      // RBAC names are path segments: anything but '/', '%', '.' and '..'.
      return (n) => (n === '.' || n === '..' || /[/%]/.test(n) ? `may not contain '/' or '%'` : undefined);
    default:
      return dns1123SubdomainError;
  }
}

function isPodTemplateOwner(info: ResourceInfo): boolean {
  return info.group === 'apps' && info.resource !== 'controllerrevisions';
}

/** Fills in the defaults the apiserver would (so objects read back look like a real cluster's). Mutates `obj`. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  const o = obj as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (info.group === '' && info.resource === 'pods') {
    o.spec ??= {};
    defaultPodSpec(o.spec);
    o.status ??= {};
    o.status.phase ??= 'Pending';
    o.status.qosClass ??= qosClass(o.spec);
  } else if (info.group === '' && info.resource === 'namespaces') {
    o.spec ??= {};
    o.spec.finalizers ??= ['kubernetes'];
    o.status ??= {};
    o.status.phase ??= 'Active';
  } else if (info.group === '' && info.resource === 'services') {
    o.spec ??= {};
    o.spec.type ??= 'ClusterIP';
    o.spec.sessionAffinity ??= 'None';
    for (const p of o.spec.ports ?? []) {
      if (p && typeof p === 'object') {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    }
  } else if (isPodTemplateOwner(info)) {
    o.spec ??= {};
    if (info.resource !== 'daemonsets') o.spec.replicas ??= 1;
    o.spec.revisionHistoryLimit ??= 10;
    if (info.resource === 'deployments') {
      o.spec.progressDeadlineSeconds ??= 600;
      o.spec.strategy ??= { type: 'RollingUpdate' };
      if (o.spec.strategy.type === 'RollingUpdate') o.spec.strategy.rollingUpdate ??= { maxUnavailable: '25%', maxSurge: '25%' };
    } else if (info.resource === 'statefulsets') {
      o.spec.podManagementPolicy ??= 'OrderedReady';
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    } else if (info.resource === 'daemonsets') {
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    }
    if (o.spec.template && typeof o.spec.template === 'object') {
      o.spec.template.spec ??= {};
      if (typeof o.spec.template.spec === 'object') defaultPodSpec(o.spec.template.spec, false);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function defaultPodSpec(spec: Record<string, any>, withAdmission = true): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!c || typeof c !== 'object') continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    if (typeof c.image === 'string') {
      const tag = c.image.includes('@') ? 'digest' : (c.image.split('/').pop() ?? '').split(':')[1];
      c.imagePullPolicy ??= tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
    }
    c.resources ??= {};
    // Limits without requests default the requests to the limits, as the apiserver does.
    if (c.resources.limits && typeof c.resources.limits === 'object') {
      c.resources.requests = { ...c.resources.limits, ...(c.resources.requests ?? {}) };
    }
  }
  if (withAdmission) {
    // ServiceAccount, Priority and DefaultTolerationSeconds admission plugins.
    spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
    spec.serviceAccount ??= spec.serviceAccountName;
    spec.priority ??= 0;
    spec.enableServiceLinks ??= true;
    const tolerations: Array<Record<string, unknown>> = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (!tolerations.some((t) => t && (t['key'] === key || (t['operator'] === 'Exists' && !t['key'])))) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
      }
    }
    spec.tolerations = tolerations;
  }
}

/** BestEffort / Burstable / Guaranteed from the containers' requests and limits. */
export function qosClass(spec: PodSpec | undefined): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * Validates an object for create/update.
 * @throws KubeApiError 422 Invalid listing every problem found.
 */
export function validateObject(info: ResourceInfo, obj: KubeObject): void {
  const causes: Cause[] = [];
  const meta = obj.metadata ?? ({} as KubeObject['metadata']);
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!name) {
    causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' });
  } else {
    const err = nameRule(info)(name);
    if (err) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${err}` });
  }
  validateStringMap(meta.labels, 'metadata.labels', causes, true);
  validateStringMap(meta.annotations, 'metadata.annotations', causes, false);
  const spec = (obj as { spec?: unknown }).spec as Record<string, unknown> | undefined;
  if (info.group === '' && info.resource === 'pods') {
    validatePodSpec(spec as PodSpec | undefined, 'spec', causes);
  } else if (isPodTemplateOwner(info)) {
    validateWorkload(info, spec, causes);
  } else if (info.group === 'policy' && info.resource === 'poddisruptionbudgets') {
    validatePdb(spec, causes);
  } else if (info.group === '' && info.resource === 'nodes') {
    const st = (obj as { status?: { capacity?: unknown; allocatable?: unknown } }).status;
    validateResourceList(st?.capacity, 'status.capacity', causes);
    validateResourceList(st?.allocatable, 'status.allocatable', causes);
  }
  if (causes.length > 0) throw invalid(info.kind, name, causes, info.group);
}

function validateStringMap(m: unknown, field: string, causes: Cause[], isLabels: boolean): void {
  if (m === undefined || m === null) return;
  if (typeof m !== 'object' || Array.isArray(m)) {
    causes.push({ field, message: 'Invalid value: must be a map of strings' });
    return;
  }
  for (const [k, v] of Object.entries(m)) {
    const keyErr = labelKeyError(k);
    if (keyErr) causes.push({ field, message: `Invalid value: "${k}": ${keyErr}` });
    if (typeof v !== 'string') causes.push({ field: `${field}[${k}]`, message: 'Invalid value: must be a string' });
    else if (isLabels) {
      const valueErr = labelValueError(v);
      if (valueErr) causes.push({ field: `${field}`, message: `Invalid value: "${v}": ${valueErr}` });
    }
  }
}

function validateResourceList(list: unknown, field: string, causes: Cause[]): void {
  if (list === undefined || list === null) return;
  if (typeof list !== 'object' || Array.isArray(list)) {
    causes.push({ field, message: 'Invalid value: must be a map of resource names to quantities' });
    return;
  }
  for (const [k, v] of Object.entries(list)) {
    if (!isQuantity(v)) {
      causes.push({ field: `${field}[${k}]`, message: `Invalid value: "${String(v)}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
    } else if (parseQuantity(v) < 0) {
      causes.push({ field: `${field}[${k}]`, message: `Invalid value: "${String(v)}": must be greater than or equal to 0` });
    }
  }
}

function validateContainer(c: Container, field: string, causes: Cause[], names: Set<string>): void {
  if (!c || typeof c !== 'object') {
    causes.push({ field, message: 'Invalid value: must be an object' });
    return;
  }
  if (!c.name) causes.push({ field: `${field}.name`, message: 'Required value', reason: 'FieldValueRequired' });
  else {
    const err = dns1123LabelError(c.name);
    if (err) causes.push({ field: `${field}.name`, message: `Invalid value: "${c.name}": ${err}` });
    if (names.has(c.name)) causes.push({ field: `${field}.name`, message: `Duplicate value: "${c.name}"`, reason: 'FieldValueDuplicate' });
    names.add(c.name);
  }
  if (!c.image) causes.push({ field: `${field}.image`, message: 'Required value', reason: 'FieldValueRequired' });
  const res = c.resources;
  if (res !== undefined) {
    validateResourceList(res.requests, `${field}.resources.requests`, causes);
    validateResourceList(res.limits, `${field}.resources.limits`, causes);
    for (const [k, limit] of Object.entries(res.limits ?? {})) {
      const request = res.requests?.[k];
      if (request !== undefined && isQuantity(request) && isQuantity(limit) && parseQuantity(request) > parseQuantity(limit)) {
        causes.push({ field: `${field}.resources.requests`, message: `Invalid value: "${request}": must be less than or equal to ${k} limit of ${limit}` });
      }
    }
  }
}

function validatePodSpec(spec: PodSpec | undefined, field: string, causes: Cause[]): void {
  if (!spec || typeof spec !== 'object') {
    causes.push({ field, message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    causes.push({ field: `${field}.containers`, message: 'Required value', reason: 'FieldValueRequired' });
  } else {
    const names = new Set<string>();
    spec.containers.forEach((c, i) => validateContainer(c, `${field}.containers[${i}]`, causes, names));
    (spec.initContainers ?? []).forEach((c, i) => validateContainer(c, `${field}.initContainers[${i}]`, causes, names));
  }
  if (spec.nodeSelector !== undefined) validateStringMap(spec.nodeSelector, `${field}.nodeSelector`, causes, true);
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0)) {
    causes.push({ field: `${field}.terminationGracePeriodSeconds`, message: `Invalid value: ${String(grace)}: must be greater than or equal to 0` });
  }
}

function validateWorkload(info: ResourceInfo, spec: Record<string, unknown> | undefined, causes: Cause[]): void {
  if (info.resource === 'controllerrevisions') return;
  if (!spec) {
    causes.push({ field: 'spec', message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  const replicas = spec['replicas'];
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0)) {
    causes.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` });
  }
  const selector = spec['selector'] as LabelSelectorSpec | undefined;
  if (!selector || typeof selector !== 'object') {
    causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  } else if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    causes.push({ field: 'spec.selector', message: 'Invalid value: {}: empty selector is invalid for deployment' });
  }
  const template = spec['template'] as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } | undefined;
  if (!template || typeof template !== 'object') {
    causes.push({ field: 'spec.template', message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  validateStringMap(template.metadata?.labels, 'spec.template.metadata.labels', causes, true);
  if (selector && typeof selector === 'object' && !selectorFromSpec(selector).matches(template.metadata?.labels ?? {})) {
    causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(template.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\`` });
  }
  validatePodSpec(template.spec, 'spec.template.spec', causes);
}

function validateIntOrPercent(v: unknown, field: string, causes: Cause[]): void {
  if (v === undefined) return;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) causes.push({ field, message: `Invalid value: ${v}: must be greater than or equal to 0` });
  } else if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) causes.push({ field, message: `Invalid value: "${v}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')` });
    else if (Number(m[1]) > 100) causes.push({ field, message: `Invalid value: "${v}": must not be greater than 100%` });
  } else {
    causes.push({ field, message: 'Invalid value: must be an integer or a percentage string' });
  }
}

function validatePdb(spec: Record<string, unknown> | undefined, causes: Cause[]): void {
  if (!spec) return;
  if (spec['minAvailable'] !== undefined && spec['maxUnavailable'] !== undefined) {
    causes.push({ field: 'spec', message: 'Invalid value: minAvailable and maxUnavailable cannot be both set' });
  }
  validateIntOrPercent(spec['minAvailable'], 'spec.minAvailable', causes);
  validateIntOrPercent(spec['maxUnavailable'], 'spec.maxUnavailable', causes);
}
