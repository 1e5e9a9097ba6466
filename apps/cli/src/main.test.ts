import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { repoRoot } from './repo-paths.ts';
import { bufferIo } from './testing/buffer-io.ts';

describe('cloudoptim (in process)', () => {
  it('prints help and exits 0', async () => {
    const io = bufferIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const command of ['market', 'db', 'bench', 'start']) expect(io.out()).toContain(command);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = bufferIo();
    expect(await main(['bogus'], io)).toBe(2);
    expect(io.err()).toContain("unknown command 'bogus'");
  });

  it('reports bad configuration at once, without echoing the value', async () => {
    const io = bufferIo({ DATABASE_URL: 'mysql://root:hunter2@db', LOG_LEVEL: 'loud' });
    expect(await main(['db', 'status'], io)).toBe(2);
    expect(io.err()).toContain('DATABASE_URL');
    expect(io.err()).toContain('LOG_LEVEL');
    expect(io.err()).not.toContain('hunter2');
  });

  it('names the file when the market data is missing', async () => {
    const io = bufferIo({ CLOUDOPTIM_MARKET_DATA_DIR: '/nonexistent-market-data' });
    expect(await main(['market', 'price', '--region', 'us-east-1', '--type', 'm5.large', '--json'], io)).toBe(1);
    expect(JSON.parse(io.err()).error).toMatchObject({ code: 'DATA_CORRUPT', details: { file: 'instance-types.json' } });
  });
});

describe('the cloudoptim bin (a real process, as npx runs it)', () => {
  const bin = path.join(repoRoot, 'apps/cli/bin/cloudoptim.mjs');

  it('keeps --json stdout machine-clean and exits non-zero without a stack trace on bad input', () => {
    const ok = spawnSync(process.execPath, [bin, 'market', 'price', '--region', 'us-east-1', '--type', 'm5.large', '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).on_demand_usd_hour).toBe(0.096);

    const bad = spawnSync(process.execPath, [bin, 'market', 'types', '--region', 'us-east-1', '--vcpu', '-1'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('VALIDATION_FAILED');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
