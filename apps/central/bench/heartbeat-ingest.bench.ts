/**
 * Benchmark: heartbeat ingest — agent-key authentication + contract validation + the heartbeat upsert and the
 * settings read of POST /api/v1/client/heartbeat — against a bare Fastify POST route (JSON body parsed, a
 * constant answer) measured in the same process and run. Both through `inject` (no sockets: the ratio is the
 * server's own work). Interleaved rounds, median requests per second.
 *
 *   node --expose-gc --import tsx apps/central/bench/heartbeat-ingest.bench.ts
 *
 * Goal (issue #5): ratio ≥ 0.4. The last stdout line is one JSON object.
 */
import Fastify from 'fastify';
import { createTestCentral } from '../src/testing/test-central.ts';
import { benchTarget, heartbeatFor } from './bench-fixtures.ts';

const REQUESTS = 2000;
const ROUNDS = 5;
const CONCURRENCY = 8;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
};

async function rps(send: () => Promise<number>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const status = await send();
        if (status !== 200) throw new Error(`unexpected status ${status}`);
      }
    }),
  );
  return REQUESTS / ((performance.now() - started) / 1000);
}

const target = await benchTarget();
const central = await createTestCentral({ target, config: { RATE_LIMIT_PER_MINUTE: 10_000_000 } });
const { customerId } = await central.createCustomer();
const { clusterId, apiKey } = await central.registerCluster(customerId);
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const payload = JSON.stringify(heartbeatFor(clusterId, new Date(central.clock.now())));

const bare = Fastify({ logger: false });
bare.post('/bare', async () => ({ ok: true }));
await bare.ready();

const sendCentral = async () => (await central.app.inject({ method: 'POST', url: '/api/v1/client/heartbeat', headers, payload })).statusCode;
const sendBare = async () => (await bare.inject({ method: 'POST', url: '/bare', headers: { 'content-type': 'application/json' }, payload })).statusCode;

await rps(sendBare);
await rps(sendCentral);
const bareRuns: number[] = [];
const centralRuns: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  globalThis.gc?.();
  bareRuns.push(await rps(sendBare));
  globalThis.gc?.();
  centralRuns.push(await rps(sendCentral));
}
await bare.close();
await central.close();

const bareRps = Math.round(median(bareRuns));
const centralRps = Math.round(median(centralRuns));
const ratio = Math.round((centralRps / bareRps) * 1000) / 1000;
process.stderr.write(`heartbeat ingest on ${target.label}: ${centralRps} req/s vs bare ${bareRps} req/s → ${ratio}× (goal ≥ 0.4)\n`);
console.log(
  JSON.stringify({
    name: 'heartbeat-ingest',
    results: { database: target.label, requests_per_round: REQUESTS, rounds: ROUNDS, concurrency: CONCURRENCY, heartbeat_rps: centralRps, bare_post_rps: bareRps, heartbeat_rps_runs: centralRuns.map(Math.round), bare_rps_runs: bareRuns.map(Math.round) },
    ratios: { heartbeat_vs_bare_post: ratio },
    notes: 'in-process inject, 8 concurrent; heartbeat = agent key lookup (60 s cache, revocations over NOTIFY) + zod validation + heartbeat upsert + settings read',
  }),
);
