/**
 * Simulator at scale: 1,000 nodes and 10,000 pods at 60× real time, with a client watching all pods
 * (@kubernetes/client-node `Watch`, the way the agent will). The simulator runs in its own process
 * (`cloudoptim sim --scenario <generated file>`), so its CPU share and memory are measured from /proc without
 * the watching client's own work. Watch latency: the client patches a pod label over HTTP and times the
 * MODIFIED event that carries it. Baseline: the same measurements on the small `steady` scenario (6 nodes,
 * 20 pods), in the same run. The last stdout line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';

const SPEED = 60;
const MEASURE_MS = 30_000;
const PROBES = 100;
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(repoRoot, 'apps/cli/bin/cloudoptim.mjs');

function largeScenario(file: string): void {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'];
  const types = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge', 'c5.2xlarge'];
  const nodes = zones.flatMap((zone) => types.map((t, i) => ({ instance_type: t, capacity_type: i % 2 ? 'spot' : 'on-demand', zone, count: 50 })));
  const workloads = Array.from({ length: 50 }, (_, i) => ({
    kind: 'Deployment',
    namespace: `team-${i % 10}`,
    name: `svc-${i}`,
    replicas: 200,
    labels: { app: `svc-${i}` },
    containers: [{ name: 'app', cpu_request: '100m', memory_request: '128Mi', usage: { profile: 'daily', base_fraction: 0.2, peak_fraction: 0.7, peak_hour: 14, memory_fraction: 0.6 } }],
    pdb: { max_unavailable: '10%' },
  }));
  fs.writeFileSync(file, JSON.stringify({ name: 'scale', region: 'us-east-1', history_start: '2021-04-05T00:00:00Z', seed: 5, nodes, workloads }));
}

interface Started {
  child: ChildProcess;
  endpoints: { kubeconfig: string; kube_api_url: string };
}

async function startSim(scenario: string, stateDir: string): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'sim', '--json', '--speed', String(SPEED), '--scenario', scenario, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const endpoints = await new Promise<Started['endpoints']>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`sim exited with ${code}`)));
  });
  return { child, endpoints };
}

function procStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

async function measure(label: string, scenario: string, expectPods: number) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `sim-bench-${label.replace(/[^a-z0-9]+/gi, "-")}-`));
  const t0 = performance.now();
  const { child, endpoints } = await startSim(scenario, stateDir);
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(endpoints.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    // Wait until the workload runs.
    let running = 0;
    for (;;) {
      const pods = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' });
      running = pods.items.length;
      if (running >= expectPods) break;
      if (performance.now() - t0 > 300_000) throw new Error(`${label}: only ${running}/${expectPods} pods running after 300 s`);
      await sleep(1000);
    }
    const settleMs = performance.now() - t0;
    console.log(`${label}: ${running} pods running after ${(settleMs / 1000).toFixed(1)} s`);

    // Watch all pods; probe latency with label patches.
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    let events = 0;
    const watch = new k8s.Watch(kc);
    const req = await watch.watch('/api/v1/pods', { allowWatchBookmarks: true }, (_type, obj: k8s.V1Pod) => {
      events++;
      const probe = obj.metadata?.labels?.['bench-probe'];
      const at = probe ? sent.get(probe) : undefined;
      if (probe && at !== undefined) {
        latencies.push(performance.now() - at);
        sent.delete(probe);
      }
    }, () => {});
    await sleep(2000); // let the initial ADDED burst pass
    const pods = (await core.listPodForAllNamespaces({ limit: PROBES })).items;
    const before = procStats(child.pid as number);
    const started = performance.now();
    events = 0;
    for (let i = 0; i < PROBES; i++) {
      const pod = pods[i % pods.length] as k8s.V1Pod;
      const probe = `p${i}`;
      sent.set(probe, performance.now());
      await core.patchNamespacedPod(
        { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { metadata: { labels: { 'bench-probe': probe } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await sleep(MEASURE_MS / PROBES);
    }
    await sleep(1000);
    const elapsedS = (performance.now() - started) / 1000;
    const after = procStats(child.pid as number);
    req.abort();
    const result = {
      settle_s: settleMs / 1000,
      cpu_cores: (after.cpuSeconds - before.cpuSeconds) / elapsedS,
      rss_mb: after.rssMb,
      watch_events_per_s: events / elapsedS,
      latency_p50_ms: percentile(latencies, 0.5),
      latency_p95_ms: percentile(latencies, 0.95),
      latency_max_ms: Math.max(...latencies),
      probes_delivered: latencies.length,
      probes_sent: PROBES,
    };
    console.log(`${label}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scale-')), 'scale.json');
largeScenario(file);
const small = await measure('steady (6 nodes)', 'steady', 15);
const large = await measure('1,000 nodes / 10,000 pods', file, 10_000);
console.log(
  JSON.stringify({
    name: 'simulator-scale',
    results: {
      speed: SPEED,
      nodes: 1000,
      pods: 10_000,
      large,
      small,
      goal_under_one_core: large.cpu_cores < 1,
      goal_watch_within_100ms: large.latency_p95_ms <= 100,
    },
    ratios: {
      cpu_large_vs_small: large.cpu_cores / small.cpu_cores,
      latency_p50_large_vs_small: large.latency_p50_ms / small.latency_p50_ms,
    },
    notes: 'simulator in its own process (cloudoptim sim); CPU share and RSS from /proc over a 30 s window of steady state; watch latency = label patch sent → MODIFIED event received by a client-node Watch on all pods; 2 shared cores',
  }),
);
