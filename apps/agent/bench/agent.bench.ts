/**
 * The agent at scale: 1,000 nodes and 10,000 pods in the simulator (`cloudoptim sim` in its own process, 10×
 * real time), the agent in its own process as the container runs it (apps/agent/src/entry.ts bundled with
 * esbuild as in deploy/docker/agent.Dockerfile, the heap flags of deploy/agent/deployment.yaml), a FakeCentral
 * in this process.
 *
 * Measured from /proc over a window of steady state that holds two metrics snapshots (default intervals:
 * metrics 60 s, heartbeat 30 s, poll 10 s): the agent's average CPU and its RSS (end and peak, sampled every
 * second). Then urgent drains pushed over the WebSocket one after another: push → first eviction (a pod of that
 * node marked for deletion, seen by a Watch here), p50/p99. Baseline in the same run: the `steady` scenario
 * (6 nodes). Goals: RSS ≤ 128 MiB, CPU ≤ 100 m on average, urgent drain → first eviction p99 ≤ 1 s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { freePort } from '@cloudoptim/runtime';
import { FakeCentral } from '../src/testing/fake-central.ts';

const SPEED = 10;
/** The heap settings of deploy/agent/deployment.yaml (NODE_OPTIONS; MALLOC_ARENA_MAX is set as there too). */
const NODE_FLAGS = ['--max-old-space-size=64', '--max-semi-space-size=2'];
const API_KEY = 'co_bench_agent_key_0001';
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(repoRoot, 'apps/cli/bin/cloudoptim.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? Number.NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function largeScenario(file: string): void {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'];
  const types = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge', 'c5.2xlarge'];
  const nodes = zones.flatMap((zone) => types.map((t, i) => ({ instance_type: t, capacity_type: i % 2 ? 'spot' : 'on-demand', zone, count: 50 })));
  const workloads = Array.from({ length: 50 }, (_, i) => ({
    kind: 'Deployment', namespace: `team-${i % 10}`, name: `svc-${i}`, replicas: 200, labels: { app: `svc-${i}` },
    containers: [{ name: 'app', cpu_request: '100m', memory_request: '128Mi', usage: { profile: 'daily', base_fraction: 0.2, peak_fraction: 0.7, peak_hour: 14, memory_fraction: 0.6 } }],
    pdb: { max_unavailable: '10%' },
  }));
  fs.writeFileSync(file, JSON.stringify({ name: 'agent-scale', region: 'us-east-1', history_start: '2021-04-05T00:00:00Z', seed: 5, nodes, workloads }));
}

/** Bundles the agent as the Dockerfile does; node_modules is linked next to it so the externals resolve. */
function bundleAgent(dir: string): string {
  const out = path.join(dir, 'agent.mjs');
  const r = spawnSync(path.join(repoRoot, 'node_modules/.bin/esbuild'), [
    'apps/agent/src/entry.ts', '--bundle', '--minify', '--platform=node', '--target=node20', '--format=esm', `--outfile=${out}`, '--log-level=warning',
    ...['ws', 'zod', 'pino', 'prom-client'].map((p) => `--external:${p}`),
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  ], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return out;
}

async function startSim(scenario: string, stateDir: string): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, [cli, 'sim', '--json', '--speed', String(SPEED), '--scenario', scenario, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { kubeconfig: string }).kubeconfig);
    });
    child.on('exit', (code) => reject(new Error(`sim exited with ${code}`)));
  });
  return { child, kubeconfig };
}

function procStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Measured {
  settle_s: number;
  first_sample_s: number;
  cpu_millicores: number;
  rss_mb: number;
  rss_peak_mb: number;
  metrics_sample_mb: number;
  window_s: number;
  drains?: { pushed: number; first_eviction_p50_ms: number; first_eviction_p99_ms: number; first_eviction_max_ms: number; drained: number };
}

