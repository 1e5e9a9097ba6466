/**
 * The demo stack for end-to-end tests, on a SteppedClock: simulated time runs as fast as the process goes quiet,
 * so a test lets an hour pass with `await demo.pass(HOUR)` and reads the outcome, and what the product decides
 * does not depend on how loaded the machine is. Logged in as the customer's admin, through the real admin API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMarket } from '@cloudoptim/market';
import { silentLogger, SteppedClock } from '@cloudoptim/runtime';
import { loadScenario } from '@cloudoptim/simulator';
import { DemoAdminApi } from './admin-api.ts';
import { ErrorCounter } from './counting-logger.ts';
import { DemoRecorder } from './demo-recorder.ts';
import { startDemoStack, type DemoCluster, type DemoStack } from './demo-stack.ts';

/** Monday 2026-01-05 08:00 UTC, as the headless demo. */
export const DEMO_START_MS = Date.UTC(2026, 0, 5, 8, 0);

export interface SteppedDemo {
  stack: DemoStack;
  clock: SteppedClock;
  /** Signed in as the customer's admin. */
  api: DemoAdminApi;
  recorder: DemoRecorder;
  errors: ErrorCounter;
  cluster: DemoCluster;
  /** Resolves once `ms` of simulated time has passed. */
  pass(ms: number): Promise<void>;
  /** Lets simulated time pass (in `stepMs` steps, up to `withinMs`) until `fn` answers something truthy. */
  until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, withinMs: number, stepMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface SteppedDemoOptions {
  scenario: string;
  mode: 'recommend' | 'automate';
  seed?: number;
  startMs?: number;
}

export async function startSteppedDemo(options: SteppedDemoOptions): Promise<SteppedDemo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-demo-'));
  const clock = new SteppedClock({ startMs: options.startMs ?? DEMO_START_MS });
  const errors = new ErrorCounter();
  const market = loadMarket();
  const stack = await startDemoStack({ scenario: loadScenario(options.scenario), seed: options.seed ?? 1, clusters: 1, mode: options.mode, market, priceHistory: await market.spotPriceHistory(), clock, speed: 1, port: 0, dataDir: dir, log: errors.wrap(silentLogger) }).catch(async (error: unknown) => {
    await clock.stop();
    throw error;
  });
  // Time starts once the stack is up, so a run starts exactly at `startMs` whatever the machine (the scenario's
  // nodes boot after it, with central already watching); started earlier, it ran on during start-up's idle
  // moments (file and network I/O) by 3 to 30 simulated minutes, depending on the load.
  clock.start();
  const api = new DemoAdminApi(stack.url);
  await api.login(stack.email, stack.password);
  const pass = (ms: number) => clock.sleep(ms);
  return {
    stack,
    clock,
    api,
    recorder: new DemoRecorder(stack, clock, errors),
    errors,
    cluster: stack.clusters[0]!,
    pass,
    async until(what, fn, withinMs, stepMs = 30_000) {
      const until = clock.now() + withinMs;
      for (;;) {
        const value = await Promise.resolve(fn()).catch(() => undefined);
        if (value) return value;
        if (clock.now() >= until) throw new Error(`${what}: not within ${withinMs / 60_000} simulated minutes`);
        await pass(stepMs);
      }
    },
    async stop() {
      await stack.stop();
      await clock.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
