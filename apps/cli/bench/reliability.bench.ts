/**
 * Benchmark: reliability, as the sections of apps/cli/src/chaos/reliability-sections.ts — the chaos scenarios
 * over seeds, the long HTTP route fuzzing, the long EventBridge message fuzzing, two central replicas under agent
 * load with one killed, PostgreSQL crashed under load, kill -9 of central and the agent mid-interruption. Prints one progress line per
 * scenario run / fuzz batch, writes each section's table into BENCHMARKS.md between its markers
 * (`<!-- reliability:<section>:begin -->`; the sections not run keep their last results) and ends with one JSON
 * line for `cloudoptim bench`.
 *
 *   RELIABILITY_RUNS=5 FUZZ_RUNS=500 node --import tsx apps/cli/bench/reliability.bench.ts
 *   RELIABILITY_SECTIONS=fuzz-http,fuzz-eventbridge FUZZ_SEED=123 node --import tsx apps/cli/bench/reliability.bench.ts
 *
 * Knobs: RELIABILITY_RUNS (seeds per chaos scenario, default 5), RELIABILITY_FIRST_SEED (default 1), FUZZ_RUNS
 * (generated requests per route and part; ×20 EventBridge batches; default 500), FUZZ_SEED (default random, printed), RELIABILITY_SECTIONS
 * (comma-separated, default all), RELIABILITY_NO_WRITE=1 (leave BENCHMARKS.md alone), RELIABILITY_AGENTS (default 200)
 * and RELIABILITY_LOAD_SECONDS (default 180) for the load sections, RELIABILITY_PG_DOWN_SECONDS (default 5),
 * PROCESS_KILL_RUNS (default 2), RELIABILITY_DATABASE_URL (the PostgreSQL server for replica-failover's scratch
 * database, default postgres://postgres@127.0.0.1:5432/test). All sections: ~25 min on 2 cores.
 */
import { randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { readReliabilityKnobs, renderSectionBlock, replaceSectionBlock, type SectionResult } from '../src/chaos/reliability-report.ts';
import { RELIABILITY_SECTIONS } from '../src/chaos/reliability-sections.ts';
import { repoRoot } from '../src/repo-paths.ts';

const names = RELIABILITY_SECTIONS.map((s) => s.name);
const knobs = (() => {
  try {
    return readReliabilityKnobs(process.env, names, randomInt(1, 2 ** 30));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
})();
const benchmarksFile = path.join(repoRoot, 'BENCHMARKS.md');
const machine = `${process.platform}-${process.arch}, Node ${process.version}, ${availableParallelism()} cores`;

console.log(`reliability: sections ${knobs.sections.join(', ')}; RELIABILITY_RUNS=${knobs.runs} FUZZ_RUNS=${knobs.fuzzRuns} FUZZ_SEED=${knobs.fuzzSeed}`);
const started = Date.now();
const results: Record<string, SectionResult & { real_seconds: number }> = {};
for (const section of RELIABILITY_SECTIONS.filter((s) => knobs.sections.includes(s.name))) {
  const sectionStarted = Date.now();
  let result: SectionResult;
  try {
    result = await section.run({ knobs, progress: (line) => console.log(line) });
  } catch (error) {
    // A section that cannot run at all is reported as such, and the others still run.
    const text = error instanceof Error ? error.message : String(error);
    console.log(`${section.name}: failed to run: ${text}`);
    result = { title: section.name, parameters: 'did not run to the end', columns: ['error'], rows: [[text.slice(0, 500)]], summary: 'The section threw before it could report.', ok: false, results: { error: text } };
  }
  const realSeconds = Math.round((Date.now() - sectionStarted) / 1000);
  results[section.name] = { ...result, real_seconds: realSeconds };
  console.log(`${section.name}: ${result.ok ? 'ok' : 'INVARIANTS BROKEN'} in ${realSeconds} s`);
  if (process.env.RELIABILITY_NO_WRITE !== '1') {
    // Written after each section, so a long run interrupted later keeps what it measured.
    const markdown = await readFile(benchmarksFile, 'utf8');
    await writeFile(benchmarksFile, replaceSectionBlock(markdown, section.name, renderSectionBlock(section.name, result, { at: new Date(), realSeconds, machine }), names));
  }
}

const ran = Object.values(results);
const chaosPassRate = results.chaos?.results.pass_rate;
console.log(
  JSON.stringify({
    name: 'reliability',
    results: { ...Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { ok: r.ok, real_seconds: r.real_seconds, ...r.results }])), knobs, real_seconds: Math.round((Date.now() - started) / 1000) },
    ratios: { sections_ok: ran.length ? ran.filter((r) => r.ok).length / ran.length : 0, ...(typeof chaosPassRate === 'number' && { pass_rate: chaosPassRate }) },
    notes: `sections ${knobs.sections.join(', ')}; chaos: one stack per seed (steady, automate, SteppedClock), consistency checker after each scenario; fuzzing on PGlite; tables in BENCHMARKS.md`,
  }),
);
process.exit(0);
