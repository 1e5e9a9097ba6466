/**
 * Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>` in the legacy
 * (APIVersions / APIGroupList / APIResourceList) format, and the aggregated `apidiscovery.k8s.io/v2` format
 * for clients that accept nothing else. kubectl 1.32 asks for v2 first but takes the legacy answer when the
 * response Content-Type is plain `application/json`.
 */
import { apiVersionOf, groupVersions, RESOURCES, verbsOf, type ResourceInfo } from './resources.ts';

/** The Kubernetes version the simulator claims to be. */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export function versionDocument(): Record<string, string> {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: `${KUBE_VERSION.gitVersion}+cloudoptim-sim`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersionsDocument(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupListDocument(): unknown {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions()) {
    if (gv.group === '') continue;
    const list = groups.get(gv.group) ?? [];
    list.push(gv.version);
    groups.set(gv.group, list);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups.entries()].map(([name, versions]) => apiGroupDocument(name, versions)),
  };
}

/** `/apis/<group>`. */
export function apiGroupDocument(name: string, versions: string[]): Record<string, unknown> {
  const v = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: v, preferredVersion: v[0] };
}

function subresourceEntries(info: ResourceInfo): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const sub of info.subresources) {
    const base = { name: `${info.resource}/${sub}`, singularName: '', namespaced: info.namespaced };
    switch (sub) {
      case 'status':
        out.push({ ...base, kind: info.kind, verbs: ['get', 'patch', 'update'] });
        break;
      case 'scale':
        out.push({ ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
        break;
      case 'eviction':
        out.push({ ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
        break;
      case 'binding':
        out.push({ ...base, kind: 'Binding', verbs: ['create'] });
        break;
      case 'finalize':
        out.push({ ...base, kind: info.kind, verbs: ['update'] });
        break;
    }
  }
  return out;
}

/** `/api/v1` or `/apis/<group>/<version>`; undefined if the group version is not served. */
export function apiResourceListDocument(group: string, version: string): unknown {
  const infos = RESOURCES.filter((i) => i.group === group && i.version === version);
  if (infos.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const info of infos) {
    const entry: Record<string, unknown> = {
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: verbsOf(info),
    };
    if (info.shortNames) entry['shortNames'] = info.shortNames;
    if (info.categories) entry['categories'] = info.categories;
    resources.push(entry, ...subresourceEntries(info));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/** Aggregated discovery (`apidiscovery.k8s.io/<v>` APIGroupDiscoveryList) for `/api` (core) or `/apis`. */
export function aggregatedDiscoveryDocument(core: boolean, mediaVersion: 'v2' | 'v2beta1'): unknown {
  const byGroup = new Map<string, Map<string, ResourceInfo[]>>();
  for (const info of RESOURCES) {
    if ((info.group === '') !== core) continue;
    const versions = byGroup.get(info.group) ?? new Map<string, ResourceInfo[]>();
    const list = versions.get(info.version) ?? [];
    list.push(info);
    versions.set(info.version, list);
    byGroup.set(info.group, versions);
  }
  const items = [...byGroup.entries()].map(([group, versions]) => ({
    metadata: group ? { name: group } : {},
    versions: [...versions.entries()].map(([version, infos]) => ({
      version,
      freshness: 'Current',
      resources: infos.map((info) => {
        const entry: Record<string, unknown> = {
          resource: info.resource,
          responseKind: { group: info.group, version: info.version, kind: info.kind },
          scope: info.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: info.singular,
          verbs: verbsOf(info),
        };
        if (info.shortNames) entry['shortNames'] = info.shortNames;
        if (info.categories) entry['categories'] = info.categories;
        const subs = subresourceEntries(info).map((s) => ({
          subresource: String(s['name']).split('/')[1],
          responseKind: { group: (s['group'] as string | undefined) ?? info.group, version: (s['version'] as string | undefined) ?? info.version, kind: s['kind'] },
          verbs: s['verbs'],
        }));
        if (subs.length > 0) entry['subresources'] = subs;
        return entry;
      }),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${mediaVersion}`, metadata: {}, items };
}

/** apiVersion string of a resource (re-exported for handlers). */
export { apiVersionOf };
