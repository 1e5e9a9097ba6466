/**
 * Benchmark: the chaos scenarios (apps/cli/src/chaos) over N seeds — env RELIABILITY_RUNS, default 5. Each seed
 * starts the whole product once (steady scenario, automate mode, on a SteppedClock) and runs every scenario on
 * it, each followed by the consistency checker. Prints one progress line per scenario run, then a table
 * (scenario, runs, failures, what failed) and ends with one JSON line.
 *
 *   RELIABILITY_RUNS=5 node --import tsx apps/cli/bench/reliability.bench.ts
 *
 * Part 2 of issue #11 (two central replicas on one PostgreSQL, one killed under agent load) is not in here yet.
 */
import { CHAOS_SCENARIOS, runChaosSuite, type ChaosOutcome } from '../src/chaos/chaos-scenarios.ts';

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 5);
const FIRST_SEED = Number(process.env.RELIABILITY_FIRST_SEED ?? 1);

const started = Date.now();
const outcomes: ChaosOutcome[] = [];
for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
  try {
    await runChaosSuite(seed, CHAOS_SCENARIOS, (o) => {
      outcomes.push(o);
      console.log(`seed ${seed} ${o.scenario}: ${o.report.ok ? 'ok' : `FAILED ${o.report.failures.join('; ')}`} (${o.sim_minutes} sim min, ${o.real_ms} ms real)`);
    });
  } catch (error) {
    // The stack itself did not start or stop: every scenario not run counts as failed for this seed.
    const text = error instanceof Error ? error.message : String(error);
    console.log(`seed ${seed}: suite failed: ${text}`);
    for (const s of CHAOS_SCENARIOS) {
      if (!outcomes.some((o) => o.seed === seed && o.scenario === s.name)) outcomes.push({ scenario: s.name, seed, report: { ok: false, failures: [`suite: ${text}`], facts: { tasks: 0, open_tasks: 0, interruption_warnings: 0, spot_events: 0, pods_lost: 0, nodes: 0, lease_samples: 0 } }, notes: {}, sim_minutes: 0, real_ms: 0 });
    }
  }
}

const table = CHAOS_SCENARIOS.map((s) => {
  const runs = outcomes.filter((o) => o.scenario === s.name);
  const failed = runs.filter((o) => !o.report.ok);
  return {
    scenario: s.name,
    fault: s.fault,
    runs: runs.length,
    failures: failed.length,
    failed_invariants: [...new Set(failed.flatMap((o) => o.report.failures.map((f) => f.split(':')[0] ?? f)))],
    what_failed: failed.map((o) => `seed ${o.seed}: ${o.report.failures.join('; ').slice(0, 300)}`),
    pods_lost_expected: runs.reduce((n, o) => n + (o.notes.pods_lost_expected ? o.report.facts.pods_lost : 0), 0),
    real_ms_median: runs.map((o) => o.real_ms).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? 0,
  };
});
console.log('scenario | runs | failures | what failed');
for (const row of table) console.log(`${row.scenario} | ${row.runs} | ${row.failures} | ${row.failed_invariants.join(', ') || '—'}`);
const total = outcomes.length;
const failures = outcomes.filter((o) => !o.report.ok).length;
console.log(
  JSON.stringify({
    name: 'reliability',
    results: { runs_per_scenario: RUNS, first_seed: FIRST_SEED, scenarios: table, real_seconds: Math.round((Date.now() - started) / 1000) },
    ratios: { pass_rate: total ? Math.round(((total - failures) / total) * 1000) / 1000 : 0 },
    notes: 'one stack per seed (steady, automate, SteppedClock); scenarios in sequence on it; consistency checker after each',
  }),
);
process.exit(0);
