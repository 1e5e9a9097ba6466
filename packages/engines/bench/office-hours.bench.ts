/**
 * Benchmark: office-hours time specs — parse throughput, match throughput, and next-transition search.
 *
 *   node --expose-gc --import tsx packages/engines/bench/office-hours.bench.ts
 *
 * Baselines in the same run: matching with a fresh Intl.DateTimeFormat.formatToParts per instant (no offset
 * memo), and finding a week of transitions by scanning minute by minute (what a naive loop would do).
 * The last stdout line is one JSON object; a markdown section goes to packages/engines/bench/office-hours.md.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchesTimeSpec, parseTimeSpec, planOfficeHours, specTransitions, type ScheduledWorkload, type TimeSpec } from '../src/office-hours/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 7;
const SPECS = ['Mon-Fri 07:30-20:30 Europe/Berlin', 'Sat-Sun 00:00-24:00 CET, Fri-Fri 20:00-24:00 CET', 'Mon-Fri 09:00-17:00 America/New_York, 2024-12-24T00:00:00+01:00-2024-12-26T23:59:59+01:00', 'Sun-Thu 08:00-17:00 Asia/Jerusalem'];
const T0 = Date.UTC(2024, 2, 25);
const sink: number[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const r = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function time(fn: () => number): { ms: number; ops: number } {
  const samples: number[] = [];
  let ops = 0;
  fn(); // warm-up
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    ops = fn();
    samples.push(performance.now() - start);
  }
  return { ms: median(samples), ops };
}

// 1. parse
const parse = time(() => {
  let n = 0;
  for (let i = 0; i < 20_000; i += 1) n += parseTimeSpec(SPECS[i % SPECS.length] as string).kind.length > 0 ? 1 : 0;
  return n;
});

// 2. match: one instant per 7 minutes over 10 weeks (DST included)
const parsed = SPECS.map((s) => parseTimeSpec(s));
const instants = Array.from({ length: 100_000 }, (_, i) => T0 + i * 7 * 60_000);
const match = time(() => {
  let n = 0;
  for (const at of instants) for (const spec of parsed) n += matchesTimeSpec(spec, at) ? 1 : 0;
  sink.push(n); // keeps the loop from being optimised away
  return instants.length * parsed.length;
});

// Baseline: the same recurring test with a formatToParts call per instant and part (no memo).
const fmt = new Map<string, Intl.DateTimeFormat>();
function naiveMatches(spec: TimeSpec, at: number): boolean {
  if (spec.kind !== 'list') return spec.kind === 'always';
  return spec.parts.some((p) => {
    if (p.kind === 'absolute') return p.fromMs <= at && at <= p.toMs;
    let f = fmt.get(p.timeZone);
    if (!f) fmt.set(p.timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone: p.timeZone, hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric' })));
    const parts = f.formatToParts(at);
    const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.find((x) => x.type === 'weekday')?.value ?? '');
    const m = Number(parts.find((x) => x.type === 'hour')?.value) * 60 + Number(parts.find((x) => x.type === 'minute')?.value);
    const day = p.dayFrom <= p.dayTo ? p.dayFrom <= wd && wd <= p.dayTo : wd >= p.dayFrom || wd <= p.dayTo;
    return day && p.minuteFrom <= m && m < p.minuteTo;
  });
}
const naiveSubset = instants.slice(0, 20_000);
const naive = time(() => {
  let n = 0;
  for (const at of naiveSubset) for (const spec of parsed) n += naiveMatches(spec, at) ? 1 : 0;
  sink.push(n);
  return naiveSubset.length * parsed.length;
});
let disagreements = 0;
for (const at of naiveSubset) for (const spec of parsed) if (naiveMatches(spec, at) !== matchesTimeSpec(spec, at)) disagreements += 1;

// 3. a week of transitions: breakpoints vs minute scan
const WEEK = 7 * 86_400_000;
const transitions = time(() => parsed.reduce((n, spec) => n + specTransitions(spec, T0, T0 + WEEK).length, 0));
const scan = time(() => {
  let n = 0;
  for (const spec of parsed) {
    let prev = matchesTimeSpec(spec, T0);
    for (let at = T0 + 60_000; at <= T0 + WEEK; at += 60_000) {
      const now = matchesTimeSpec(spec, at);
      if (now !== prev) n += 1;
      prev = now;
    }
  }
  return n;
});

// 4. a plan for 1 000 workloads over 7 days
const workloads: ScheduledWorkload[] = Array.from({ length: 1000 }, (_, i) => ({ namespace: `ns-${i % 50}`, name: `w-${i}`, kind: 'Deployment', replicas: 1 + (i % 4), costUsdPerReplicaHour: 0.05, createdAtMs: 0, annotations: i % 3 === 0 ? { 'downscaler/uptime': SPECS[i % SPECS.length] as string } : {} }));
const plan = time(() => planOfficeHours({ nowMs: T0, workloads, defaults: { uptime: 'Mon-Fri 08:00-19:00 Europe/Berlin', prewarmMinutes: 10 } }).transitions.length);

const results = {
  parse_specs_per_s: r((parse.ops / parse.ms) * 1000, 0),
  match_evaluations_per_s: r((match.ops / match.ms) * 1000, 0),
  naive_intl_match_evaluations_per_s: r((naive.ops / naive.ms) * 1000, 0),
  match_disagreements_vs_naive: disagreements,
  week_transitions_ms_4_specs: r(transitions.ms, 3),
  week_minute_scan_ms_4_specs: r(scan.ms, 1),
  transitions_found: transitions.ops,
  transitions_found_by_scan: scan.ops,
  plan_1000_workloads_7d_ms: r(plan.ms, 1),
  plan_transitions: plan.ops,
};
const ratios = {
  match_speedup_vs_naive_intl: r(results.match_evaluations_per_s / results.naive_intl_match_evaluations_per_s, 1),
  transitions_speedup_vs_minute_scan: r(scan.ms / transitions.ms, 1),
};
const notes = `2-core shared machine; medians of ${RUNS} runs after a warm-up; Node ${process.version}.`;
console.log(`parse: ${results.parse_specs_per_s} specs/s; match: ${results.match_evaluations_per_s}/s vs naive Intl ${results.naive_intl_match_evaluations_per_s}/s (${disagreements} disagreements)`);
console.log(`week of transitions: ${results.week_transitions_ms_4_specs} ms vs minute scan ${results.week_minute_scan_ms_4_specs} ms (${transitions.ops} vs ${scan.ops} transitions)`);
console.log(`plan 1000 workloads / 7 days: ${results.plan_1000_workloads_7d_ms} ms, ${plan.ops} transitions`);
writeFileSync(
  join(here, 'office-hours.md'),
  `## office-hours (time specs and planner)

Run: \`node --expose-gc --import tsx packages/engines/bench/office-hours.bench.ts\` (${notes})

| measure | value |
|---|---|
| parse (4 kube-downscaler specs, round robin) | ${results.parse_specs_per_s.toLocaleString('en-US')} specs/s |
| match (spec × instant, 10 weeks incl. DST) | ${results.match_evaluations_per_s.toLocaleString('en-US')} /s |
| baseline: formatToParts per instant | ${results.naive_intl_match_evaluations_per_s.toLocaleString('en-US')} /s (×${ratios.match_speedup_vs_naive_intl}; ${disagreements} disagreements) |
| a week of transitions, 4 specs (breakpoints) | ${results.week_transitions_ms_4_specs} ms |
| baseline: minute-by-minute scan | ${results.week_minute_scan_ms_4_specs} ms (×${ratios.transitions_speedup_vs_minute_scan}; ${transitions.ops} = ${scan.ops} transitions) |
| plan: 1 000 workloads, 7 days | ${results.plan_1000_workloads_7d_ms} ms (${plan.ops} transitions) |

No goal was set for this engine; the numbers show the offset memo and the breakpoint search pay off.
`,
);
console.log(JSON.stringify({ name: 'office-hours', results, ratios, notes }));
