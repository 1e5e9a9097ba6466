import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { bufferIo } from '../testing/buffer-io.ts';
import { registerBacktestCommand } from './backtest.command.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'backtest-cli-'));
const workloadFile = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};
const good = workloadFile('good.json', { name: 'small', node: { vcpu: 2, memoryGib: 8 }, nodeCount: 4, podsPerNode: 5, disruption: { podRestartMinutes: 1 } });

async function run(...argv: string[]) {
  const io = bufferIo();
  const program = new Command().exitOverride();
  registerBacktestCommand(program, io);
  try {
    await program.parseAsync(['backtest', ...argv], { from: 'user' });
    return { error: undefined, out: io.out(), err: io.err() };
  } catch (error) {
    return { error, out: io.out(), err: io.err() };
  }
}

const window = ['--region', 'us-east-1', '--from', '2021-04-01', '--to', '2021-04-08'];

describe('cloudoptim backtest', () => {
  it('prints one JSON document with every requested strategy, savings vs on-demand and a daily series', async () => {
    const { error, out } = await run(...window, '--workload', good, '--strategies', 'cheapest-spot,pco-like', '--seeds', '2', '--json');
    expect(error).toBeUndefined();
    const r = JSON.parse(out);
    expect(r.seeds).toEqual([1, 2]);
    expect(r.strategies.map((s: { name: string }) => s.name)).toEqual(['on-demand', 'cheapest-spot', 'pco-like']);
    for (const s of r.strategies) {
      expect(s.dailyCostUsd).toHaveLength(7);
      expect(s.perSeed).toHaveLength(2);
    }
    expect(r.strategies[0].savingsPct.mean).toBe(0);
    expect(r.strategies[1].savingsPct.mean).toBeGreaterThan(30);
  });

  it('prints a table and a sparkline per strategy', async () => {
    const { error, out } = await run(...window, '--workload', good, '--strategies', 'cheapest-spot', '--seeds', '1');
    expect(error).toBeUndefined();
    expect(out).toMatch(/STRATEGY\s+COST \$\s+SAVINGS %/);
    expect(out).toMatch(/cheapest-spot\s+[▁▂▃▄▅▆▇█]+/);
  });

  it('refuses a malformed workload file naming the bad field', async () => {
    const bad = workloadFile('bad.json', { node: { vcpu: -2, memoryGib: 8 }, nodeCount: 4, podsPerNode: 5, extra: 1 });
    const { error } = await run(...window, '--workload', bad);
    expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
    const paths = (isAppError(error) ? (error.details?.issues as { path: string }[]) : []).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['node.vcpu', '']));
    const notJson = await run(...window, '--workload', workloadFile('broken.json', '{"node":'));
    expect(isAppError(notJson.error) && notJson.error.message).toMatch(/not valid JSON/);
    const missing = await run(...window, '--workload', path.join(dir, 'nope.json'));
    expect(isAppError(missing.error) && missing.error.code).toBe('NOT_FOUND');
  });

  it('refuses a range outside the data, naming the available windows', async () => {
    const { error } = await run('--region', 'us-east-1', '--from', '2021-06-01', '--to', '2021-06-08', '--workload', good);
    expect(isAppError(error) && error.code).toBe('NO_DATA');
    expect((error as Error).message).toContain('us-east-1 2021-03-02…2021-05-31');
    expect((error as Error).message).toContain('sa-east-1 2019-12-31…2020-06-23');
    const other = await run('--region', 'eu-west-1', '--from', '2021-04-01', '--to', '2021-04-08', '--workload', good);
    expect(isAppError(other.error) && other.error.code).toBe('NO_DATA');
  });

  it('refuses an unknown strategy and an inverted window', async () => {
    const { error } = await run(...window, '--workload', good, '--strategies', 'cheapest-spot,yolo');
    expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
    expect((error as Error).message).toMatch(/unknown strategy; known: on-demand, cheapest-spot/);
    const inverted = await run('--region', 'us-east-1', '--from', '2021-04-08', '--to', '2021-04-01', '--workload', good);
    expect(isAppError(inverted.error) && inverted.error.code).toBe('VALIDATION_FAILED');
  });
});
