import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { AppError } from '@cloudoptim/contracts';
import { repoRoot } from '../repo-paths.ts';
import { bufferIo } from '../testing/buffer-io.ts';
import { registerBinpackCommand } from './binpack.command.ts';

async function run(...argv: string[]) {
  const io = bufferIo({}, repoRoot);
  const program = new Command().exitOverride();
  registerBinpackCommand(program, io);
  let error: unknown;
  try {
    await program.parseAsync(['binpack', ...argv], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out: io.out(), error };
}

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'binpack-')), name);
  writeFileSync(file, text);
  return file;
}

describe('cloudoptim binpack', () => {
  it('packs the documented example and prints the plan with its bound', async () => {
    const { out, error } = await run('--problem', 'docs/examples/binpack-pack.json', '--json');
    expect(error).toBeUndefined();
    const plan = JSON.parse(out);
    expect(plan).toMatchObject({ mode: 'pack', unplaced: [], removed_nodes: [], bound: { method: 'lp-dual' } });
    expect(plan.nodes.length).toBeGreaterThan(0);
    for (const n of plan.nodes) expect(n).toEqual(expect.objectContaining({ name: expect.any(String), instance_type: expect.any(String), zone: expect.any(String), capacity_type: 'on-demand', price_usd_hour: expect.any(Number), pods: expect.any(Array) }));
    expect(plan.nodes.flatMap((n: { pods: string[] }) => n.pods)).toHaveLength(17);
    expect(plan.lower_bound_usd_hour).toBeLessThanOrEqual(plan.cost_usd_hour);
    expect(plan.solve_ms).toEqual(expect.any(Number));
  });

  it('plans the documented consolidation within its budget', async () => {
    const { out, error } = await run('--problem', 'docs/examples/binpack-consolidate.json', '--json');
    expect(error).toBeUndefined();
    const plan = JSON.parse(out);
    expect(plan.mode).toBe('consolidate');
    expect(plan.removed_nodes.length).toBeLessThanOrEqual(3);
    expect(plan.savings_usd_hour).toBeGreaterThan(0);
    expect(plan.candidates.find((c: { node: string }) => c.node === 'ip-10-0-2-1')).toMatchObject({ action: 'blocked' });
  });

  it('prints a table without --json, and works without the LP', async () => {
    const { out, error } = await run('--problem', 'docs/examples/binpack-pack.json', '--no-lp');
    expect(error).toBeUndefined();
    expect(out).toMatch(/^NODE\s+TYPE\s+ZONE/);
    expect(out).toMatch(/lower bound \$[\d.]+\/h \(single-resource\)/);
  });

  it('refuses a missing file', async () => {
    const { error } = await run('--problem', 'docs/examples/nope.json', '--json');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { file: expect.stringContaining('nope.json') } });
  });

  it('names the line and column of bad JSON', async () => {
    const file = tempFile('bad.json', '{\n  "instance_types": [\n    {"name": "m5.large",,}\n  ]\n}\n');
    const { error } = await run('--problem', file, '--json');
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { line: 3, column: expect.any(Number) } });
    expect((error as Error).message).toMatch(/line 3, column \d+/);
  });

  it('lists schema problems with their paths', async () => {
    const file = tempFile(
      'invalid.json',
      JSON.stringify({
        instance_types: [{ name: 'm5.large', cpu_milli: -1, memory_mib: 6903, pods: 29, price_usd_hour: 0.096, zones: [] }],
        nodes: [{ name: 'n1', instance_type: 'm5.huge', zone: 'a' }],
        pods: [{ name: 'p', cpu_milli: 'lots' }],
        pdbs: [{ name: 'x', selector: { app: 'x' } }],
        options: { mode: 'shuffle' },
      }),
    );
    const { error } = await run('--problem', file, '--json');
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const paths = ((error as AppError).details?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['instance_types.0.cpu_milli', 'instance_types.0.zones', 'pods.0.cpu_milli', 'pdbs.0', 'options.mode']));
  });

  it('checks cross-references', async () => {
    const file = tempFile(
      'refs.json',
      JSON.stringify({
        instance_types: [{ name: 'm5.large', cpu_milli: 1930, memory_mib: 6903, pods: 29, price_usd_hour: 0.096, zones: ['a'] }],
        nodes: [{ name: 'n1', instance_type: 'm5.huge', zone: 'a' }],
        pods: [{ name: 'p', node: 'n9' }, { name: 'p' }],
        options: { mode: 'consolidate' },
      }),
    );
    const { error } = await run('--problem', file, '--json');
    const paths = ((error as AppError).details?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['nodes.0.instance_type', 'pods.0.node', 'pods.1.name']));
  });
});
