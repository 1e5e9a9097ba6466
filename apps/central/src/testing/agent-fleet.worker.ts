/**
 * The load generator of the agent-load benchmarks (see agent-fleet.ts): each simulated agent polls tasks,
 * heartbeats and sends metrics at its cadence from a random (seeded) phase, over real HTTP with keep-alive.
 * Each agent talks to one replica (`baseUrls[i % n]`, as a load balancer would pin its connection); a request
 * that finds no server, times out or gets 502/503/504 is retried with backoff on the next replica, and the agent
 * stays on the replica that answered (a load balancer takes a dead target out of rotation). Every request is counted in the phase it started in (the parent marks phases).
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { AgentFleetOptions, FleetPhaseStats, FleetParentMessage } from './agent-fleet.ts';

const data = workerData as AgentFleetOptions & { metricsTemplate: string; heartbeatTemplate: string };
const urls = data.baseUrls.map((u) => new URL(u));
/** The replica each agent talks to. */
const pinned = data.fleet.map((_, i) => i % urls.length);
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const ZERO = '00000000-0000-0000-0000-000000000000';
let seed = data.seed ?? 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const RETRYABLE_STATUS = new Set([502, 503, 504]);

interface PhaseRecord {
  name: string;
  startedAt: number;
  latencies: Record<string, number[]>;
  requests: number;
  failed: number;
  retried: number;
  attempts_refused: number;
  refused_by: Record<string, number>;
  failures: Record<string, number>;
  lastRetryAt: number | undefined;
}

const phases: PhaseRecord[] = [];
function mark(name: string): void {
  phases.push({ name, startedAt: Date.now(), latencies: { poll: [], heartbeat: [], metrics: [] }, requests: 0, failed: 0, retried: 0, attempts_refused: 0, refused_by: {}, failures: {}, lastRetryAt: undefined });
}
mark(data.firstPhase ?? 'run');
let inFlight = 0;

/** One HTTP attempt: the status, or the network failure's name. */
function attempt(url: URL, method: string, path: string, apiKey: string, body: string | undefined): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent: httpAgent, timeout: data.timeoutMs ?? 10_000, headers: { authorization: `Bearer ${apiKey}`, ...(body && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'response error'));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    if (body) req.write(body);
    req.end();
  });
}

async function send(agentIndex: number, kind: string, method: string, path: string, apiKey: string, body?: string): Promise<void> {
  const phase = phases[phases.length - 1] as PhaseRecord;
  const t0 = performance.now();
  const retries = data.retries ?? 0;
  inFlight++;
  let outcome: number | string = 0;
  let tries = 0;
  for (; tries <= retries; tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, (data.retryBackoffMs ?? 250) * 2 ** (tries - 1)));
    const target = ((pinned[agentIndex] as number) + tries) % urls.length;
    outcome = await attempt(urls[target] as URL, method, path, apiKey, body);
    const retryable = typeof outcome === 'string' || RETRYABLE_STATUS.has(outcome);
    if (!retryable) {
      pinned[agentIndex] = target;
      break;
    }
    phase.attempts_refused++;
    phase.refused_by[String(outcome)] = (phase.refused_by[String(outcome)] ?? 0) + 1;
    phase.lastRetryAt = Date.now();
  }
  inFlight--;
  phase.requests++;
  const ok = typeof outcome === 'number' && outcome < 400;
  if (!ok) {
    phase.failed++;
    const key = `${kind} ${outcome}`;
    phase.failures[key] = (phase.failures[key] ?? 0) + 1;
  } else if (tries > 0) phase.retried++;
  phase.latencies[kind]?.push(performance.now() - t0);
}

const timers: NodeJS.Timeout[] = [];
function every(periodMs: number, fn: () => void): void {
  const first = setTimeout(() => {
    fn();
    timers.push(setInterval(fn, periodMs));
  }, random() * periodMs);
  timers.push(first);
}

const periods = { poll: 10_000, heartbeat: 30_000, metrics: 60_000, ...data.periodsMs };
data.fleet.forEach((a, i) => {
  const stamp = (template: string) => template.replaceAll(ZERO, a.clusterId).replace(/"timestamp":"[^"]*"/, `"timestamp":"${new Date().toISOString()}"`);
  every(periods.poll, () => void send(i, 'poll', 'GET', '/api/v1/client/tasks?max=10', a.apiKey));
  every(periods.heartbeat, () => void send(i, 'heartbeat', 'POST', '/api/v1/client/heartbeat', a.apiKey, stamp(data.heartbeatTemplate)));
  every(periods.metrics, () => void send(i, 'metrics', 'POST', '/api/v1/client/metrics', a.apiKey, stamp(data.metricsTemplate)));
});

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((x, y) => x - y);
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) * 10) / 10;
};

function summary(p: PhaseRecord, endedAt: number): FleetPhaseStats {
  const all = Object.values(p.latencies).flat();
  const seconds = Math.max(0.001, (endedAt - p.startedAt) / 1000);
  return {
    phase: p.name,
    seconds: Math.round(seconds * 10) / 10,
    requests: p.requests,
    rps: Math.round(p.requests / seconds),
    failed: p.failed,
    retried: p.retried,
    attempts_refused: p.attempts_refused,
    refused_by: p.refused_by,
    failures: p.failures,
    last_retry_after_ms: p.lastRetryAt === undefined ? null : p.lastRetryAt - p.startedAt,
    p50_ms: pct(all, 0.5),
    p99_ms: pct(all, 0.99),
    max_ms: pct(all, 1),
    p99_by_kind_ms: Object.fromEntries(Object.entries(p.latencies).map(([k, v]) => [k, pct(v, 0.99)])),
  };
}

parentPort?.on('message', (m: FleetParentMessage) => {
  if (m.type === 'mark') return mark(m.phase);
  for (const t of timers) clearTimeout(t);
  const endedAt = Date.now();
  // In-flight requests (and their retries) finish before the report.
  const waitUntil = Date.now() + 30_000;
  const report = () => {
    if (inFlight > 0 && Date.now() < waitUntil) return void setTimeout(report, 50);
    parentPort?.postMessage({ phases: phases.map((p, i) => summary(p, phases[i + 1]?.startedAt ?? endedAt)), unfinished: inFlight });
    httpAgent.destroy();
  };
  report();
});
