/**
 * The whole simulator: a local AWS region and a local Kubernetes cluster wired together. Instances launched
 * through EC2 boot and join the cluster as nodes; terminated instances' nodes go NotReady and are removed;
 * interruptions arrive on the SQS queue as EventBridge JSON two minutes before termination; the scenario's
 * workloads run with usage drawn from their profiles. Everything reads one Clock and one seed.
 */
import path from 'node:path';
import { createRng, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { type Clock, type Logger, silentLogger } from '@cloudoptim/runtime';
import { createAwsEndpoint, type AwsEndpoint, type AwsEvent } from '../aws/index.ts';
import { applyScenario, createCluster, type Cluster } from '../cluster/index.ts';
import { createKubeApiServer, KubeApiFaults, ObjectStore, writeKubeconfig } from '../kube-api/index.ts';
import { loadUsageTraces, type Scenario, traceVmIds } from '../scenarios/index.ts';
import { scheduleStorm } from './storm.ts';

export interface SimulatorOptions {
  scenario: Scenario;
  market: Market;
  priceHistory: SpotPriceHistory;
  /** Simulated time; its `now()` at start is the simulation's start. */
  clock: Clock;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Where the kubeconfig is written. */
  stateDir: string;
  k8sPort?: number;
  awsPort?: number;
  /** Token the kubeconfig carries (any token is accepted). */
  kubeToken?: string;
  log?: Logger;
}

/** Everything a client needs to talk to the simulator, as `cloudoptim sim --json` prints it. */
export interface SimulatorEndpoints {
  kubeconfig: string;
  kube_api_url: string;
  aws_endpoint: string;
  region: string;
  sqs_queue_url: string;
  aws_access_key_id: string;
  aws_secret_access_key: string;
  scenario: string;
  seed: number;
  sim_start: string;
}

export interface Simulator {
  readonly endpoints: SimulatorEndpoints;
  readonly aws: AwsEndpoint;
  readonly cluster: Cluster;
  readonly store: ObjectStore;
  /** AWS-side events (launches, state changes, warnings, rebalances, capacity failures), in order. */
  events(): AwsEvent[];
  /**
   * Opt-in faults for chaos tests (all off at start): `kubeApi.outage(500 | 429, ms)` makes the Kubernetes API
   * refuse every request for a while; `aws.sqs.setDeliveryFaults(…)` duplicates, delays and reorders queue
   * messages.
   */
  readonly faults: { kubeApi: KubeApiFaults };
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { scenario, clock, market } = options;
  const log = options.log ?? silentLogger;
  const seed = options.seed ?? scenario.seed;
  const rng = createRng(seed);
  const startMs = clock.now();
  const historyStartMs = Date.parse(scenario.history_start);

  const store = new ObjectStore({ clock, random: rng.fork('store').next, log: log.child({ component: 'kube-store' }) });
  const cluster = createCluster({ store, clock, rng: rng.fork('cluster'), market, traces: loadUsageTraces(traceVmIds(scenario)), log: log.child({ component: 'cluster' }) });
  const kubeFaults = new KubeApiFaults(clock);
  const kube = createKubeApiServer({ store, clock, log: log.child({ component: 'kube-api' }), usage: cluster.usageProvider, faults: kubeFaults });
  const boot = scenario.market.boot_delay_seconds;
  const aws = createAwsEndpoint({
    clock,
    rng: rng.fork('aws'),
    market,
    priceHistory: options.priceHistory,
    region: scenario.region,
    bootDelay: { minMs: boot.min * 1000, maxMs: Math.max(boot.min, boot.max) * 1000 },
    priceReplay: { historyStartMs, simStartMs: startMs },
    log: log.child({ component: 'aws' }),
  });

  // Instances ↔ nodes.
  const unhook = [
    aws.ec2.onInstanceRunning((i) => {
      cluster.registerNode({
        instanceId: i.instanceId,
        instanceType: i.instanceType,
        availabilityZone: i.availabilityZone,
        capacityType: i.lifecycle === 'spot' ? 'spot' : 'on-demand',
        privateDnsName: i.privateDnsName,
        privateIp: i.privateIpAddress,
        labels: nodeLabelsFromTags(i.tags),
      });
    }),
    aws.ec2.onInstanceShuttingDown((i) => void cluster.markNodeNotReady(i.privateDnsName)),
    aws.ec2.onInstanceTerminated((i) => void cluster.removeNode(i.privateDnsName)),
  ];

  const kubeAddress = await kube.start(options.k8sPort);
  const awsAddress = await aws.start(options.awsPort);
  cluster.start();

  applyScenario(store, scenario);
  for (const group of scenario.nodes) {
    const zone = aws.topology.zone(group.zone);
    if (!zone) throw new Error(`scenario zone ${group.zone} is not in ${scenario.region}`);
    aws.ec2.launch({
      instanceType: group.instance_type,
      zone,
      lifecycle: group.capacity_type === 'spot' ? 'spot' : 'on-demand',
      count: group.count,
      // The scenario's cluster exists before the run: its nodes are Ready at the start, not booting.
      running: true,
      tags: [
        { key: 'Name', value: `${scenario.name}-node` },
        { key: 'cloudoptim.io/scenario', value: scenario.name },
        ...Object.entries(group.labels).map(([key, value]) => ({ key: `k8s.io/cluster-autoscaler/node-template/label/${key}`, value })),
      ],
    });
  }
  const stopStorm = scenario.market.storm
    ? scheduleStorm(
        aws,
        clock,
        startMs,
        { afterMs: scenario.market.storm.after_hours * 3_600_000, durationMs: scenario.market.storm.duration_hours * 3_600_000, hazardMultiplier: scenario.market.storm.hazard_multiplier },
        rng.fork('storm'),
        log,
      )
    : () => {};

  const kubeconfig = path.join(options.stateDir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, kubeAddress.url, options.kubeToken ?? 'cloudoptim-sim');
  const credentials = aws.credentials;
  const endpoints: SimulatorEndpoints = {
    kubeconfig,
    kube_api_url: kubeAddress.url,
    aws_endpoint: awsAddress.url,
    region: scenario.region,
    sqs_queue_url: aws.queueUrl(),
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    scenario: scenario.name,
    seed,
    sim_start: new Date(startMs).toISOString(),
  };
  log.info({ ...endpoints, aws_secret_access_key: undefined }, 'simulator started');

  return {
    endpoints,
    aws,
    cluster,
    store,
    events: () => aws.events(),
    faults: { kubeApi: kubeFaults },
    async stop() {
      stopStorm();
      for (const off of unhook) off();
      await cluster.stop();
      await Promise.all([kube.stop(), aws.stop()]);
    },
  };
}

/** Node labels a scenario asked for, carried on the instance as cluster-autoscaler node-template tags. */
function nodeLabelsFromTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const prefix = 'k8s.io/cluster-autoscaler/node-template/label/';
  return Object.fromEntries(Object.entries(tags).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}
