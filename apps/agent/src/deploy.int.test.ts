/**
 * deploy/agent (the Kustomize base) applies with the real kubectl against the simulator's Kubernetes API and
 * creates what the agent needs: namespace, service account, RBAC, config, secret, Deployment with probes and
 * the seed's resources. Re-applying is unchanged (idempotent).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ManualClock } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentEnvSchema } from './config.ts';

const base = resolve(import.meta.dirname, '../../../deploy/agent');
const installScript = resolve(import.meta.dirname, '../../../scripts/install-agent.sh');

function kubectl(c: kubeApi.TestCluster, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dir, 'cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Container {
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  envFrom: unknown[];
  securityContext: Record<string, unknown>;
}

describe('kubectl apply -k deploy/agent', () => {
  let c: kubeApi.TestCluster;
  beforeAll(async () => {
    c = await kubeApi.startTestCluster({ clock: new ManualClock(Date.UTC(2026, 0, 1)) });
  });
  afterAll(() => c?.close());

  it('creates every object of the base, and re-applying changes nothing', async () => {
    const first = await kubectl(c, ['apply', '-k', base]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const line of ['namespace/cloudoptim-system created', 'serviceaccount/cloudoptim-agent created', 'clusterrole.rbac.authorization.k8s.io/cloudoptim-agent created',
      'clusterrolebinding.rbac.authorization.k8s.io/cloudoptim-agent created', 'configmap/cloudoptim-agent created', 'secret/cloudoptim-agent created', 'deployment.apps/cloudoptim-agent created']) {
      expect(first.stdout).toContain(line);
    }
    const again = await kubectl(c, ['apply', '-k', base]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/created|configured/);

    const { store } = c;
    const ns = 'cloudoptim-system';
    const deployment = store.get('apps/deployments', ns, 'cloudoptim-agent') as unknown as { spec: { template: { spec: { serviceAccountName: string; containers: Container[] } } } };
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('cloudoptim-agent');
    const agent = pod.containers[0]!;
    expect(agent.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect([agent.livenessProbe.httpGet.path, agent.readinessProbe.httpGet.path]).toEqual(['/health', '/ready']);
    expect(agent.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect((store.get('apps/deployments', ns, 'cloudoptim-agent') as unknown as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0]?.image).toBe('ghcr.io/cloudoptim/agent:0.1.0');

    const role = store.get('rbac.authorization.k8s.io/clusterroles', undefined, 'cloudoptim-agent') as unknown as { rules: Array<{ resources: string[]; verbs: string[] }> };
    const can = (resource: string, verb: string) => role.rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb));
    for (const [resource, verb] of [['nodes', 'patch'], ['pods/eviction', 'create'], ['events', 'watch'], ['deployments/scale', 'update'], ['poddisruptionbudgets', 'list'], ['pods', 'list']]) {
      expect(can(resource!, verb!), `${verb} ${resource}`).toBe(true);
    }
    expect(role.rules.some((r) => r.resources.includes('secrets'))).toBe(false);
    const binding = store.get('rbac.authorization.k8s.io/clusterrolebindings', undefined, 'cloudoptim-agent') as unknown as { subjects: Array<{ name: string; namespace: string }> };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cloudoptim-agent', namespace: ns }]);

    // The ConfigMap only names variables the agent reads.
    const cm = store.get('configmaps', ns, 'cloudoptim-agent') as unknown as { data: Record<string, string> };
    const known = Object.keys(AgentEnvSchema.shape);
    expect(Object.keys(cm.data).filter((k) => !known.includes(k))).toEqual([]);
    expect(store.get('secrets', ns, 'cloudoptim-agent')).toBeDefined();
    expect(store.get('serviceaccounts', ns, 'cloudoptim-agent')).toBeDefined();
  });

  it('scripts/install-agent.sh applies the base with the cluster\'s URL, id and key', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(installScript, ['--kubeconfig', c.kubeconfig, '--central-url', 'https://central.example.com', '--cluster-id', 'cl-prod-7', '--no-wait'], {
        timeout: 30_000, env: { ...process.env, CENTRAL_API_KEY: 'co_key_for_cl_prod_7' },
      }, (err, stdout, stderr) => done({ code: err ? 1 : 0, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CloudOptim agent installed for cluster cl-prod-7');
    const cm = c.store.get('configmaps', 'cloudoptim-system', 'cloudoptim-agent') as unknown as { data: Record<string, string> };
    expect(cm.data).toMatchObject({ CENTRAL_SERVER_URL: 'https://central.example.com', CLUSTER_ID: 'cl-prod-7', METRICS_INTERVAL_SECONDS: '60' });
    const secret = c.store.get('secrets', 'cloudoptim-system', 'cloudoptim-agent') as unknown as { data?: Record<string, string> };
    expect(Buffer.from(secret.data?.['CENTRAL_API_KEY'] ?? '', 'base64').toString()).toBe('co_key_for_cl_prod_7');
  });
});
