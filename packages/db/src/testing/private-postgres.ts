/**
 * A PostgreSQL server of the test's own (initdb in a temp directory, its own port), so a test can crash and
 * restart it without touching the machine's shared server. Uses the machine's PostgreSQL binaries (initdb and
 * pg_ctl under /usr/lib/postgresql/<version>/bin, /usr/local/bin or /usr/bin); as root, runs them as the
 * `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m immediate`: every backend killed without a checkpoint, as a crash (recovery at the next start). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (fast) and deletes its directory. */
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const candidates = [...versions.map((v) => path.join(root, v, 'bin')), '/usr/local/bin', '/usr/bin'];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'pg_ctl')) && fs.existsSync(path.join(dir, 'initdb')));
  if (!found) throw new Error(`no PostgreSQL binaries (pg_ctl, initdb) in ${candidates.join(', ')}`);
  return found;
}

/** True when initdb and pg_ctl are installed. */
export function hasPostgresBinaries(): boolean {
  try {
    binDir();
    return true;
  } catch {
    return false;
  }
}

export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) fs.chownSync(dir, ...postgresIds());
  const pgCtl = (...args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args]) : run(path.join(bin, 'pg_ctl'), args));
  const data = path.join(dir, 'data');
  const initdbArgs = ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'];
  await (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, 'initdb'), ...initdbArgs]) : run(path.join(bin, 'initdb'), initdbArgs));
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`;
  const start = async () => void (await pgCtl('-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'));
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash: async () => void (await pgCtl('-D', data, '-m', 'immediate', '-w', 'stop')),
    start,
    dispose: async () => {
      await pgCtl('-D', data, '-m', 'fast', '-w', 'stop').catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): [number, number] {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root needs a postgres user to run PostgreSQL as');
  return [Number(uid), Number(gid)];
}
