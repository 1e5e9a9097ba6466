/**
 * A Kubernetes cluster without the AWS side: the object store, the cluster behaviour (scheduler, controllers,
 * kubelets) and the HTTP API with a kubeconfig, with the scenario's nodes registered directly. For tests of
 * Kubernetes clients (kubectl, the kube package, the agent) that need a live cluster but no EC2.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, loadMarket, type Market } from '@cloudoptim/market';
import { type Clock, silentLogger } from '@cloudoptim/runtime';
import { applyScenario, createCluster, scenarioNodeRegistrations, type Cluster } from '../cluster/index.ts';
import { createKubeApiServer, ObjectStore, writeKubeconfig, type Pod } from '../kube-api/index.ts';
import type { Scenario } from '../scenarios/index.ts';

export interface KubeClusterOptions {
  scenario: Scenario;
  clock: Clock;
  seed: number;
  market?: Market;
}

export interface KubeCluster {
  store: ObjectStore;
  cluster: Cluster;
  url: string;
  kubeconfig: string;
  /** The directory holding the kubeconfig (removed by `stop`). */
  dir: string;
  /** Pods matching `labelSelector` in `namespace` that are Running, Ready and not terminating. */
  readyPods(labelSelector: string, namespace: string): Pod[];
  /** Resolves once `condition` holds (polled every 20 ms of real time); rejects after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubeCluster(options: KubeClusterOptions): Promise<KubeCluster> {
  const { clock, scenario } = options;
  const rng = createRng(options.seed);
  const storeRng = rng.fork('store');
  const store = new ObjectStore({ clock, random: () => storeRng.next(), log: silentLogger });
  const cluster = createCluster({ store, clock, rng: rng.fork('cluster'), market: options.market ?? loadMarket(), log: silentLogger });
  const server = createKubeApiServer({ store, clock, log: silentLogger, usage: cluster.usageProvider });
  const { url } = await server.start(0);
  const dir = await mkdtemp(join(tmpdir(), `kube-${scenario.name}-`));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, url, 'test-token');
  for (const registration of scenarioNodeRegistrations(scenario, rng.fork('nodes'))) cluster.registerNode(registration);
  applyScenario(store, scenario);
  cluster.start();
  return {
    store,
    cluster,
    url,
    kubeconfig,
    dir,
    readyPods: (labelSelector, namespace) =>
      store.pods
        .list({ namespace, labelSelector })
        .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    async waitFor(condition, timeoutMs) {
      const start = Date.now();
      while (!condition()) {
        if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await cluster.stop();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
