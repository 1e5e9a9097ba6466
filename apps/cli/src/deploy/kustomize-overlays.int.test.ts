/**
 * Every Kustomize base and overlay under deploy/ renders with `kubectl kustomize` and applies with the real
 * `kubectl apply -k` to a fresh simulator cluster: no error, every rendered object stored, re-applying
 * changes nothing. Then what each one must hold: the control plane's replicas, disruption budget, autoscaler,
 * network policies, Services, secret references and hardened pods; the overlays' differences.
 */
import { ManualClock } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVariables, findKustomizations, kubectl, run } from './deploy-tree.test-support.ts';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
}
interface PodSpec {
  serviceAccountName?: string;
  priorityClassName?: string;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
}
interface Workload extends KubeObject { spec: { replicas?: number; template: { spec: PodSpec } } }

const kustomizations = findKustomizations();
const clusters: kubeApi.TestCluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.close()));
});

const applied = new Map<string, Promise<KubeObject[]>>();
/** Renders, applies twice, and returns what the cluster holds afterwards; once per directory. */
function renderAndApply(dir: string): Promise<KubeObject[]> {
  if (!applied.has(dir)) applied.set(dir, renderAndApplyOnce(dir));
  return applied.get(dir)!;
}

// All at once (kubectl spends most of its time waiting); each test then reports its own directory's failure.
beforeAll(() => Promise.allSettled(kustomizations.map(renderAndApply)), 60_000);

async function renderAndApplyOnce(dir: string): Promise<KubeObject[]> {
  const rendered = await run('kubectl', ['kustomize', dir]);
  expect(rendered.stderr).toBe('');
  expect(rendered.code).toBe(0);
  const renderedCount = rendered.stdout.split('\n').filter((line) => line.startsWith('kind: ')).length;
  expect(renderedCount).toBeGreaterThan(0);

  const cluster = await kubeApi.startTestCluster({ clock: new ManualClock(Date.UTC(2026, 0, 1)) });
  clusters.push(cluster);
  const first = await kubectl(cluster, ['apply', '-k', dir]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout.trim().split('\n').filter((line) => line.endsWith(' created'))).toHaveLength(renderedCount);

  const again = await kubectl(cluster, ['apply', '-k', dir]);
  expect(again.code).toBe(0);
  // kubectl always sends a PodDisruptionBudget's selector (its patch strategy is "replace"), so it reports
  // those "configured" even when nothing changes; the generations below show that nothing did.
  const changed = again.stdout.trim().split('\n').filter((line) => !line.endsWith(' unchanged'));
  expect(changed.filter((line) => !/^poddisruptionbudget\.policy\/[\w-]+ configured$/.test(line)), 're-applying changes nothing').toEqual([]);

  // What the cluster holds, as kubectl reads it back.
  const held = await kubectl(cluster, ['apply', '-k', dir, '-o', 'json']);
  expect(held.code).toBe(0);
  const list = JSON.parse(held.stdout) as KubeObject & { items?: KubeObject[] };
  const objects = list.items ?? [list];
  expect(objects).toHaveLength(renderedCount);
  for (const o of objects) {
    const info = kubeApi.findByKind(o.apiVersion, o.kind);
    expect(info, `${o.apiVersion} ${o.kind} is served`).toBeDefined();
    const stored = cluster.store.get(kubeApi.resourceId(info!.group, info!.resource), o.metadata.namespace, o.metadata.name);
    expect(stored, `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} stored`).toBeDefined();
    expect(stored!.metadata.generation ?? 1, `${o.kind} ${o.metadata.name} written once`).toBe(1);
  }
  return objects;
}

