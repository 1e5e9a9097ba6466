import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { LOCK_FILE_NAME, openDatabase, type Database, type DbLogger } from './index.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const indexPath = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Opens (and closes) the data directory from a separate Node process; returns what happened. */
async function openFromAnotherProcess(script: string, dataDir: string): Promise<{ ok: boolean; code?: string; message?: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, dataDir], { cwd: repoRoot, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; code?: string; message?: string };
}

function recordingLog(): DbLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (_obj, msg) => warnings.push(msg) };
}

describe('PGlite data directory lock', () => {
  let tmp: string;
  let dataDir: string;
  let script: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-lock-'));
    dataDir = path.join(tmp, 'data', 'nested'); // created by openDatabase
    script = path.join(tmp, 'open-db.mts');
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(indexPath)};
try {
  const db = await openDatabase({ dataDir: process.argv[2] });
  await db.close();
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: error.code, message: error.message }));
}
`,
    );
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('refuses a second process while the first holds the directory, and lets it in after close()', async () => {
    const first: Database = await openDatabase({ dataDir });
    try {
      const lock = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8')) as { pid: number; hostname: string; started_at: string };
      expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
      expect(Number.isNaN(Date.parse(lock.started_at))).toBe(false);

      const refused = await openFromAnotherProcess(script, dataDir);
      expect(refused.ok).toBe(false);
      expect(refused.code).toBe('DATA_DIR_LOCKED');
      expect(refused.message).toContain(path.resolve(dataDir));
      expect(refused.message).toContain(`process ${process.pid}`);
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);
    expect(await openFromAnotherProcess(script, dataDir)).toEqual({ ok: true });
  });

  it('refuses a second open in the same process', async () => {
    const first = await openDatabase({ dataDir });
    try {
      const error = await openDatabase({ dataDir }).catch((caught: unknown) => caught);
      expect(isAppError(error) && error.code).toBe('DATA_DIR_LOCKED');
    } finally {
      await first.close();
    }
  });

  it('takes over a stale lock whose process is gone, and logs it', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    fs.writeFileSync(
      path.join(dataDir, LOCK_FILE_NAME),
      JSON.stringify({ pid: dead, hostname: os.hostname(), started_at: '2020-01-01T00:00:00.000Z', token: 'stale' }),
    );
    const log = recordingLog();
    const database = await openDatabase({ dataDir, log });
    await database.close();
    expect(log.warnings.some((msg) => msg.includes('stale'))).toBe(true);
  });

  it('takes over a lock a previous run left with this very pid (a restarted container is pid 1 again)', async () => {
    fs.writeFileSync(
      path.join(dataDir, LOCK_FILE_NAME),
      JSON.stringify({ pid: process.pid, hostname: os.hostname(), started_at: '2020-01-01T00:00:00.000Z', token: 'previous-run' }),
    );
    const log = recordingLog();
    const database = await openDatabase({ dataDir, log });
    await database.close();
    expect(log.warnings.some((msg) => msg.includes('stale'))).toBe(true);
  });

  it('takes over a lock whose pid now belongs to a process started after the lock was written', async () => {
    // pid 1 runs, but it started long after 2000-01-01, so it cannot be the holder.
    fs.writeFileSync(
      path.join(dataDir, LOCK_FILE_NAME),
      JSON.stringify({ pid: 1, hostname: os.hostname(), started_at: '2000-01-01T00:00:00.000Z', token: 'reused-pid' }),
    );
    const database = await openDatabase({ dataDir });
    await database.close();
  });

  it('refuses a lock taken on another host (its pid cannot be checked)', async () => {
    const lockFile = path.join(dataDir, LOCK_FILE_NAME);
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 1, hostname: 'some-other-host', started_at: '2020-01-01T00:00:00.000Z', token: 'x' }));
    try {
      const error = await openDatabase({ dataDir }).catch((caught: unknown) => caught);
      expect(isAppError(error) && error.code).toBe('DATA_DIR_LOCKED');
      expect((error as Error).message).toContain('some-other-host');
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
  });
});
