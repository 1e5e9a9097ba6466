/**
 * Small predicates and builders over pods shared by the controllers (what k8s.io/kubernetes/pkg/controller
 * and pkg/api/v1/pod provide upstream).
 */
import type { KubeObject, NewObject, OwnerReference, Pod, PodCondition } from '../kube-api/index.ts';

/** `namespace/name`. */
export function keyOf(obj: { metadata: { namespace?: string; name: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The managing controller's owner reference, if any. */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

/** Succeeded or Failed. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Counted by its owner: not being deleted and not finished (controller.FilterActivePods). */
export function isActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && !isTerminal(pod);
}

export function condition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isReady(pod: Pod): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` at `nowMs` (podutil.IsPodAvailable). */
export function isAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = condition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** An owner reference to `owner` marking it the controller (what controllers put on what they create). */
export function ownerRefTo(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Pod['spec'];
}

/** A pod built from a controller's template: template labels/annotations/spec plus the owner reference. */
export function podFromTemplate(
  owner: KubeObject,
  template: PodTemplate | undefined,
  meta: { name?: string; generateName?: string; labels?: Record<string, string> },
  specPatch: Partial<Pod['spec']> = {},
): NewObject<Pod> {
  const spec = structuredClone(template?.spec ?? { containers: [] }) as Pod['spec'];
  Object.assign(spec, specPatch);
  const metadata: NewObject<Pod>['metadata'] = {
    namespace: owner.metadata.namespace,
    labels: { ...(template?.metadata?.labels ?? {}), ...(meta.labels ?? {}) },
    ownerReferences: [ownerRefTo(owner)],
  };
  const annotations = template?.metadata?.annotations;
  if (annotations && Object.keys(annotations).length) metadata.annotations = { ...annotations };
  if (meta.name) metadata.name = meta.name;
  if (meta.generateName) metadata.generateName = meta.generateName;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: { phase: 'Pending' } };
}

/** `maxSurge`/`maxUnavailable`/`minAvailable`: an int or a percentage of `total`, rounded as asked. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return /^\d+$/.test(v) ? Number(v) : fallback;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** A stable JSON form (sorted keys) for hashing templates. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a of the text, rendered the way the controllers do (`rand.SafeEncodeString(fmt.Sprint(hash))`). */
export function templateHash(template: unknown): string {
  const text = stableJson(template);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return [...String(h >>> 0)].map((d) => SAFE[d.charCodeAt(0) % SAFE.length]).join('');
}
