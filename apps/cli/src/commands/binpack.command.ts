import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { BinPackProblemSchema, createHighsLpSolver, type LpSolver, solveBinPacking, toWirePlan } from '@cloudoptim/engines/bin-packing';
import { printJson, printTable, type CliIo } from '../io.ts';

const OptionsSchema = z.object({
  problem: z.string().min(1, '--problem needs a file path'),
  json: z.boolean().optional(),
  lp: z.boolean().default(true),
});

/** Line and column (1-based) of a character offset in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Parses JSON, turning a syntax error into VALIDATION_FAILED that names the file, line and column. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const where = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : pos ? lineColumn(text, Number(pos[1])) : text.trim() === '' ? { line: 1, column: 1 } : lineColumn(text, text.length);
    throw new AppError('VALIDATION_FAILED', `${file} is not valid JSON at line ${where.line}, column ${where.column}: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}`, {
      file,
      line: where.line,
      column: where.column,
      issues: [{ path: '', message }],
    });
  }
}

async function readProblemFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `problem file not found: ${file}`, { file });
    if (code === 'EISDIR') throw new AppError('VALIDATION_FAILED', `${file} is a directory, not a problem file`, { file, issues: [{ path: 'problem', message: 'is a directory' }] });
    throw new AppError('UNPROCESSABLE', `cannot read ${file}: ${(error as Error).message}`, { file });
  }
}

/** Loads HiGHS (WASM) once per process; the engine takes the solver as an argument. */
let solverPromise: Promise<LpSolver> | undefined;
function loadSolver(): Promise<LpSolver> {
  solverPromise ??= import('highs').then(async (module) => createHighsLpSolver(await module.default()));
  return solverPromise;
}

/**
 * `cloudoptim binpack --problem FILE [--json] [--no-lp]`: packs or consolidates the problem in FILE
 * (docs/binpack-format.md) and prints the plan with its lower bound.
 */
export function registerBinpackCommand(program: Command, io: CliIo): void {
  program
    .command('binpack')
    .description('pack pods onto the cheapest nodes, or plan a consolidation, with a proven lower bound on cost')
    .requiredOption('--problem <file>', 'problem JSON (see docs/binpack-format.md)')
    .option('--json', 'print the plan as JSON')
    .option('--no-lp', 'skip the LP solver (weaker single-resource bound)')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(OptionsSchema, raw, 'binpack options');
      const file = path.resolve(io.cwd, o.problem);
      const text = await readProblemFile(file);
      const problem = parseOrThrow(BinPackProblemSchema, parseJsonFile(text, o.problem), `binpack problem ${o.problem}`);
      const lpSolver = o.lp ? await loadSolver() : undefined;
      const started = performance.now();
      const plan = solveBinPacking(problem, lpSolver ? { lpSolver } : {});
      const wire = toWirePlan(plan, performance.now() - started);
      if (o.json) return printJson(io, wire);
      printTable(
        io,
        ['NODE', 'TYPE', 'ZONE', 'CAPACITY', '$/h', 'PODS', 'CPU', 'MEM', 'NEW'],
        wire.nodes.map((n) => [n.name, n.instance_type, n.zone, n.capacity_type, n.price_usd_hour, n.pods.length, pct(n.utilisation.cpu), pct(n.utilisation.memory), n.new ? 'yes' : '']),
      );
      for (const r of wire.removed_nodes) io.stdout(`${r.action} ${r.name} (${r.instance_type}, $${r.price_usd_hour}/h)\n`);
      for (const u of wire.unplaced) io.stdout(`unplaced ${u.pod}: ${u.reason}\n`);
      io.stdout(
        `${wire.mode}: $${wire.cost_usd_hour}/h` +
          (wire.mode === 'consolidate' ? ` (was $${wire.initial_cost_usd_hour}/h, saves $${wire.savings_usd_hour}/h, ${wire.moves.length} moves)` : '') +
          `; lower bound $${wire.lower_bound_usd_hour}/h (${wire.bound.method}), gap ${wire.gap_to_bound === null ? '∞' : `${(wire.gap_to_bound * 100).toFixed(2)}%`}; ${wire.solve_ms} ms\n`,
      );
    });
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
