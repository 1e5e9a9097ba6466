/**
 * The load generator of agent-load.bench.ts: each agent polls tasks every 10 s, heartbeats every 30 s and sends
 * metrics every 60 s, from a random (seeded) phase. Latencies are recorded after the warm-up only.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

interface Data {
  baseUrl: string;
  fleet: { clusterId: string; apiKey: string }[];
  metricsTemplate: string;
  heartbeatTemplate: string;
  warmupSeconds: number;
  stepSeconds: number;
}

const data = workerData as Data;
const url = new URL(data.baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const ZERO = '00000000-0000-0000-0000-000000000000';
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);

const latencies: Record<string, number[]> = { poll: [], heartbeat: [], metrics: [] };
let errors = 0;
let requests = 0;
const started = Date.now();
const recordFrom = started + data.warmupSeconds * 1000;
const endAt = recordFrom + data.stepSeconds * 1000;

function send(kind: string, method: string, path: string, apiKey: string, body?: string): void {
  const t0 = performance.now();
  const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers: { authorization: `Bearer ${apiKey}`, ...(body && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) } }, (res) => {
    res.resume();
    res.on('end', () => {
      if (Date.now() < recordFrom) return;
      requests++;
      if ((res.statusCode ?? 0) >= 400) errors++;
      latencies[kind]?.push(performance.now() - t0);
    });
  });
  req.on('error', () => {
    if (Date.now() >= recordFrom) errors++;
  });
  if (body) req.write(body);
  req.end();
}

const timers: NodeJS.Timeout[] = [];
function every(periodMs: number, fn: () => void): void {
  const first = setTimeout(() => {
    fn();
    timers.push(setInterval(fn, periodMs));
  }, random() * periodMs);
  timers.push(first);
}

for (const a of data.fleet) {
  const stamp = (template: string) => template.replaceAll(ZERO, a.clusterId).replace(/"timestamp":"[^"]*"/, `"timestamp":"${new Date().toISOString()}"`);
  every(10_000, () => send('poll', 'GET', '/api/v1/client/tasks?max=10', a.apiKey));
  every(30_000, () => send('heartbeat', 'POST', '/api/v1/client/heartbeat', a.apiKey, stamp(data.heartbeatTemplate)));
  every(60_000, () => send('metrics', 'POST', '/api/v1/client/metrics', a.apiKey, stamp(data.metricsTemplate)));
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((x, y) => x - y);
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) * 10) / 10;
};

setTimeout(() => {
  for (const t of timers) clearTimeout(t);
  // Let in-flight requests finish before reporting.
  setTimeout(() => {
    const all = Object.values(latencies).flat();
    parentPort?.postMessage({
      agents: data.fleet.length,
      requests,
      errors,
      rps: Math.round(requests / data.stepSeconds),
      p50_ms: pct(all, 0.5),
      p99_ms: pct(all, 0.99),
      p99_by_kind_ms: Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, pct(v, 0.99)])),
    });
    agent.destroy();
  }, 2000);
}, endAt - Date.now());
