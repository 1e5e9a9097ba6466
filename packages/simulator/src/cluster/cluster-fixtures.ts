/**
 * Builders for tests of the cluster behaviour (and of the layers above it): a store, a ManualClock and a
 * cluster seeded together, nodes registered from short descriptions, and a scenario's workloads applied.
 */
import { createRng, loadMarket, type Market } from '@cloudoptim/market';
import { ManualClock, silentLogger, type Logger } from '@cloudoptim/runtime';
import { ObjectStore } from '../kube-api/index.ts';
import type { Scenario } from '../scenarios/scenario.schema.ts';
import type { UsageTrace } from '../scenarios/usage-profiles.ts';
import { applyScenario, scenarioNodeRegistrations } from './apply-scenario.ts';
import { createCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { privateDnsNameFor, type NodeRegistration } from './node-factory.ts';

export interface TestClusterOptions {
  seed?: number;
  startMs?: number;
  market?: Market;
  log?: Logger;
  traces?: ReadonlyMap<number, UsageTrace>;
  /** Passed through (events, pdbStatus default true here, kubelet, tickMs). */
  cluster?: Partial<Pick<ClusterOptions, 'events' | 'pdbStatus' | 'kubelet' | 'tickMs'>>;
}

export interface TestCluster {
  store: ObjectStore;
  clock: ManualClock;
  cluster: Cluster;
  market: Market;
  /** Registers a node; `zone` defaults to us-east-1a, type to m5.large, capacity to on-demand. */
  addNode(o?: Partial<NodeRegistration> & { zone?: string; type?: string }): string;
  /** Registers the scenario's nodes and applies its workloads. */
  applyScenario(scenario: Scenario): void;
}

/** A seeded store + ManualClock + cluster (PDB status maintained in-process, since no server runs). */
export function createTestCluster(o: TestClusterOptions = {}): TestCluster {
  const seed = o.seed ?? 1;
  const rng = createRng(seed);
  const clock = new ManualClock(o.startMs ?? Date.UTC(2021, 3, 5, 12));
  const storeRng = rng.fork('store');
  const store = new ObjectStore({ clock, random: () => storeRng.next(), log: o.log ?? silentLogger });
  const market = o.market ?? loadMarket();
  const cluster = createCluster({ store, clock, rng: rng.fork('cluster'), market, log: o.log ?? silentLogger, traces: o.traces, pdbStatus: true, ...o.cluster });
  const nodeRng = rng.fork('nodes');
  let n = 0;
  return {
    store,
    clock,
    cluster,
    market,
    addNode(reg = {}) {
      n++;
      const ip = reg.privateIp ?? `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      const zone = reg.availabilityZone ?? reg.zone ?? 'us-east-1a';
      const node = cluster.registerNode({
        instanceId: reg.instanceId ?? `i-0${Array.from({ length: 16 }, () => nodeRng.int(16).toString(16)).join('')}`,
        instanceType: reg.instanceType ?? reg.type ?? 'm5.large',
        availabilityZone: zone,
        capacityType: reg.capacityType ?? 'on-demand',
        privateDnsName: reg.privateDnsName ?? privateDnsNameFor(ip, zone.slice(0, -1)),
        privateIp: ip,
        ...(reg.labels ? { labels: reg.labels } : {}),
        ...(reg.taints ? { taints: reg.taints } : {}),
      });
      return node.metadata.name;
    },
    applyScenario(scenario) {
      for (const r of scenarioNodeRegistrations(scenario, nodeRng)) cluster.registerNode(r);
      applyScenario(store, scenario);
    },
  };
}
