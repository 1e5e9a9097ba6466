/**
 * Benchmark: N simulated agents at the seed's cadence against central over real HTTP — task poll every 10 s,
 * heartbeat every 30 s, metrics every 60 s with 50 nodes / 500 pods — on PostgreSQL (when reachable). N grows
 * step by step; each step runs STEP_SECONDS after a warm-up; the answer is the largest N whose requests all
 * succeed with p99 < 100 ms. Agents start at random phases (seeded), so the load is spread as a real fleet's.
 *
 *   node --expose-gc --import tsx apps/central/bench/agent-load.bench.ts [maxAgents]
 *
 * The load generator (src/testing/agent-fleet.ts) runs in a worker thread (its own event loop) of the same process as central; on this
 * 2-core machine it competes with central and PostgreSQL for CPU, so the number is a floor. Goal (issue #5):
 * N ≥ 10,000. The last stdout line is one JSON object.
 */
import type { AddressInfo } from 'node:net';
import { startAgentFleet } from '../src/testing/agent-fleet.ts';
import { createTestCentral } from '../src/testing/test-central.ts';
import { benchTarget } from './bench-fixtures.ts';

const STEPS = [100, 250, 500, 1000, 2000, 4000, 7000, 10_000];
const MAX_AGENTS = Number(process.argv[2] ?? STEPS[STEPS.length - 1]);
const WARMUP_SECONDS = 10;
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 60);
const P99_LIMIT_MS = 100;

interface StepResult {
  agents: number;
  requests: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  p99_by_kind_ms: Record<string, number>;
  ok: boolean;
}

const target = await benchTarget();
const central = await createTestCentral({ target, config: { RATE_LIMIT_PER_MINUTE: 10_000_000 } });
await central.app.listen({ port: 0, host: '127.0.0.1' });
const baseUrl = `http://127.0.0.1:${(central.app.server.address() as AddressInfo).port}`;
const { customerId } = await central.createCustomer();

const agents: { clusterId: string; apiKey: string }[] = [];
const results: StepResult[] = [];
for (const n of STEPS.filter((s) => s <= MAX_AGENTS)) {
  while (agents.length < n) agents.push(await central.registerCluster(customerId, `load-${agents.length}`));
  process.stderr.write(`step: ${n} agents on ${target.label} …\n`);
  const step = await runStep(agents.slice(0, n));
  results.push(step);
  process.stderr.write(`  ${step.requests} requests, ${step.errors} errors, ${step.rps} req/s, p50 ${step.p50_ms} ms, p99 ${step.p99_ms} ms ${JSON.stringify(step.p99_by_kind_ms)}\n`);
  if (!step.ok) break;
}
await central.close();

const passed = results.filter((r) => r.ok);
const largest = passed.length ? (passed[passed.length - 1] as StepResult).agents : 0;
console.log(
  JSON.stringify({
    name: 'agent-load',
    results: { database: target.label, step_seconds: STEP_SECONDS, p99_limit_ms: P99_LIMIT_MS, largest_agents_ok: largest, steps: results },
    ratios: { largest_agents_vs_goal_10000: Math.round((largest / 10_000) * 1000) / 1000 },
    notes: 'real HTTP on loopback, keep-alive; generator in a worker thread of the same process; metrics 50 nodes / 500 pods',
  }),
);

async function runStep(fleet: { clusterId: string; apiKey: string }[]): Promise<StepResult> {
  const run = startAgentFleet({ baseUrls: [baseUrl], fleet, firstPhase: 'warm-up' });
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  run.mark('measured');
  await new Promise((r) => setTimeout(r, STEP_SECONDS * 1000));
  const { phases } = await run.stop();
  const m = phases.find((p) => p.phase === 'measured');
  if (!m) throw new Error('the fleet reported no measured phase');
  return { agents: fleet.length, requests: m.requests, errors: m.failed, rps: m.rps, p50_ms: m.p50_ms, p99_ms: m.p99_ms, p99_by_kind_ms: m.p99_by_kind_ms, ok: m.failed === 0 && m.p99_ms < P99_LIMIT_MS };
}
