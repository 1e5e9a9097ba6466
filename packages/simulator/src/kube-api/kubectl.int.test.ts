/**
 * kubectl, unchanged, against the simulator's API server: get/describe, cordon/uncordon, label, taint,
 * scale, top, apply -f / -k, and error output. (Drain lives in kubectl-drain.int.test.ts.)
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFixture, podFixture, startTestCluster, type TestCluster } from './fixtures.ts';
import { runKubectl } from './kubectl-runner.ts';
import type { KubeObject, Node } from './types.ts';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources:
          requests: {cpu: 250m, memory: 256Mi}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop}
stringData: {k: v}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: agent-leader, namespace: shop}
spec: {holderIdentity: a, leaseDurationSeconds: 15}
`;

describe('kubectl against the simulator', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster();
    c.store.nodes.create(nodeFixture('node-a', { labels: { 'karpenter.sh/capacity-type': 'spot' } }));
    c.store.nodes.create(nodeFixture('node-b', { labels: { 'node-role.kubernetes.io/worker': '' }, internalIp: '10.0.0.2' }));
    c.store.pods.create(podFixture('web-0', { labels: { app: 'web' }, nodeName: 'node-a' }));
    c.store.pods.create(podFixture('web-1', { labels: { app: 'web' }, nodeName: 'node-b' }));
    c.store.pods.create(podFixture('pending-0', { labels: { app: 'batch' } }));
    c.store.create('namespaces', { metadata: { name: 'other' } });
    c.store.pods.create(podFixture('db-0', { namespace: 'other', labels: { app: 'db' }, nodeName: 'node-b' }));
  });
  afterAll(async () => c?.close());

  it('gets nodes and pods as tables (-o wide, -A, -l)', async () => {
    const nodes = await runKubectl(c, ['get', 'nodes']);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes.stdout).toMatch(/node-a\s+Ready\s+<none>/);
    expect(nodes.stdout).toMatch(/node-b\s+Ready\s+worker/);
    const wide = await runKubectl(c, ['get', 'nodes', '-o', 'wide']);
    expect(wide.stdout).toMatch(/INTERNAL-IP.*OS-IMAGE/);
    expect(wide.stdout).toMatch(/node-b.*10\.0\.0\.2.*Amazon Linux 2023/);
    const pods = await runKubectl(c, ['get', 'pods', '-o', 'wide']);
    expect(pods.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
    expect(pods.stdout).toMatch(/web-0\s+1\/1\s+Running\s+0\s+\S+\s+10\.1\.0\.1\s+node-a/);
    expect(pods.stdout).toMatch(/pending-0\s+0\/1\s+Pending/);
    const all = await runKubectl(c, ['get', 'pods', '-A', '-l', 'app in (web,db)']);
    expect(all.stdout).toMatch(/^NAMESPACE\s+NAME/);
    expect(all.stdout.trim().split('\n')).toHaveLength(4);
    expect(all.stdout).toMatch(/other\s+db-0/);
    const labels = await runKubectl(c, ['get', 'nodes', '-L', 'karpenter.sh/capacity-type', '--show-labels']);
    expect(labels.stdout).toMatch(/node-a.*spot/);
    const sel = await runKubectl(c, ['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-b', '-o', 'name']);
    expect(sel.stdout.trim().split('\n').sort()).toEqual(['pod/db-0', 'pod/web-1']);
  });

  it('prints objects as json and yaml and describes nodes and pods', async () => {
    const json = await runKubectl(c, ['get', 'pod', 'web-0', '-o', 'json']);
    const pod = JSON.parse(json.stdout) as KubeObject;
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata.uid).toBeTruthy();
    const list = JSON.parse((await runKubectl(c, ['get', 'nodes', '-o', 'json'])).stdout) as { items: Node[] };
    expect(list.items.map((n) => n.metadata.name)).toEqual(['node-a', 'node-b']);
    const yaml = await runKubectl(c, ['get', 'node', 'node-a', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/providerID: aws:\/\/\/us-east-1a\/i-node-a/);
    const dn = await runKubectl(c, ['describe', 'node', 'node-a']);
    expect(dn.code).toBe(0);
    expect(dn.stdout).toMatch(/Non-terminated Pods:\s+\(1 in total\)/);
    const dp = await runKubectl(c, ['describe', 'pod', 'web-0']);
    expect(dp.code).toBe(0);
    expect(dp.stdout).toMatch(/Node:\s+node-a\/10\.0\.0\.1/);
    expect(dp.stdout).toMatch(/QoS Class:\s+Burstable/);
  });

  it('cordons, uncordons, labels and taints nodes', async () => {
    expect((await runKubectl(c, ['cordon', 'node-a'])).stdout).toMatch(/node\/node-a cordoned/);
    expect(c.store.nodes.get('node-a')?.spec?.unschedulable).toBe(true);
    expect((await runKubectl(c, ['get', 'nodes', '--field-selector', 'spec.unschedulable=true', '-o', 'name'])).stdout.trim()).toBe('node/node-a');
    expect((await runKubectl(c, ['get', 'node', 'node-a'])).stdout).toMatch(/Ready,SchedulingDisabled/);
    expect((await runKubectl(c, ['uncordon', 'node-a'])).stdout).toMatch(/uncordoned/);
    expect(c.store.nodes.get('node-a')?.spec?.unschedulable).toBeFalsy();
    expect((await runKubectl(c, ['label', 'node', 'node-a', 'team=blue'])).code).toBe(0);
    expect(c.store.nodes.get('node-a')?.metadata.labels?.['team']).toBe('blue');
    expect((await runKubectl(c, ['label', 'node', 'node-a', 'team-'])).code).toBe(0);
    expect(c.store.nodes.get('node-a')?.metadata.labels?.['team']).toBeUndefined();
    expect((await runKubectl(c, ['taint', 'node', 'node-a', 'spot=true:NoSchedule'])).code).toBe(0);
    expect((await runKubectl(c, ['taint', 'node', 'node-a', 'drain=soon:NoExecute'])).code).toBe(0);
    // Taints have no merge key: kubectl sends the whole list, in its own order.
    expect(c.store.nodes.get('node-a')?.spec?.taints?.map((t) => `${t.key}=${t.value}:${t.effect}`).sort()).toEqual(['drain=soon:NoExecute', 'spot=true:NoSchedule']);
    expect((await runKubectl(c, ['taint', 'node', 'node-a', 'spot:NoSchedule-'])).code).toBe(0);
    expect(c.store.nodes.get('node-a')?.spec?.taints?.map((t) => t.key)).toEqual(['drain']);
    const bad = await runKubectl(c, ['label', 'node', 'node-a', 'bad key=x']);
    expect(bad.code).not.toBe(0);
  });

  it('applies manifests (-f and -k), scales, and reapplies unchanged', async () => {
    await mkdir(join(c.dir, 'k'), { recursive: true });
    await writeFile(join(c.dir, 'app.yaml'), MANIFEST);
    const first = await runKubectl(c, ['apply', '-f', join(c.dir, 'app.yaml')]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/deployment.apps\/web created/);
    expect(first.stdout).toMatch(/service\/web created/);
    expect(first.stdout).toMatch(/lease.coordination.k8s.io\/agent-leader created/);
    const again = await runKubectl(c, ['apply', '-f', join(c.dir, 'app.yaml')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/deployment.apps\/web unchanged/);
    const scale = await runKubectl(c, ['scale', 'deployment', 'web', '-n', 'shop', '--replicas=4']);
    expect(scale.stdout).toMatch(/deployment.apps\/web scaled/);
    expect((c.store.get('apps/deployments', 'shop', 'web') as { spec: { replicas: number } }).spec.replicas).toBe(4);
    // A changed manifest: apply patches the container image and keeps the scaled replicas semantics of kubectl.
    await writeFile(join(c.dir, 'app.yaml'), MANIFEST.replace('nginx:1.27', 'nginx:1.28'));
    const changed = await runKubectl(c, ['apply', '-f', join(c.dir, 'app.yaml')]);
    expect(changed.stdout).toMatch(/deployment.apps\/web configured/);
    const dep = c.store.get('apps/deployments', 'shop', 'web') as { metadata: { generation: number }; spec: { template: { spec: { containers: Array<{ image: string; resources: unknown }> } } } };
    expect(dep.spec.template.spec.containers[0]!.image).toBe('nginx:1.28');
    expect(dep.spec.template.spec.containers[0]!.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' } });
    await writeFile(join(c.dir, 'k', 'app.yaml'), MANIFEST);
    await writeFile(join(c.dir, 'k', 'kustomization.yaml'), 'resources: [app.yaml]\nlabels:\n- pairs: {env: dev}\n');
    const k = await runKubectl(c, ['apply', '-k', join(c.dir, 'k')]);
    expect(k.code).toBe(0);
    expect(c.store.get('configmaps', 'shop', 'cfg')?.metadata.labels?.['env']).toBe('dev');
    const get = await runKubectl(c, ['get', 'deploy,svc,pdb,cm', '-n', 'shop']);
    expect(get.stdout).toMatch(/deployment.apps\/web\s+0\/2/);
    expect(get.stdout).toMatch(/poddisruptionbudget.policy\/web\s+N\/A\s+25%/);
  });

  it('shows usage with top nodes and top pods', async () => {
    const nodes = await runKubectl(c, ['top', 'nodes']);
    expect(nodes.code).toBe(0);
    // node-a: 100m system + 50m (half of web-0's 100m request) = 150m of 4 cores.
    expect(nodes.stdout).toMatch(/node-a\s+150m\s+3%\s+576Mi\s+3%/);
    const pods = await runKubectl(c, ['top', 'pods', '-A']);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/other\s+db-0\s+50m\s+64Mi/);
    expect(pods.stdout).not.toMatch(/pending-0/);
  });

  it('prints apiserver errors: not found, invalid, already exists, unknown resource', async () => {
    const nf = await runKubectl(c, ['get', 'pod', 'nope']);
    expect(nf.code).not.toBe(0);
    expect(nf.stderr).toMatch(/Error from server \(NotFound\): pods "nope" not found/);
    const inv = await runKubectl(c, ['run', 'BadName', '--image=nginx']);
    expect(inv.stderr).toMatch(/Invalid value: "BadName"/);
    await writeFile(join(c.dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n');
    const exists = await runKubectl(c, ['create', '-f', join(c.dir, 'ns.yaml')]);
    expect(exists.stderr).toMatch(/AlreadyExists.*namespaces "other" already exists/);
    // Typed generators (`kubectl create namespace x`) send protobuf, which is refused with 415.
    const proto = await runKubectl(c, ['create', 'namespace', 'proto']);
    expect(proto.stderr).toMatch(/UnsupportedMediaType/);
    const unknown = await runKubectl(c, ['get', 'widgets']);
    expect(unknown.stderr).toMatch(/the server doesn't have a resource type "widgets"/);
    const badSel = await runKubectl(c, ['get', 'pods', '-l', 'a in (']);
    expect(badSel.code).not.toBe(0);
  });
});
