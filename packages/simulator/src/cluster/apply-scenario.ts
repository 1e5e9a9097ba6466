/**
 * Applies a scenario's workloads to the store as a user would with `kubectl apply`: namespaces, then the
 * Deployments/StatefulSets/DaemonSets and their PodDisruptionBudgets. Nodes are not created here — they join
 * through `Cluster.registerNode` when their instances boot; {@link scenarioNodeRegistrations} gives the
 * scenario's starting nodes with generated instance ids for tests and for a cluster started without AWS.
 */
import type { Rng } from '@cloudoptim/market';
import { KubeApiError, type KubeObject, type ObjectStore } from '../kube-api/index.ts';
import type { Scenario } from '../scenarios/scenario.schema.ts';
import { privateDnsNameFor, regionOfZone, type NodeRegistration } from './node-factory.ts';
import { pdbManifest, workloadManifest } from './workload-manifests.ts';

const RESOURCE_OF_KIND: Record<string, string> = {
  Deployment: 'apps/deployments',
  StatefulSet: 'apps/statefulsets',
  DaemonSet: 'apps/daemonsets',
  PodDisruptionBudget: 'policy/poddisruptionbudgets',
};

export interface AppliedScenario {
  namespaces: string[];
  /** `Kind namespace/name` of each object created or updated. */
  objects: string[];
}

/** Creates (or, if present, updates the spec of) every object of the scenario. Idempotent. */
export function applyScenario(store: ObjectStore, scenario: Scenario): AppliedScenario {
  const namespaces = [...new Set(scenario.workloads.map((w) => w.namespace))];
  for (const ns of namespaces) {
    if (!store.get('namespaces', undefined, ns)) store.create('namespaces', { metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  const objects: string[] = [];
  const apply = (manifest: { kind?: string; metadata: { name?: string; namespace?: string } }) => {
    const id = RESOURCE_OF_KIND[manifest.kind ?? '']!;
    const { name, namespace } = manifest.metadata as { name: string; namespace: string };
    try {
      store.create(id, manifest as KubeObject);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'AlreadyExists')) throw err;
      store.mutate(id, namespace, name, (d) => {
        d.spec = (manifest as KubeObject).spec;
        d.metadata.labels = { ...(d.metadata.labels ?? {}), ...((manifest as KubeObject).metadata.labels ?? {}) };
      });
    }
    objects.push(`${manifest.kind} ${namespace}/${name}`);
  };
  for (const w of scenario.workloads) {
    apply(workloadManifest(w));
    const pdb = pdbManifest(w);
    if (pdb) apply(pdb);
  }
  return { namespaces, objects };
}

/**
 * The scenario's starting nodes as registrations: instance ids `i-0…` (17 hex digits) and private IPs in a
 * per-zone /20 of 10.0.0.0/16, drawn from `rng`.
 */
export function scenarioNodeRegistrations(scenario: Scenario, rng: Rng): NodeRegistration[] {
  const zones = [...new Set(scenario.nodes.map((g) => g.zone))].sort();
  const used = new Set<string>();
  const out: NodeRegistration[] = [];
  for (const group of scenario.nodes) {
    const zoneIndex = zones.indexOf(group.zone);
    for (let i = 0; i < group.count; i++) {
      let ip: string;
      do {
        const host = 1 + rng.int(16 * 256 - 2);
        ip = `10.0.${zoneIndex * 16 + (host >> 8)}.${host & 255}`;
      } while (used.has(ip) || ip.endsWith('.0') || ip.endsWith('.255'));
      used.add(ip);
      const instanceId = `i-0${Array.from({ length: 16 }, () => rng.int(16).toString(16)).join('')}`;
      out.push({
        instanceId,
        instanceType: group.instance_type,
        availabilityZone: group.zone,
        capacityType: group.capacity_type,
        privateDnsName: privateDnsNameFor(ip, regionOfZone(group.zone)),
        privateIp: ip,
        labels: { ...group.labels },
        taints: group.taints.map((t) => ({ ...t })),
      });
    }
  }
  return out;
}
