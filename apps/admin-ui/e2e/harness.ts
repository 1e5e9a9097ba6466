/**
 * The end-to-end harness: builds the admin UI once (Vite's JS API, into a temp dir), starts the ML server and
 * central in this process (PGlite in temp dirs, free ports, workers off, central serving the build), a
 * simulated AWS region for the gap filler's EC2 calls, and seeds data through the real APIs — a customer and
 * a cluster through the admin API, metrics and a heartbeat through the client API with the cluster's key — so
 * the pages have content. Then a headless Chromium drives the UI.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { defaultCentralConfig, startCentral, type StartedCentral } from '@cloudoptim/central';
import { exampleClusterMetrics, exampleHeartbeat, exampleNodeMetric, type ClusterMetrics } from '@cloudoptim/contracts';
import { loadMarket } from '@cloudoptim/market';
import { MlServerConfigSchema, startMlServer, type StartedMlServer } from '@cloudoptim/ml-server';
import { silentLogger, SystemClock } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';

export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN_EMAIL = 'operator@cloudoptim.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';
const ML_KEY = 'e2e-ml-service-key-0123456789';
const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SeededCluster {
  customerId: string;
  clusterId: string;
  apiKey: string;
}

export interface Harness {
  /** Central's URL, which serves the UI at `/`. */
  url: string;
  browser: Browser;
  page: Page;
  central: StartedCentral;
  seeded: SeededCluster;
  /** Calls central's API as the operator (bearer token). */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Posts a metrics report for the seeded cluster with its agent key. */
  postMetrics(metrics: ClusterMetrics): Promise<void>;
  close(): Promise<void>;
}

/** The seeded cluster's metrics: the contract's example cluster, reported now, with `extraNodes` more on-demand nodes. */
export function clusterMetrics(clusterId: string, extraNodes = 0): ClusterMetrics {
  const base = exampleClusterMetrics({ cluster_id: clusterId, timestamp: new Date().toISOString() });
  const extra = Array.from({ length: extraNodes }, (_, i) =>
    exampleNodeMetric({ node_name: `ip-10-0-9-${i + 10}.ec2.internal`, instance_id: `i-0e2e000000000000${i}`, node_type: 'on-demand', pod_count: 0, cpu_allocated_millicores: 0, memory_allocated_bytes: 0, labels: { 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/zone': 'us-east-1a', 'karpenter.sh/capacity-type': 'on-demand' } }),
  );
  return { ...base, nodes: [...base.nodes, ...extra], total_nodes: base.total_nodes + extraNodes, on_demand_nodes: base.on_demand_nodes + extraNodes, total_cpu_cores: base.total_cpu_cores + extraNodes * 3.92 };
}

async function buildUi(outDir: string): Promise<void> {
  await build({ root: UI_ROOT, configFile: join(UI_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudoptim-e2e-'));
  const uiDir = join(dir, 'ui');
  mkdirSync(join(dir, 'ml'));
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const market = loadMarket();
    const [, priceHistory] = await Promise.all([buildUi(uiDir), market.spotPriceHistory()]);
    const endpoint = aws.createAwsEndpoint({ clock: new SystemClock(), market, priceHistory, seed: 1, shortages: null, interruptions: { sample: false } });
    const awsUrl = (await endpoint.start()).url;
    closers.push(() => endpoint.stop());
    const credentials = endpoint.credentials;
    const mlConfig = { ...MlServerConfigSchema.parse({ ML_SERVER_API_KEY: ML_KEY, AWS_ENDPOINT_URL: awsUrl, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }), PORT: 0, HOST: '127.0.0.1', ML_SERVER_DATA_DIR: join(dir, 'ml') };
    const ml: StartedMlServer = await startMlServer(mlConfig, { log: silentLogger });
    closers.push(() => ml.close());
    const config = defaultCentralConfig({
      PORT: 0,
      HOST: '127.0.0.1',
      CLOUDOPTIM_DATA_DIR: join(dir, 'db'),
      CLOUDOPTIM_UI_DIR: uiDir,
      CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CLOUDOPTIM_WORKERS: 'off',
      ML_SERVER_URL: ml.url,
      ML_SERVER_API_KEY: ML_KEY,
    });
    const central = await startCentral(config, { log: silentLogger });
    closers.push(() => central.close());
    const url = central.url.replace('0.0.0.0', '127.0.0.1');

    const request = async <T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> => {
      const res = await fetch(url + path, { method, headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const { token } = await request<{ token: string }>('POST', '/api/v1/auth/login', null, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const admin = <T>(method: string, path: string, body?: unknown) => request<T>(method, path, token, body);

    const customer = await admin<{ customer_id: string }>('POST', '/api/v1/admin/customers', { company_name: 'Acme Retail', email: 'platform@acme.test' });
    const cluster = await admin<{ cluster_id: string; api_key: string }>('POST', '/api/v1/admin/clusters', { cluster_name: 'prod-us-east-1', region: 'us-east-1', customer_id: customer.customer_id });
    const seeded = { customerId: customer.customer_id, clusterId: cluster.cluster_id, apiKey: cluster.api_key };
    const postMetrics = async (metrics: ClusterMetrics) => void (await request('POST', '/api/v1/client/metrics', seeded.apiKey, metrics));
    await request('POST', '/api/v1/client/heartbeat', seeded.apiKey, exampleHeartbeat({ cluster_id: seeded.clusterId, timestamp: new Date().toISOString(), last_metrics_at: null }));
    await postMetrics(clusterMetrics(seeded.clusterId));
    await admin('POST', `/api/v1/admin/clusters/${seeded.clusterId}/cost-samples`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
    closers.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // Shorter than the test timeout, so a missing element fails with Playwright's call log.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => console.error(`browser: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && console.error(`browser console: ${message.text()}`));
    return { url, browser, page, central, seeded, admin, postMetrics, close };
  } catch (error) {
    await close();
    throw error;
  }
}
