/**
 * The sections of the reliability benchmark (reliability-report.ts says what a section is). Adding one means
 * writing one `ReliabilitySection` and listing it in {@link RELIABILITY_SECTIONS}; its block in BENCHMARKS.md is
 * created on its first run.
 *
 * - `chaos`: the chaos scenarios (chaos-scenarios.ts) over RELIABILITY_RUNS seeds, consistency checker after each.
 * - `fuzz-http`: every HTTP route of central fuzzed on PGlite, FUZZ_RUNS bad and FUZZ_RUNS hostile requests per
 *   route (the suite in `npm test` sends 30 and 18).
 * - `fuzz-eventbridge`: the spot handler fed 20 × FUZZ_RUNS generated SQS batches on PGlite (`npm test`: 60); a batch
 *   costs a few milliseconds against a few for each HTTP request, so 20 × keeps the two runs of similar length.
 * - `replica-failover`, `postgres-restart`, `process-kills`: real processes killed under load or mid-interruption
 *   (reliability-process-sections.ts).
 */
import { fuzzEventBridgeParser } from '@cloudoptim/central/fuzzing/eventbridge';
import { fuzzAllRoutes, startHttpRouteFuzzer, type HttpFuzzProgress, type HttpFuzzTally } from '@cloudoptim/central/fuzzing/http-routes';
import { CHAOS_SCENARIOS, runChaosSuite, type ChaosOutcome } from './chaos-scenarios.ts';
import { postgresRestartSection, processKillsSection, replicaFailoverSection } from './reliability-process-sections.ts';
import type { ReliabilitySection } from './reliability-report.ts';

const EMPTY_FACTS = { tasks: 0, open_tasks: 0, interruption_warnings: 0, spot_events: 0, pods_lost: 0, nodes: 0, lease_samples: 0 };
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const count = (n: number) => n.toLocaleString('en-US');
/** Markdown: the paragraphs, then the items as a list (what failed, first problems). */
const paragraphs = (texts: string[], items: string[] = []) => [...texts, ...(items.length ? [items.map((i) => `- ${i}`).join('\n')] : [])].join('\n\n');

export const chaosSection: ReliabilitySection = {
  name: 'chaos',
  async run({ knobs, progress }) {
    const { runs, firstSeed } = knobs;
    const outcomes: ChaosOutcome[] = [];
    const startups: number[] = [];
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      try {
        await runChaosSuite(seed, CHAOS_SCENARIOS, (o) => {
          outcomes.push(o);
          if (typeof o.notes.startup_real_ms === 'number' && o.notes.startup_real_ms > 0) startups.push(o.notes.startup_real_ms);
          progress(`chaos seed ${seed} ${o.scenario}: ${o.report.ok ? 'ok' : `FAILED ${o.report.failures.join('; ')}`} (${o.sim_minutes} sim min, ${o.real_ms} ms real)`);
        });
      } catch (error) {
        // The stack itself did not start or stop: every scenario not run counts as failed for this seed.
        const text = error instanceof Error ? error.message : String(error);
        progress(`chaos seed ${seed}: suite failed: ${text}`);
        for (const s of CHAOS_SCENARIOS) {
          if (!outcomes.some((o) => o.seed === seed && o.scenario === s.name)) outcomes.push({ scenario: s.name, seed, report: { ok: false, failures: [`suite: ${text}`], facts: EMPTY_FACTS }, notes: {}, sim_minutes: 0, real_ms: 0 });
        }
      }
    }
    const scenarios = CHAOS_SCENARIOS.map((s) => {
      const ran = outcomes.filter((o) => o.scenario === s.name);
      const failed = ran.filter((o) => !o.report.ok);
      return {
        scenario: s.name,
        fault: s.fault,
        runs: ran.length,
        failures: failed.length,
        failed_invariants: [...new Set(failed.flatMap((o) => o.report.failures.map((f) => f.split(':')[0] ?? f)))],
        what_failed: failed.map((o) => `seed ${o.seed}: ${o.report.failures.join('; ').slice(0, 300)}`),
        pods_lost_expected: ran.reduce((n, o) => n + (o.notes.pods_lost_expected ? o.report.facts.pods_lost : 0), 0),
        real_ms_median: ran.map((o) => o.real_ms).sort((a, b) => a - b)[Math.floor(ran.length / 2)] ?? 0,
      };
    });
    const total = outcomes.length;
    const failures = outcomes.filter((o) => !o.report.ok).length;
    const startupMedian = startups.sort((a, b) => a - b)[Math.floor(startups.length / 2)];
    return {
      title: 'Chaos scenarios over seeds',
      parameters: `RELIABILITY_RUNS=${runs} (${runs === 1 ? `seed ${firstSeed}` : `seeds ${firstSeed}–${firstSeed + runs - 1}`}), one stack per seed`,
      columns: ['scenario', 'fault', 'runs', 'failures', 'what failed', 'pods lost, expected (not counted)', 'median real s'],
      rows: scenarios.map((s) => [s.scenario, s.fault, s.runs, s.failures, s.failed_invariants.join(', ') || '—', s.pods_lost_expected, seconds(s.real_ms_median)]),
      summary: paragraphs(
        [`Pass rate ${total - failures} / ${total}.${startupMedian !== undefined ? ` Starting the stack took ${seconds(startupMedian)} s (median).` : ''}`],
        scenarios.flatMap((s) => s.what_failed.map((w) => `${s.scenario}, ${w}`)),
      ),
      ok: total > 0 && failures === 0,
      results: { runs_per_scenario: runs, first_seed: firstSeed, scenarios, pass_rate: total ? Math.round(((total - failures) / total) * 1000) / 1000 : 0 },
    };
  },
};

