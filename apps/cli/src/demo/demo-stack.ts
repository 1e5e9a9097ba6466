/**
 * The demo's composition: for each cluster a simulator (local AWS region + Kubernetes API on real spot prices),
 * then the ML server, central (PGlite in a fresh data directory) and one in-process agent per cluster — all on
 * one simulated clock. Onboarding goes through central's real admin API: operator login, a customer, its admin
 * user, cluster registration (the agent key), settings (automation mode, the simulator's interruption queue).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CentralClient } from '@cloudoptim/api-client';
import { loadAgentConfig, startAgent, wsSocketFactory, type AgentConfig, type RunningAgent } from '@cloudoptim/agent';
import { ConfiguredCloudAccess, defaultCentralConfig, startCentral, type CloudAccess, type ClusterCloudTarget, type ClusterSettingsReader, type StartedCentral } from '@cloudoptim/central';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import type { Market, SpotPriceHistory } from '@cloudoptim/market';
import { loadMlServerConfig, startMlServer, type StartedMlServer } from '@cloudoptim/ml-server';
import { freePort, type Clock, type Logger } from '@cloudoptim/runtime';
import { startSimulator, type Scenario, type Simulator } from '@cloudoptim/simulator';
import { DemoAdminApi } from './admin-api.ts';

export interface DemoStackOptions {
  scenario: Scenario;
  seed: number;
  clusters: number;
  mode: 'recommend' | 'automate';
  market: Market;
  priceHistory: SpotPriceHistory;
  clock: Clock;
  /** Simulated seconds that pass per real second while work is in flight: the scale of a ScaledClock, 1 under a
   *  SteppedClock (time stands still while the process works). Leases and sessions are stretched by it. */
  speed: number;
  /** Central's port (0 = any). */
  port: number;
  /** Fresh directory for this run's databases, kubeconfigs and state. */
  dataDir: string;
  log: Logger;
}

export interface DemoCluster {
  clusterId: string;
  name: string;
  sim: Simulator;
  /** The running agent; a test may replace it (chaos: a restarted agent), and the stack stops whichever runs. */
  agent: RunningAgent;
  /** The agent's configuration (cluster id, key, kubeconfig), to start another agent of the same cluster. */
  agentConfig: AgentConfig;
}

export interface DemoStack {
  url: string;
  email: string;
  password: string;
  central: StartedCentral;
  ml: StartedMlServer;
  clusters: DemoCluster[];
  customerId: string;
  /** The bootstrap operator (model registry, gap filling); the demo prints only the customer admin. */
  operator: { email: string; password: string };
  stop(): Promise<void>;
}

/** The node launch template the simulated clusters' capacity is launched from (the simulator accepts any id). */
const DEMO_LAUNCH_TEMPLATE = 'lt-0c10d0e1a2b3c4d5e';

/**
 * The demo clusters run stateless web workloads, so they are Spot-first: on-demand only where no safe Spot pool
 * is left (the interruption handler's fallback), as users of CAST AI's spot-only mode or Karpenter's spot
 * capacity type run such clusters. The product default (0.8) keeps a fifth on on-demand.
 */
const DEMO_MAX_SPOT_SHARE = 1;

/** Routes each cluster's AWS calls to its own simulator's endpoint. */
class DemoCloudAccess implements CloudAccess {
  private readonly byCluster = new Map<string, ConfiguredCloudAccess>();
  settings: ClusterSettingsReader | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  attach(clusterId: string, sim: Simulator): void {
    const reader: ClusterSettingsReader = { get: (customerId, id) => this.requireSettings().get(customerId, id) };
    const e = sim.endpoints;
    this.byCluster.set(clusterId, new ConfiguredCloudAccess({ config: { AWS_ENDPOINT_URL: e.aws_endpoint, AWS_ACCESS_KEY_ID: e.aws_access_key_id, AWS_SECRET_ACCESS_KEY: e.aws_secret_access_key }, settings: reader, clock: this.clock, log: this.log }));
  }

  forCluster(target: ClusterCloudTarget) {
    const access = this.byCluster.get(target.clusterId);
    if (!access) throw new Error(`no simulator for cluster ${target.clusterId}`);
    return access.forCluster(target);
  }

  async close(): Promise<void> {
    await Promise.all([...this.byCluster.values()].map((a) => a.close()));
  }

  private requireSettings(): ClusterSettingsReader {
    if (!this.settings) throw new Error('central is not started yet');
    return this.settings;
  }
}