const find = (objects: KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const workloads = (objects: KubeObject[]) => objects.filter((o): o is Workload => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
const ours = (c: Container) => /(^|\/)cloudoptim\//.test(c.image);

/** Every pod runs non-root, unprivileged, with the default seccomp profile and resource requests. */
function expectHardened(objects: KubeObject[]): void {
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    expect(pod.securityContext, w.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      if (ours(c)) expect(c.securityContext?.readOnlyRootFilesystem, `${w.metadata.name}/${c.name}`).toBe(true);
      expect(c.resources?.requests?.memory, `${w.metadata.name}/${c.name}`).toBeDefined();
      expect(c.image, `${w.metadata.name}/${c.name}: a pinned image`).toMatch(/^[^:@]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
      expect(c.image).not.toMatch(/:latest$/);
    }
  }
}

describe.each(kustomizations)('%s', (dir) => {
  it('renders, applies to the simulator, and re-applies unchanged', { timeout: 20_000 }, async () => {
    const objects = await renderAndApply(dir);
    expectHardened(objects);
  });
});

describe('the control plane', () => {
  const central = (objects: KubeObject[]) => find(objects, 'Deployment', 'cloudoptim-central') as Workload;
  const ml = (objects: KubeObject[]) => find(objects, 'Deployment', 'cloudoptim-ml-server') as Workload;

  it('finds the bases and overlays this test knows', () => {
    expect(kustomizations).toEqual(expect.arrayContaining([
      'deploy/agent', 'deploy/agent-overlays/eks', 'deploy/control-plane/base', 'deploy/control-plane/overlays/dev', 'deploy/control-plane/overlays/eks',
    ]));
  });

  it('base: central ×2 with a PDB, a CPU HPA and Services; the ML server reachable only from central; secrets by reference', async () => {
    const objects = await renderAndApply('deploy/control-plane/base');
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'cloudoptim')).toEqual([]);
    expect(central(objects).spec.replicas).toBe(2);
    expect(find(objects, 'PodDisruptionBudget', 'cloudoptim-central')).toMatchObject({ apiVersion: 'policy/v1', spec: { minAvailable: 1 } });
    expect(find(objects, 'HorizontalPodAutoscaler', 'cloudoptim-central')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'cloudoptim-central' }, minReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu' } }] },
    });
    expect(find(objects, 'Service', 'cloudoptim-central')).toMatchObject({ spec: { ports: [{ port: 8000 }] } });
    expect(find(objects, 'Service', 'cloudoptim-ml-server')).toMatchObject({ spec: { ports: [{ port: 8001 }] } });

    const centralPolicy = find(objects, 'NetworkPolicy', 'cloudoptim-central') as KubeObject & { spec: { ingress: unknown[]; egress: Array<{ ports: Array<{ port: number }>; to?: unknown[] }> } };
    expect(centralPolicy.spec.ingress).toEqual([{ ports: [{ port: 8000, protocol: 'TCP' }] }]);
    const egressPorts = centralPolicy.spec.egress.flatMap((rule) => rule.ports.map((p) => p.port));
    expect(egressPorts).toEqual(expect.arrayContaining([53, 5432, 443, 8001]));
    expect(find(objects, 'NetworkPolicy', 'cloudoptim-ml-server')).toMatchObject({
      spec: { ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cloudoptim-central' } } }], ports: [{ port: 8001 }] }] },
    });

    // No Secret ships in the base; every secret reference names the operator's Secret and a variable the app reads.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const [workload, app] of [[central(objects), 'central'], [ml(objects), 'ml-server']] as const) {
      const known = configVariables(app);
      expect(known).toContain('DATABASE_URL');
      const container = workload.spec.template.spec.containers[0]!;
      const refs = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
      expect(refs.length).toBeGreaterThan(0);
      for (const e of refs) {
        expect(e.valueFrom!.secretKeyRef).toMatchObject({ name: 'cloudoptim-secrets', key: e.name });
        expect(known, `${e.name} is a variable of ${workload.metadata.name}`).toContain(e.name);
      }
      const configMap = find(objects, 'ConfigMap', container.envFrom![0]!.configMapRef!.name) as KubeObject & { data: Record<string, string> };
      expect(Object.keys(configMap.data).filter((k) => !known.includes(k)), `${configMap.metadata.name} keys`).toEqual([]);
      expect(workload.spec.template.spec.serviceAccountName).toBe(workload.metadata.name);
    }
    const centralEnv = central(objects).spec.template.spec.containers[0]!.env!;
    expect(centralEnv.filter((e) => !e.valueFrom?.secretKeyRef?.optional).map((e) => e.name).sort()).toEqual(['DATABASE_URL', 'ML_SERVER_API_KEY']);
    const centralConfig = find(objects, 'ConfigMap', 'cloudoptim-central') as KubeObject & { data: Record<string, string> };
    expect(centralConfig.data['ML_SERVER_URL']).toBe('http://cloudoptim-ml-server:8001');
  });

  it('eks: pinned images, IRSA roles on both service accounts, three central replicas, an ALB Ingress', async () => {
    const objects = await renderAndApply('deploy/control-plane/overlays/eks');
    expect(central(objects).spec.replicas).toBe(3);
    expect(find(objects, 'HorizontalPodAutoscaler', 'cloudoptim-central')).toMatchObject({ spec: { minReplicas: 3 } });
    for (const name of ['cloudoptim-central', 'cloudoptim-ml-server']) {
      expect(find(objects, 'ServiceAccount', name)?.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    }
    expect(central(objects).spec.template.spec.containers[0]!.image).toBe('ghcr.io/cloudoptim/central:0.1.0');
    expect(ml(objects).spec.template.spec.containers[0]!.image).toBe('ghcr.io/cloudoptim/ml-server:0.1.0');
    expect(find(objects, 'Ingress', 'cloudoptim-central')).toMatchObject({ spec: { ingressClassName: 'alb' } });
    expect(find(objects, 'PodDisruptionBudget', 'cloudoptim-central')).toBeDefined();
    expect(central(objects).spec.template.spec.containers[0]!.env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/cloudoptim/db-ca/ca.pem' });
  });

  it('dev: one replica of each, no HPA or PDB, an in-cluster PostgreSQL and a generated Secret', async () => {
    const objects = await renderAndApply('deploy/control-plane/overlays/dev');
    expect(central(objects).spec.replicas).toBe(1);
    expect(ml(objects).spec.replicas).toBe(1);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(find(objects, 'StatefulSet', 'cloudoptim-postgres')).toBeDefined();
    const secret = find(objects, 'Secret', 'cloudoptim-secrets') as KubeObject & { data: Record<string, string> };
    const decoded = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(decoded['DATABASE_URL']).toMatch(/^postgres:\/\/cloudoptim:[^@]+@cloudoptim-postgres:5432\/cloudoptim$/);
    expect(decoded['ML_SERVER_API_KEY']!.length).toBeGreaterThanOrEqual(16);
    expect(decoded['CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD']!.length).toBeGreaterThanOrEqual(12);
  });

  it('agent on EKS: the base plus a priority class the Deployment uses', async () => {
    const objects = await renderAndApply('deploy/agent-overlays/eks');
    expect(find(objects, 'PriorityClass', 'cloudoptim-agent')).toMatchObject({ value: 1000000 });
    const agent = find(objects, 'Deployment', 'cloudoptim-agent') as Workload;
    expect(agent.spec.template.spec.priorityClassName).toBe('cloudoptim-agent');
    expect(agent.spec.template.spec.containers[0]!.image).toBe('ghcr.io/cloudoptim/agent:0.1.0');
  });
});