export const httpFuzzSection: ReliabilitySection = {
  name: 'fuzz-http',
  async run({ knobs, progress }) {
    const started = Date.now();
    const fuzzer = await startHttpRouteFuzzer({ name: 'pglite' });
    try {
      const onBatch = (p: HttpFuzzProgress) =>
        progress(`fuzz-http ${p.part}: routes ${p.routesDone}/${p.routesTotal}: ${p.tally.sent} requests, 2xx ${p.tally.success2xx}, 4xx ${p.tally.client4xx}, 5xx ${p.tally.server5xx}, broken rules ${p.tally.problems}, crashes ${p.tally.crashes} (${seconds(Date.now() - started)} s)`);
      const bad = await fuzzAllRoutes(fuzzer, { part: 'bad', requestsPerRoute: knobs.fuzzRuns, seed: knobs.fuzzSeed, onBatch });
      const afterBad = await fuzzer.stateChanges();
      const hostile = await fuzzAllRoutes(fuzzer, { part: 'hostile', requestsPerRoute: knobs.fuzzRuns, seed: knobs.fuzzSeed + 1, onBatch });
      const tenantAfterHostile = await fuzzer.tenantChanges();
      const notServing = await fuzzer.stillServes();
      const badChanges = [...afterBad.tables.map((t) => `rows of ${t}`), ...afterBad.tenant.map((t) => `the tenant's ${t}`)];
      const hostileChanges = tenantAfterHostile.map((t) => `the first tenant's ${t}`);
      const row = (part: string, routes: number, t: HttpFuzzTally, changes: string[]) => [part, routes, count(t.sent), count(t.success2xx), count(t.client4xx), t.server5xx, t.problems - t.server5xx - t.crashes, t.crashes, changes.length];
      const ok = [bad, hostile].every((t) => t.problems === 0) && badChanges.length + hostileChanges.length + notServing.length === 0;
      const problems = [...bad.firstProblems, ...hostile.firstProblems].slice(0, 5);
      return {
        title: 'HTTP route fuzzing (long run)',
        parameters: `FUZZ_RUNS=${knobs.fuzzRuns} generated requests per route and part, plus the monsters (JSON nested 10,000 deep, 100,000 items, megabyte strings) once per route; FUZZ_SEED=${knobs.fuzzSeed}; central on PGlite`,
        columns: ['part', 'routes', 'requests', '2xx', '4xx', '5xx (must be 0)', 'other broken rules', 'crashes', 'state changes (must be 0)'],
        rows: [row('bad requests, as the first tenant', fuzzer.routes.length, bad, badChanges), row("hostile content, as the second tenant on its own objects", fuzzer.hostileRoutes.length, hostile, hostileChanges)],
        summary: paragraphs(
          [
            "A bad request must be answered 4xx with the error envelope carrying its request id (a read may answer 2xx); a hostile one may succeed; neither may get a 5xx. Other broken rules: an error that is not the envelope or is larger than what it quotes, a fuzzed write accepted, a large body validated to its end. Crashes: `inject` got no answer. State changes: tables that gained or lost rows during the bad part, and the first tenant's tables whose rows changed at all.",
            notServing.length ? `After the run central no longer answered: ${notServing.join(', ')}.` : "After the run central still answered health, the operator's session and the tenant's cluster.",
          ],
          [...[...badChanges, ...hostileChanges].map((c) => `changed: ${c}`), ...problems.map((p) => p.slice(0, 600))],
        ),
        ok,
        results: { requests_per_route_and_part: knobs.fuzzRuns, seed: knobs.fuzzSeed, routes: fuzzer.routes.length, bad: { ...bad, state_changes: badChanges }, hostile: { ...hostile, state_changes: hostileChanges }, not_serving: notServing },
      };
    } finally {
      await fuzzer.close();
    }
  },
};

