/**
 * Turns a scenario's workload specs into the manifests a user would `kubectl apply`: Deployments,
 * StatefulSets, DaemonSets (apps/v1) and PodDisruptionBudgets (policy/v1). The pod template carries the
 * usage profiles as an annotation so that every pod a controller creates from it — including replacements —
 * knows how busy it is, and the usage provider needs nothing but the pod.
 */
import type { UsageProfile, WorkloadSpec } from '../scenarios/scenario.schema.ts';
import type { KubeObject, NewObject, PodDisruptionBudget } from '../kube-api/types.ts';

/** Pod (template) annotation: JSON `{ "<container>": UsageProfile }`. */
export const USAGE_PROFILE_ANNOTATION = 'sim.cloudoptim.io/usage-profile';

/** The labels that select a workload's pods: its own labels, or `app: <name>` when it has none. */
export function workloadSelectorLabels(w: WorkloadSpec): Record<string, string> {
  return Object.keys(w.labels).length ? { ...w.labels } : { app: w.name };
}

function podTemplate(w: WorkloadSpec): Record<string, unknown> {
  const labels = workloadSelectorLabels(w);
  const profiles: Record<string, UsageProfile> = {};
  for (const c of w.containers) profiles[c.name] = c.usage;
  const spec: Record<string, unknown> = {
    containers: w.containers.map((c) => {
      const requests: Record<string, string> = { cpu: c.cpu_request, memory: c.memory_request };
      const limits: Record<string, string> = {};
      if (c.cpu_limit) limits.cpu = c.cpu_limit;
      if (c.memory_limit) limits.memory = c.memory_limit;
      return {
        name: c.name,
        image: c.image,
        imagePullPolicy: 'IfNotPresent',
        resources: Object.keys(limits).length ? { requests, limits } : { requests },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      };
    }),
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: w.termination_grace_period_seconds,
  };
  if (Object.keys(w.node_selector).length) spec.nodeSelector = { ...w.node_selector };
  if (w.tolerations.length) {
    spec.tolerations = w.tolerations.map((t) => {
      const out: Record<string, string> = { operator: t.operator };
      if (t.key !== undefined) out.key = t.key;
      if (t.value !== undefined) out.value = t.value;
      if (t.effect !== undefined) out.effect = t.effect;
      return out;
    });
  }
  return {
    metadata: { labels, annotations: { ...w.annotations, [USAGE_PROFILE_ANNOTATION]: JSON.stringify(profiles) } },
    spec,
  };
}

/** The apps/v1 object for a workload spec. */
export function workloadManifest(w: WorkloadSpec): NewObject<KubeObject> {
  const labels = workloadSelectorLabels(w);
  const metadata = { name: w.name, namespace: w.namespace, labels: { ...labels }, annotations: { ...w.annotations } };
  const selector = { matchLabels: labels };
  const template = podTemplate(w);
  switch (w.kind) {
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: w.replicas,
          selector,
          template,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
      };
    case 'StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata,
        spec: {
          replicas: w.replicas,
          selector,
          serviceName: w.name,
          template,
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          revisionHistoryLimit: 10,
        },
      };
    case 'DaemonSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata,
        spec: {
          selector,
          template,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          revisionHistoryLimit: 10,
        },
      };
  }
}

/** The policy/v1 PodDisruptionBudget of a workload, if its spec has one. */
export function pdbManifest(w: WorkloadSpec): NewObject<PodDisruptionBudget> | undefined {
  if (!w.pdb) return undefined;
  const spec: NonNullable<PodDisruptionBudget['spec']> = { selector: { matchLabels: workloadSelectorLabels(w) } };
  if (w.pdb.min_available !== undefined) spec.minAvailable = w.pdb.min_available;
  if (w.pdb.max_unavailable !== undefined) spec.maxUnavailable = w.pdb.max_unavailable;
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: w.name, namespace: w.namespace }, spec };
}
