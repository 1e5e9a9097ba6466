/**
 * Central as a real child process (`node --import tsx apps/central/src/main.ts`), for the tests and benchmarks
 * that kill it with SIGKILL or run several replicas on one PostgreSQL. Its log goes to a file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CentralProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGKILL: no shutdown hooks, no lease released, connections cut. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the graceful shutdown. */
  stop(): Promise<void>;
}

/** Polls `url` until it answers 200 (or the process exits, or `timeoutMs` passes). */
export async function waitReady(url: string, timeoutMs: number, exited?: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited?.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (gone) throw new Error(`the process exited before ${url} answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts central with `env` (PORT and HOST must be in it) and waits until /readyz answers. */
export async function startCentralProcess(env: NodeJS.ProcessEnv, logFile: string, readyTimeoutMs = 90_000): Promise<CentralProcess> {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://${env.HOST}:${env.PORT}`;
  try {
    await waitReady(`${url}/readyz`, readyTimeoutMs, exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`central did not start (log: ${logFile}): ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    url,
    pid: child.pid ?? -1,
    child,
    exited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
