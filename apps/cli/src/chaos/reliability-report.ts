/**
 * The reliability benchmark (`npm run bench -- reliability`) as a list of sections — the chaos scenarios over
 * seeds, the long fuzz runs, and whatever is added next — each an async function that measures one thing and
 * returns a markdown table with a short summary; and the pure functions that render a section and put it into
 * BENCHMARKS.md between its own markers, so a run of a subset of the sections leaves the others' last results
 * where they are:
 *
 *   <!-- reliability:begin -->
 *   <!-- reliability:chaos:begin --> … <!-- reliability:chaos:end -->
 *   <!-- reliability:fuzz-http:begin --> … <!-- reliability:fuzz-http:end -->
 *   <!-- reliability:end -->
 */

/** The benchmark's knobs, read from the environment once by the bench script. */
export interface ReliabilityKnobs {
  /** RELIABILITY_RUNS: seeds per chaos scenario (default 5). */
  runs: number;
  /** RELIABILITY_FIRST_SEED (default 1). */
  firstSeed: number;
  /** FUZZ_RUNS: generated inputs per fuzz target (see each fuzz section). */
  fuzzRuns: number;
  /** FUZZ_SEED: the fuzzers' seed (default: drawn at random, printed so the run can be replayed). */
  fuzzSeed: number;
  /** RELIABILITY_SECTIONS: the sections to run, in the order of the section list (default all). */
  sections: string[];
  /** RELIABILITY_AGENTS / RELIABILITY_LOAD_SECONDS: the agent fleet of the load sections (default 200 agents, 180 s). */
  loadAgents: number;
  loadSeconds: number;
  /** RELIABILITY_PG_DOWN_SECONDS: how long PostgreSQL stays down in `postgres-restart` (default 5). */
  pgDownSeconds: number;
  /** PROCESS_KILL_RUNS: runs of each process-kill scenario (default 2; ~2.5 min each). */
  processKillRuns: number;
  /** RELIABILITY_DATABASE_URL: the PostgreSQL server `replica-failover` makes its scratch database on. */
  databaseUrl: string;
}

/** What one section measured. */
export interface SectionResult {
  /** Heading of its block in BENCHMARKS.md. */
  title: string;
  /** What the run was measured with, e.g. "RELIABILITY_RUNS=3 (seeds 1–3)". */
  parameters: string;
  columns: string[];
  rows: (string | number)[][];
  /** A sentence or two under the table: totals, what failed and where to look. */
  summary: string;
  /** Every invariant of the section held. */
  ok: boolean;
  /** The numbers, for the benchmark's JSON result line. */
  results: Record<string, unknown>;
}

export interface SectionContext {
  knobs: ReliabilityKnobs;
  /** Prints one progress line (one per scenario run, per fuzz batch). */
  progress(line: string): void;
}

export interface ReliabilitySection {
  /** Its marker name (`<!-- reliability:<name>:begin -->`) and what RELIABILITY_SECTIONS lists. */
  name: string;
  run(ctx: SectionContext): Promise<SectionResult>;
}

/** Where and when a section was measured, for the line under its heading. */
export interface Measurement {
  at: Date;
  realSeconds: number;
  /** e.g. "linux-x64, Node v20.20.2, 2 cores". */
  machine: string;
}

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * Reads the knobs from `env`, reporting every problem at once. `randomSeed` is used when FUZZ_SEED is not set.
 * @throws Error listing each bad value (and the known section names when RELIABILITY_SECTIONS names another).
 */
