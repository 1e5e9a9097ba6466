import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { BacktestWorkloadSchema, runBacktest, STRATEGY_NAMES, type BacktestResult, type SeedStat, type StrategyName } from '@cloudoptim/engines';
import { loadMarket } from '@cloudoptim/market';
import { loadCliConfig } from '../cli-config.ts';
import { printJson, printTable, type CliIo } from '../io.ts';
import { withProgress } from '../progress.ts';
import { sparkline } from './market-views.ts';

const DAY_MS = 86_400_000;
const date = z.string().transform((text, ctx) => {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a date (use YYYY-MM-DD or ISO 8601)` });
  return ms;
});
const integer = (what: string, min: number, max: number) =>
  z.coerce.number({ message: `${what} must be a number` }).int(`${what} must be an integer`).min(min, `${what} must be ≥ ${min}`).max(max, `${what} must be ≤ ${max}`);

const BacktestOptionsSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as us-east-1'),
    from: date,
    to: date,
    workload: z.string().min(1, '--workload needs a file path'),
    strategies: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(STRATEGY_NAMES, { message: `unknown strategy; known: ${STRATEGY_NAMES.join(', ')}` })).min(1, 'name at least one strategy'))
      .optional(),
    seed: integer('--seed', 0, 2 ** 32 - 1).default(1),
    seeds: integer('--seeds', 1, 100).default(3),
    json: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.from >= o.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '--to must be after --from' });
  });

/** Reads and validates the workload file: NOT_FOUND when missing, VALIDATION_FAILED (with zod paths) otherwise. */
async function readWorkload(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('NOT_FOUND', `cannot read workload file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `workload file ${file} is not valid JSON: ${(err as Error).message}`, { file, issues: [{ path: '', message: 'not valid JSON' }] });
  }
  return parseOrThrow(BacktestWorkloadSchema, json, `workload file ${file}`);
}

const fmt = (s: SeedStat, digits: number, seeds: number): string => (seeds > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits));

export function registerBacktestCommand(program: Command, io: CliIo): void {
  program
    .command('backtest')
    .description('replay real spot price history with the market model\'s interruptions and compare strategies on cost, savings, interruptions and pod disruption')
    .requiredOption('--region <region>', 'us-east-1 (data 2021-03-02…2021-05-31) or sa-east-1 (2019-12-31…2020-06-23)')
    .requiredOption('--from <date>', 'start, YYYY-MM-DD (UTC midnight) or ISO 8601')
    .requiredOption('--to <date>', 'end (exclusive), YYYY-MM-DD or ISO 8601')
    .requiredOption('--workload <file>', 'workload JSON (see docs/backtest-workload.md)')
    .option('--strategies <list>', `comma-separated, default all: ${STRATEGY_NAMES.join(',')}`)
    .option('--seed <n>', 'first seed', '1')
    .option('--seeds <k>', 'number of seeds (results are mean ± standard deviation)', '3')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(BacktestOptionsSchema, raw, 'backtest options');
      const workload = await readWorkload(path.resolve(io.cwd, o.workload));
      const config = loadCliConfig(io.env, io.cwd);
      const market = loadMarket(config.marketDataDir ? { dataDir: config.marketDataDir } : {});
      market.assertRegion(o.region);
      const history = await withProgress(io, 'loading spot price history', (onProgress) => market.spotPriceHistory({ onProgress }));
      const result = await withProgress(io, 'backtesting', (onProgress) =>
        runBacktest({ market, history }, { region: o.region, fromMs: o.from, toMs: o.to, workload, strategies: o.strategies as StrategyName[] | undefined, seed: o.seed, seedCount: o.seeds }, onProgress),
      );
      if (o.json) return printJson(io, result);
      printHuman(io, result);
    });
}

function printHuman(io: CliIo, r: BacktestResult): void {
  const n = r.seeds.length;
  io.stdout(`Backtest of "${r.workload}" in ${r.region}, ${r.effectiveFrom.slice(0, 16)} … ${r.effectiveTo.slice(0, 16)} (${r.days} days, zones ${r.zones.join(' ')}), ${n} seed${n > 1 ? 's' : ''} (${r.seeds.join(', ')})${n > 1 ? ', mean ± sd' : ''}\n\n`);
  printTable(
    io,
    ['STRATEGY', 'COST $', 'SAVINGS %', 'INTERRUPTIONS/NODE-MONTH', 'POD DISRUPTION MIN', 'NODE-HOURS', 'SPOT %'],
    r.strategies.map((s) => [s.name, fmt(s.costUsd, 0, n), fmt(s.savingsPct, 1, n), fmt(s.interruptionsPerNodeMonth, 3, n), fmt(s.podDisruptionMinutes, 0, n), s.nodeHours.mean.toFixed(0), s.spotSharePct.mean.toFixed(0)]),
  );
  io.stdout('\nDaily cost (USD/day, mean over seeds):\n');
  const fromMs = Date.parse(r.effectiveFrom);
  const width = Math.max(...r.strategies.map((s) => s.name.length));
  for (const s of r.strategies) {
    const steps = s.dailyCostUsd.map((usd, i) => ({ timeMs: fromMs + i * DAY_MS, usdPerHour: usd }));
    const lo = Math.min(...s.dailyCostUsd);
    const hi = Math.max(...s.dailyCostUsd);
    io.stdout(`  ${s.name.padEnd(width)}  ${sparkline(steps, fromMs, fromMs + s.dailyCostUsd.length * DAY_MS, 60)}  ${lo.toFixed(0)}–${hi.toFixed(0)}\n`);
  }
  io.stdout(`\n${r.rationale.summary}\n`);
  for (const d of r.rationale.dataSources) io.stdout(`  ${d.name} (${d.asOf}): ${d.note}\n`);
}
