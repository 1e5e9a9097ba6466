/**
 * A whole agent for integration tests: the simulator's Kubernetes API (no controllers: the test writes the
 * state), the real Kubernetes client, a FakeCentral on a real port, the real CentralClient with its `ws`
 * stream, and a ManualClock that the test moves with {@link AgentHarness.run}.
 */
import { CentralClient } from '@cloudoptim/api-client';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { startAgent, type RunningAgent } from '../agent.ts';
import { loadAgentConfig, type AgentConfig } from '../config.ts';
import { wsSocketFactory } from '../link/ws-socket.ts';
import { FakeCentral } from './fake-central.ts';

export const API_KEY = 'co_test_agent_key_0001';

export interface AgentHarness {
  clock: ManualClock;
  cluster: kubeApi.TestCluster;
  central: FakeCentral;
  agent: RunningAgent;
  config: AgentConfig;
  /** Moves the clock `ms` forward in `stepMs` steps, letting the agent finish its work after each. */
  run(ms: number, stepMs?: number): Promise<void>;
  /** Polls (real time) until `cond` holds, moving the clock by `stepMs` between polls when given. */
  until(cond: () => boolean, what: string, stepMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startAgentHarness(env: Record<string, string> = {}, seed: (c: kubeApi.TestCluster) => void = () => {}): Promise<AgentHarness> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 8));
  const cluster = await kubeApi.startTestCluster({ clock, historyLimit: 1_000 });
  seed(cluster);
  const central = await FakeCentral.start({ apiKey: API_KEY, now: () => clock.now() });
  const config = loadAgentConfig({ CENTRAL_SERVER_URL: central.url, CLUSTER_ID: 'cl-test', CENTRAL_API_KEY: API_KEY, AGENT_ID: 'agent-test-1', KUBECONFIG: cluster.kubeconfig, ...env });
  const kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: cluster.kubeconfig }, clock });
  const client = new CentralClient({ baseUrl: central.url, apiKey: API_KEY, timeoutMs: 5_000, socketFactory: wsSocketFactory });
  const agent = await startAgent({ config, kube, central: client, clock, log: silentLogger, random: () => 0.5 });
  const h: AgentHarness = {
    clock, cluster, central, agent, config,
    async run(ms, stepMs = 1_000) {
      await agent.settled();
      for (let t = 0; t < ms; t += stepMs) {
        await clock.advance(Math.min(stepMs, ms - t));
        await agent.settled();
      }
    },
    async until(cond, what, stepMs) {
      const start = Date.now();
      while (!cond()) {
        if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
        if (stepMs) await h.run(stepMs, stepMs);
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      await agent.stop();
      await central.close();
      await cluster.close();
    },
  };
  await h.until(() => central.heartbeats.length > 0, 'the first heartbeat');
  await agent.settled();
  return h;
}

/** Two Ready nodes (`n1` on i-0aaaaaaaaaaaaaaa1, `n2`) with a pod each, as a kubelet would have written them. */
export function seedTwoNodes(c: kubeApi.TestCluster): void {
  c.store.create('namespaces', { metadata: { name: 'shop' } });
  for (const [name, id] of [['n1', 'i-0aaaaaaaaaaaaaaa1'], ['n2', 'i-0aaaaaaaaaaaaaaa2']] as const) {
    const node = kubeApi.nodeFixture(name, { labels: { 'karpenter.sh/capacity-type': 'spot' } });
    node.spec = { ...(node.spec ?? {}), providerID: `aws:///us-east-1a/${id}` };
    c.store.nodes.create(node);
  }
  const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f9c7b6d', uid: 'rs-web', controller: true }];
  c.store.pods.create(kubeApi.podFixture('web-0', { namespace: 'shop', nodeName: 'n1', labels: { app: 'web', 'pod-template-hash': '5d8f9c7b6d' }, ownerReferences: owner }));
  c.store.pods.create(kubeApi.podFixture('web-1', { namespace: 'shop', nodeName: 'n2', labels: { app: 'web', 'pod-template-hash': '5d8f9c7b6d' }, ownerReferences: owner }));
}