export function readReliabilityKnobs(env: Record<string, string | undefined>, sectionNames: readonly string[], randomSeed: number): ReliabilityKnobs {
  const problems: string[] = [];
  const runs = positiveInteger(env, 'RELIABILITY_RUNS', 5, problems);
  const firstSeed = positiveInteger(env, 'RELIABILITY_FIRST_SEED', 1, problems);
  const fuzzRuns = positiveInteger(env, 'FUZZ_RUNS', 500, problems);
  const fuzzSeed = env.FUZZ_SEED === undefined || env.FUZZ_SEED === '' ? randomSeed : positiveInteger(env, 'FUZZ_SEED', 1, problems);
  const asked = (env.RELIABILITY_SECTIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !sectionNames.includes(s));
  if (unknown.length) problems.push(`RELIABILITY_SECTIONS names ${unknown.join(', ')}; the sections are ${sectionNames.join(', ')}`);
  const loadAgents = positiveInteger(env, 'RELIABILITY_AGENTS', 200, problems);
  const loadSeconds = positiveInteger(env, 'RELIABILITY_LOAD_SECONDS', 180, problems);
  if (loadSeconds < 90) problems.push(`RELIABILITY_LOAD_SECONDS must be at least 90 (warm-up, a minute before the fault, time after it), got ${loadSeconds}`);
  const pgDownSeconds = positiveInteger(env, 'RELIABILITY_PG_DOWN_SECONDS', 5, problems);
  const processKillRuns = positiveInteger(env, 'PROCESS_KILL_RUNS', 2, problems);
  const databaseUrl = env.RELIABILITY_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  if (problems.length) throw new Error(`reliability benchmark: ${problems.join('; ')}`);
  const sections = asked.length ? sectionNames.filter((s) => asked.includes(s)) : [...sectionNames];
  return { runs, firstSeed, fuzzRuns, fuzzSeed, sections, loadAgents, loadSeconds, pgDownSeconds, processKillRuns, databaseUrl };
}

/** A table cell: one line, pipes escaped. */
function cell(value: string | number): string {
  return String(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  return [`| ${columns.map(cell).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const begin = (name?: string) => `<!-- reliability${name ? `:${name}` : ''}:begin -->`;
const end = (name?: string) => `<!-- reliability${name ? `:${name}` : ''}:end -->`;

/** The section's block, markers included. */
export function renderSectionBlock(name: string, result: SectionResult, measured: Measurement): string {
  const when = `${measured.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return [
    begin(name),
    `### ${result.title}`,
    '',
    `Measured ${when} on ${measured.machine}: ${result.parameters}; ${measured.realSeconds} s of real time. ${result.ok ? 'Every invariant held.' : '**Invariants broken** (see below).'}`,
    '',
    markdownTable(result.columns, result.rows),
    '',
    result.summary,
    end(name),
  ].join('\n');
}

/** Indexes of `marker` in `text`. */
function occurrences(text: string, marker: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + 1)) found.push(i);
  return found;
}

/** The one begin/end pair of `name` inside `text` (undefined when absent). @throws Error when broken (one without the other, twice, reversed). */
function pair(text: string, name: string | undefined, offset = 0): { from: number; to: number } | undefined {
  const starts = occurrences(text, begin(name));
  const ends = occurrences(text, end(name));
  if (!starts.length && !ends.length) return undefined;
  const label = name ?? 'reliability';
  if (starts.length !== 1 || ends.length !== 1) throw new Error(`BENCHMARKS.md: expected one ${begin(name)} and one ${end(name)}, found ${starts.length} and ${ends.length} (${label})`);
  if (ends[0]! < starts[0]!) throw new Error(`BENCHMARKS.md: ${end(name)} comes before ${begin(name)}`);
  return { from: offset + starts[0]!, to: offset + ends[0]! + end(name).length };
}

/**
 * `markdown` with the block of section `name` replaced by `block` (a {@link renderSectionBlock} result). A
 * section without a block yet gets one inside the reliability block, before the first present section that
 * comes after it in `order`, or at the end. Every other section's block is kept as it was.
 * @throws Error when the reliability block or the section's markers are missing, doubled or reversed — the
 *   file is then left to a person rather than rewritten wrongly.
 */
export function replaceSectionBlock(markdown: string, name: string, block: string, order: readonly string[]): string {
  const outer = pair(markdown, undefined);
  if (!outer) throw new Error(`BENCHMARKS.md has no ${begin()} … ${end()} block to write the results into`);
  const innerFrom = outer.from + begin().length;
  const innerTo = outer.to - end().length;
  const inner = markdown.slice(innerFrom, innerTo);
  const own = pair(inner, name, innerFrom);
  if (own) return markdown.slice(0, own.from) + block + markdown.slice(own.to);
  const position = order.indexOf(name);
  const later = position === -1 ? undefined : order.slice(position + 1).map((n) => pair(inner, n, innerFrom)).find((p) => p !== undefined);
  const at = later ? later.from : innerTo;
  // One blank line between blocks; none right after the reliability block's begin marker or before its end.
  const before = markdown.slice(0, at).replace(/\n*$/, '');
  const after = markdown.slice(at).replace(/^\n*/, '');
  return `${before}${before.endsWith(begin()) ? '\n' : '\n\n'}${block}${later ? '\n\n' : '\n'}${after}`;
}