export async function startDemoStack(o: DemoStackOptions): Promise<DemoStack> {
  const { clock, log } = o;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'demo: stopping a part failed'));
  };
  try {
    const sims: Simulator[] = [];
    for (let i = 0; i < o.clusters; i++) {
      const stateDir = path.join(o.dataDir, `sim-${i + 1}`);
      fs.mkdirSync(stateDir, { recursive: true });
      const sim = await startSimulator({ scenario: o.scenario, market: o.market, priceHistory: o.priceHistory, clock, seed: o.seed + i, stateDir, log: log.child({ component: `sim-${i + 1}` }) });
      stops.push(() => sim.stop());
      sims.push(sim);
    }

    const mlKey = randomBytes(24).toString('base64url');
    // The gap filler's DescribeSpotPriceHistory goes to the (first) simulated region.
    const aws = sims[0]!.endpoints;
    const ml = await startMlServer(
      loadMlServerConfig({ ML_SERVER_API_KEY: mlKey, PORT: String(await freePort()), HOST: '127.0.0.1', ML_SERVER_DATA_DIR: path.join(o.dataDir, 'ml'), AWS_ENDPOINT_URL: aws.aws_endpoint, AWS_ACCESS_KEY_ID: aws.aws_access_key_id, AWS_SECRET_ACCESS_KEY: aws.aws_secret_access_key }),
      { log: log.child({ component: 'ml' }), clock },
    );
    stops.push(() => ml.close());

    const cloud = new DemoCloudAccess(clock, log.child({ component: 'cloud' }));
    const operatorEmail = 'operator@cloudoptim.local';
    const operatorPassword = randomBytes(12).toString('base64url');
    const config = defaultCentralConfig({
      PORT: o.port,
      HOST: '127.0.0.1',
      CLOUDOPTIM_DATA_DIR: path.join(o.dataDir, 'central'),
      CLOUDOPTIM_PUBLIC_URL: `http://localhost:${o.port || 8000}`,
      CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: operatorEmail,
      CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: operatorPassword,
      ML_SERVER_URL: ml.url,
      ML_SERVER_API_KEY: mlKey,
      // A real working day for people, whatever the simulation speed.
      SESSION_TTL_SECONDS: Math.round(24 * 3600 * o.speed),
      RATE_LIMIT_PER_MINUTE: 100_000,
      // A lease must outlast a few real round trips, which at 600× are minutes of simulated time.
      TASK_LEASE_SECONDS: Math.max(60, Math.ceil(o.speed * 5)),
    });
    const central = await startCentral(config, { log: log.child({ component: 'central' }), clock, deps: { cloud, market: o.market } });
    stops.push(() => central.close());
    cloud.settings = central.ctx.settings;

    const api = new DemoAdminApi(central.url);
    await api.login(operatorEmail, operatorPassword);
    const customer = await api.call<{ customer_id: string }>('POST', '/api/v1/admin/customers', { company_name: 'Demo Co', email: 'platform@demo.example' });
    const email = 'admin@demo.example';
    const password = randomBytes(9).toString('base64url');
    await api.call('POST', `/api/v1/admin/customers/${customer.customer_id}/users`, { email, password, role: 'customer_admin' });

    const clusters: DemoCluster[] = [];
    for (const [i, sim] of sims.entries()) {
      const name = o.clusters === 1 ? 'demo' : `demo-${i + 1}`;
      const registered = await api.call<{ cluster_id: string; api_key: string }>('POST', '/api/v1/admin/clusters', { cluster_name: name, region: sim.endpoints.region, customer_id: customer.customer_id });
      cloud.attach(registered.cluster_id, sim);
      await api.call('PATCH', `/api/v1/admin/clusters/${registered.cluster_id}/settings`, { automation_mode: o.mode, interruption_queue_url: sim.endpoints.sqs_queue_url, launch_template_id: DEMO_LAUNCH_TEMPLATE, max_nodes_in_flight: 2, max_spot_share: DEMO_MAX_SPOT_SHARE });
      const agentConfig = loadAgentConfig({ CENTRAL_SERVER_URL: central.url, CLUSTER_ID: registered.cluster_id, CENTRAL_API_KEY: registered.api_key, KUBECONFIG: sim.endpoints.kubeconfig, AGENT_ID: `demo-agent-${i + 1}` });
      const agentLog = log.child({ component: `agent-${i + 1}` });
      const kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: sim.endpoints.kubeconfig }, clock, log: agentLog.child({ component: 'kube' }) });
      const centralClient = new CentralClient({ baseUrl: central.url, apiKey: registered.api_key, timeoutMs: agentConfig.centralTimeoutMs, socketFactory: wsSocketFactory, userAgent: 'cloudoptim-agent/demo' });
      const agent = await startAgent({ config: agentConfig, kube, central: centralClient, clock, log: agentLog });
      const cluster: DemoCluster = { clusterId: registered.cluster_id, name, sim, agent, agentConfig };
      stops.push(() => cluster.agent.stop());
      clusters.push(cluster);
    }
    return { url: central.url, email, password, central, ml, clusters, customerId: customer.customer_id, operator: { email: operatorEmail, password: operatorPassword }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