export const eventBridgeFuzzSection: ReliabilitySection = {
  name: 'fuzz-eventbridge',
  async run({ knobs, progress }) {
    const started = Date.now();
    const batches = knobs.fuzzRuns * 20;
    const tally = await fuzzEventBridgeParser({
      target: { name: 'pglite' },
      batches,
      seed: knobs.fuzzSeed,
      onChunk: (t) => progress(`fuzz-eventbridge: ${t.batches}/${batches} batches, ${t.messages} messages, refused ${t.refused}, accepted ${t.accepted}, crashes ${t.crashes}, failed batches ${t.failedBatches} (${seconds(Date.now() - started)} s)`),
    });
    return {
      title: 'EventBridge message fuzzing (long run)',
      parameters: `FUZZ_RUNS=${knobs.fuzzRuns} → ${count(batches)} generated batches of 1–5 SQS messages (4 malformed to 1 well-formed); FUZZ_SEED=${knobs.fuzzSeed}; the spot handler on PGlite`,
      columns: ['batches', 'messages', 'refused with a reason', 'accepted (well-formed)', 'crashes', 'batches breaking a property (must be 0)'],
      rows: [[count(tally.batches), count(tally.messages), count(tally.refused), count(tally.accepted), tally.crashes, tally.failedBatches]],
      summary: paragraphs(
        [
          'Each batch goes through the parser the SQS adapter uses into `handleBatch`. Refused: a malformed message acknowledged and logged as dropped with its reason, acted on in no way. Crashes: `handleBatch` threw or logged an error. A batch breaks a property when it crashes, leaves a message unacknowledged (it would come back forever), drops a malformed message without a reason, or acts on a batch of malformed messages only (a task, an ML call, a Spot event, a launch).',
        ],
        tally.firstProblems.map((p) => p.slice(0, 600)),
      ),
      ok: tally.failedBatches === 0 && tally.refused + tally.accepted === tally.messages,
      results: { ...tally },
    };
  },
};

/** In the order they run and appear in BENCHMARKS.md. */
export const RELIABILITY_SECTIONS: readonly ReliabilitySection[] = [chaosSection, httpFuzzSection, eventBridgeFuzzSection, replicaFailoverSection, postgresRestartSection, processKillsSection];