async function measure(label: string, scenario: string, expectPods: number, windowMs: number, drains: number): Promise<Measured> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `agent-bench-${label.replace(/[^a-z0-9]+/gi, '-')}-`));
  const t0 = performance.now();
  const sim = await startSim(scenario, path.join(work, 'sim'));
  let agent: ChildProcess | undefined;
  const central = await FakeCentral.start({ apiKey: API_KEY, validate: false });
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (;;) {
      const running = (await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' })).items.length;
      if (running >= expectPods) break;
      if (performance.now() - t0 > 600_000) throw new Error(`${label}: pods not running after 600 s`);
      await sleep(2000);
    }
    const settleS = (performance.now() - t0) / 1000;

    const bundle = bundleAgent(work);
    const started = performance.now();
    agent = spawn(process.execPath, [...NODE_FLAGS, bundle], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env['PATH'], CENTRAL_SERVER_URL: central.url, CLUSTER_ID: 'cl-bench', CENTRAL_API_KEY: API_KEY, AGENT_ID: `bench-${label.replace(/[^a-z0-9]+/gi, '-')}`,
        KUBECONFIG: sim.kubeconfig, HEALTH_CHECK_PORT: String(await freePort()), LOG_LEVEL: 'warn', MALLOC_ARENA_MAX: '2',
      },
    });
    await until(() => central.metrics.length >= 1, 'the first metrics sample', 180_000);
    const firstSampleS = (performance.now() - started) / 1000;
    console.log(`${label}: pods running after ${settleS.toFixed(1)} s; first sample ${firstSampleS.toFixed(1)} s after the agent started (${central.metrics[0]?.pods.length} pods)`);

    const pid = agent.pid as number;
    const before = procStats(pid);
    const windowStart = performance.now();
    let peak = before.rssMb;
    while (performance.now() - windowStart < windowMs) {
      await sleep(1000);
      peak = Math.max(peak, procStats(pid).rssMb);
    }
    const after = procStats(pid);
    const windowS = (performance.now() - windowStart) / 1000;
    const last = central.metrics.at(-1)!;
    const result: Measured = {
      settle_s: round(settleS),
      first_sample_s: round(firstSampleS),
      cpu_millicores: round(((after.cpuSeconds - before.cpuSeconds) / windowS) * 1000),
      rss_mb: round(after.rssMb),
      rss_peak_mb: round(peak),
      metrics_sample_mb: round(JSON.stringify(last).length / 2 ** 20, 2),
      window_s: round(windowS),
    };

    if (drains > 0) {
      const pods = (await core.listPodForAllNamespaces({})).items;
      const perNode = new Map<string, number>();
      for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      const targets = [...perNode].filter(([, n]) => n >= 3).map(([n]) => n).slice(0, drains);
      const firstEviction = new Map<string, number>();
      const watch = await new k8s.Watch(kc).watch('/api/v1/pods', {}, (type: string, obj: k8s.V1Pod) => {
        const node = obj.spec?.nodeName;
        if (!node || firstEviction.has(node)) return;
        if (type === 'DELETED' || (type === 'MODIFIED' && obj.metadata?.deletionTimestamp)) firstEviction.set(node, performance.now());
      }, () => {});
      await sleep(2000);
      const pushedAt = new Map<string, number>();
      const latencies: number[] = [];
      for (const [i, node] of targets.entries()) {
        const now = new Date();
        const task = {
          task_id: `bench-drain-${i}`, cluster_id: 'cl-bench', task_type: 'drain_node' as const, priority: 1, created_by: 'spot-handler',
          created_at: now.toISOString(), deadline: new Date(now.getTime() + 120_000).toISOString(), attempt: 1,
          parameters: { node_name: node, instance_id: null, grace_period_seconds: null, timeout_seconds: 110, respect_pdb: true, ignore_daemonsets: true, delete_emptydir_data: true, include_do_not_disrupt: true, force: true },
        };
        pushedAt.set(node, performance.now());
        central.send({ type: 'urgent_drain', task, interruption_time: new Date(now.getTime() + 120_000).toISOString() });
        await until(() => firstEviction.has(node), `the first eviction on ${node}`, 30_000);
        latencies.push(firstEviction.get(node)! - pushedAt.get(node)!);
        await sleep(1500);
      }
      await until(() => targets.every((_, i) => central.results.some((r) => r.task_id === `bench-drain-${i}`)), 'the drain results', 180_000);
      watch.abort();
      result.drains = {
        pushed: targets.length,
        first_eviction_p50_ms: round(percentile(latencies, 0.5)),
        first_eviction_p99_ms: round(percentile(latencies, 0.99)),
        first_eviction_max_ms: round(Math.max(...latencies)),
        drained: central.results.filter((r) => r.task_id.startsWith('bench-drain-') && r.status === 'success').length,
      };
    }
    console.log(`${label}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    await central.close();
    sim.child.kill('SIGTERM');
    await new Promise((r) => sim.child.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const scenarioFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-scale-')), 'scale.json');
largeScenario(scenarioFile);
const small = await measure('steady (6 nodes)', 'steady', 15, 65_000, 5);
const large = await measure('1,000 nodes / 10,000 pods', scenarioFile, 10_000, 125_000, 30);
console.log(
  JSON.stringify({
    name: 'agent',
    results: {
      sim_speed: SPEED,
      nodes: 1000,
      pods: 10_000,
      large,
      small,
      goal_rss_within_128mib: large.rss_peak_mb <= 128 * 1.048576,
      goal_cpu_within_100m: large.cpu_millicores <= 100,
      goal_urgent_drain_p99_within_1s: (large.drains?.first_eviction_p99_ms ?? Infinity) <= 1000,
    },
    ratios: {
      cpu_large_vs_small: round(large.cpu_millicores / small.cpu_millicores, 2),
      rss_peak_large_vs_small: round(large.rss_peak_mb / small.rss_peak_mb, 2),
      first_eviction_p50_large_vs_small: round((large.drains?.first_eviction_p50_ms ?? 0) / (small.drains?.first_eviction_p50_ms ?? 1), 2),
    },
    notes: `agent bundled as in its image, in its own process; simulator (cloudoptim sim, ${SPEED}× real time) in another; FakeCentral in the bench process; CPU and RSS from /proc over a steady window holding two 60 s metrics snapshots; urgent drain latency = urgent_drain frame sent → first pod of the node marked for deletion (client-node Watch); 2 shared cores; Node ${process.version}`,
  }),
);
