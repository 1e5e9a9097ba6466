import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '@cloudoptim/contracts';
import { printJson, type CliIo } from '../io.ts';
import { repoRoot } from '../repo-paths.ts';

/** The last line a benchmark script prints on stdout. */
const BenchResultSchema = z.object({
  name: z.string().min(1),
  results: z.record(z.string(), z.unknown()),
  ratios: z.record(z.string(), z.number()).optional(),
  notes: z.string().optional(),
});
export type BenchResult = z.infer<typeof BenchResultSchema>;

/** Finds `<packages|apps>/<name>/bench/*.bench.ts`, sorted by path. */
export async function findBenchmarks(root = repoRoot): Promise<string[]> {
  const found: string[] = [];
  for (const tier of ['packages', 'apps']) {
    const dirs = await readdir(path.join(root, tier)).catch(() => [] as string[]);
    for (const dir of dirs) {
      const benchDir = path.join(root, tier, dir, 'bench');
      const files = await readdir(benchDir).catch(() => [] as string[]);
      for (const file of files) if (file.endsWith('.bench.ts')) found.push(path.join(benchDir, file));
    }
  }
  return found.sort();
}

/**
 * Runs one benchmark script in a fresh Node process (so heap and JIT state of one do not colour another),
 * with --expose-gc for heap measurements, and parses the JSON result on its last stdout line.
 */
export function runBenchmark(file: string, onLine: (line: string) => void = () => {}): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      for (const line of chunk.toString().split('\n')) if (line.trim() && !line.startsWith('{')) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const name = path.basename(file, '.bench.ts');
      if (code !== 0) return reject(new AppError('UNPROCESSABLE', `benchmark ${name} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(BenchResultSchema.parse(JSON.parse(last)));
      } catch {
        reject(new AppError('UNPROCESSABLE', `benchmark ${name} did not end with a JSON result line`, { last_line: last.slice(0, 200) }));
      }
    });
  });
}

export function registerBenchCommand(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description('run the benchmarks (each in its own process) and write bench-results/<name>.json')
    .argument('[names...]', 'only these benchmarks (file names without .bench.ts)')
    .option('--json', 'print the results as JSON')
    .action(async (names: string[], options: { json?: boolean }) => {
      const all = await findBenchmarks();
      const selected = names.length ? all.filter((f) => names.includes(path.basename(f, '.bench.ts'))) : all;
      if (!selected.length) throw new AppError('NOT_FOUND', `no benchmark matches ${names.join(', ')}; have: ${all.map((f) => path.basename(f, '.bench.ts')).join(', ')}`);
      const outDir = path.join(repoRoot, 'bench-results');
      await mkdir(outDir, { recursive: true });
      const results: BenchResult[] = [];
      for (const [index, file] of selected.entries()) {
        const name = path.basename(file, '.bench.ts');
        if (!options.json) io.stdout(`[${index + 1}/${selected.length}] ${name}\n`);
        const result = await runBenchmark(file, (line) => options.json || io.stdout(`    ${line}\n`));
        const record = { ...result, measured_at: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}` };
        await writeFile(path.join(outDir, `${result.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
        results.push(result);
        if (!options.json) {
          for (const [key, ratio] of Object.entries(result.ratios ?? {})) io.stdout(`    ratio ${key}: ${ratio.toFixed(2)}\n`);
        }
      }
      if (options.json) printJson(io, results);
      else io.stdout(`results written to ${path.relative(process.cwd(), outDir) || '.'}/\n`);
    });
}
