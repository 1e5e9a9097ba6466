/**
 * The user files the CLI reads — `binpack --problem` and `backtest --workload` — corrupted at random from the
 * documented examples (docs/examples) and run through the commands in-process. Each corruption surely breaks
 * the file: truncated, not JSON (NaN, a comment, single quotes), a value of the wrong JSON type, the top level
 * of the wrong shape. Property: the command fails with an AppError (VALIDATION_FAILED for a bad file, which the
 * CLI prints as the envelope and exits 2) whose message names the file — never another error, never a result.
 *
 * FUZZ_RUNS sets the corruptions per command (default 6 → 18); FUZZ_SEED replays a run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { repoRoot } from '../repo-paths.ts';
import { bufferIo } from '../testing/buffer-io.ts';
import type { CliIo } from '../io.ts';
import { registerBacktestCommand } from './backtest.command.ts';
import { registerBinpackCommand } from './binpack.command.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 3;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const dir = mkdtempSync(path.join(tmpdir(), 'cli-input-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function leaves(doc: Json): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (v: Json, p: Path) => {
    if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    else out.push({ path: p, value: v });
  };
  walk(doc, []);
  return out;
}

function withValue(doc: Json, at: Path, value: Json): Json {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  parent[at[at.length - 1] as string | number] = value;
  return copy;
}

const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Surely-broken versions of the example `file` (a path relative to the repository). */
function corrupted(file: string): fc.Arbitrary<{ what: string; text: string }> {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const doc = JSON.parse(text) as Json;
  const all = leaves(doc);
  return fc.oneof(
    fc.integer({ min: 0, max: text.trimEnd().length - 1 }).map((n) => ({ what: `truncated to ${n} chars`, text: text.slice(0, n) })),
    fc.constantFrom(
      { what: 'NaN', text: text.replace(/(?<=:\s*)-?\d+(\.\d+)?/, 'NaN') },
      { what: 'a comment', text: `// example\n${text}` },
      { what: 'single quotes', text: text.replace(/"/g, "'") },
      { what: 'an array', text: `[${text}]` },
      { what: 'null', text: 'null' },
      { what: 'a number', text: '42' },
      { what: 'an empty object', text: '{}' },
    ),
    fc.tuple(fc.nat(all.length - 1), fc.constantFrom<Json>('x', true, [], {}, -1e308)).filter(([i, v]) => typeOf(v) !== typeOf((all[i] as { value: Json }).value) && !(typeof v === 'number' && typeof (all[i] as { value: Json }).value === 'number')).map(([i, v]) => {
      const { path: at, value } = all[i] as { path: Path; value: Json };
      return { what: `${at.join('.')}: ${JSON.stringify(value)} → ${JSON.stringify(v)}`, text: JSON.stringify(withValue(doc, at, v)) };
    }),
  );
}

async function run(register: (program: Command, io: CliIo) => void, argv: string[]): Promise<unknown> {
  const io = bufferIo({}, repoRoot);
  const program = new Command().exitOverride();
  register(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The problem with how the command met the file (undefined: refused as it must be). */
function problemWith(error: unknown, what: string, file: string): string | undefined {
  if (error === undefined) return `${what}: the command succeeded`;
  if (!isAppError(error)) return `${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  if (error.code !== 'VALIDATION_FAILED' || !error.message.includes(path.basename(file))) return `${what}: ${error.code} ${error.message.slice(0, 200)}`;
  return undefined;
}

describe('CLI input files under fuzzing', () => {
  it('refuses a corrupted binpack --problem file with a VALIDATION_FAILED naming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(corrupted('docs/examples/binpack-pack.json'), corrupted('docs/examples/binpack-consolidate.json')), async ({ what, text }) => {
        const file = path.join(dir, 'problem.json');
        writeFileSync(file, text);
        expect(problemWith(await run(registerBinpackCommand, ['binpack', '--problem', file, '--json', '--no-lp']), what, file)).toBeUndefined();
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
    );
  }, 120_000);

  it('refuses a corrupted backtest --workload file with a VALIDATION_FAILED naming it', async () => {
    await fc.assert(
      fc.asyncProperty(corrupted('docs/examples/backtest-workload.json'), async ({ what, text }) => {
        const file = path.join(dir, 'workload.json');
        writeFileSync(file, text);
        const argv = ['backtest', '--region', 'us-east-1', '--from', '2021-04-01', '--to', '2021-04-03', '--workload', file, '--json'];
        expect(problemWith(await run(registerBacktestCommand, argv), what, file)).toBeUndefined();
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
    );
  }, 120_000);
});
