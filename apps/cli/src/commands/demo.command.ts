import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import { loadMarket } from '@cloudoptim/market';
import { createLogger, Lifecycle, ScaledClock, SteppedClock, SystemClock } from '@cloudoptim/runtime';
import { loadCliConfig } from '../cli-config.ts';
import type { CliIo } from '../io.ts';

/** "6h", "90m", "45s" or minutes. */
const DurationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?[hms]?$/, 'a duration like 6h, 90m or 30s')
  .transform((s) => {
    const n = Number.parseFloat(s);
    const unit = s.at(-1);
    return unit === 'h' ? n * 3_600_000 : unit === 's' ? n * 1000 : n * 60_000;
  });

/** Monday 2026-01-05 08:00 UTC: a headless run starts at the opening of a working week. */
const HEADLESS_START_MS = Date.UTC(2026, 0, 5, 8, 0);

export const DemoOptionsSchema = z.object({
  speed: z.coerce.number().positive().max(3600).optional(),
  seed: z.coerce.number().int().default(1),
  scenario: z.string().min(1).default('spot-storm'),
  duration: DurationSchema.optional(),
  headless: z.boolean().default(false),
  summary: z.string().min(1).optional(),
  json: z.boolean().default(false),
  clusters: z.coerce.number().int().min(1).max(10).default(1),
  mode: z.enum(['recommend', 'automate']).default('automate'),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  dataDir: z.string().default('.cloudoptim/demo'),
});
export type DemoOptions = z.output<typeof DemoOptionsSchema>;

export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the whole product on this machine: simulator, ML server, central (with the admin UI) and an agent per cluster')
    .option('--speed <x>', 'simulated seconds per real second (default 60; headless: at most this fast, default 600)')
    .option('--seed <n>', 'random seed', '1')
    .option('--scenario <name|file>', 'steady | spiky | spot-storm | office-hours, or a scenario JSON file', 'spot-storm')
    .option('--duration <d>', 'stop after this much simulated time (6h, 90m, 30s); headless default 6h')
    .option('--headless', 'no live panel: run to the end and print (or --summary write) the summary JSON')
    .option('--summary <file>', 'write the summary JSON here at the end')
    .option('--json', 'print one JSON line {url, email, password, kubeconfig, aws_endpoint} first')
    .option('--clusters <n>', 'simulated clusters (one simulator and agent each)', '1')
    .option('--mode <mode>', 'recommend | automate', 'automate')
    .option('--port <port>', 'central port (0 = any free port)', '8000')
    .option('--data-dir <dir>', 'where each run gets a fresh directory', '.cloudoptim/demo')
    .action(async (raw: unknown) => runDemo(parseOrThrow(DemoOptionsSchema, raw, 'demo options'), io));
}

export async function runDemo(o: DemoOptions, io: CliIo): Promise<void> {
  const config = loadCliConfig(io.env, io.cwd);
  const { loadScenario } = await import('@cloudoptim/simulator');
  const { startDemoStack } = await import('../demo/demo-stack.ts');
  const { DemoRecorder } = await import('../demo/demo-recorder.ts');
  const { ErrorCounter } = await import('../demo/counting-logger.ts');
  const { ensureAdminUiBuilt } = await import('../demo/admin-ui-build.ts');
  const speed = o.speed ?? (o.headless ? 600 : 60);
  const durationMs = o.duration ?? (o.headless ? 6 * 3_600_000 : undefined);
  const scenario = loadScenario(o.scenario);
  if (!o.headless) await ensureAdminUiBuilt((line) => io.stderr(line));
  const market = loadMarket(config.marketDataDir ? { dataDir: config.marketDataDir } : {});
  const priceHistory = await market.spotPriceHistory();
  const runDir = path.resolve(io.cwd, o.dataDir, new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(runDir, { recursive: true });
  const errors = new ErrorCounter();
  const logFile = fs.createWriteStream(path.join(runDir, 'demo.log'));
  const log = errors.wrap(createLogger({ name: 'demo', level: 'info', destination: logFile }));
  // Headless runs step simulated time from a fixed instant, so a seed reproduces its summary on any machine;
  // the live demo follows the wall clock, scaled, for people watching.
  const stepped = o.headless ? new SteppedClock({ startMs: HEADLESS_START_MS, maxSpeed: speed }) : undefined;
  const clock = stepped ?? new ScaledClock(new SystemClock(), Date.now(), speed);

  const stack = await startDemoStack({ scenario, seed: o.seed, clusters: o.clusters, mode: o.mode, market, priceHistory, clock, speed: stepped ? 1 : speed, port: o.port, dataDir: runDir, log });
  // Stepped time starts once everything is up: started earlier it would move during start-up's idle moments
  // (file and network I/O), by an amount that depends on the machine.
  stepped?.start();
  const first = stack.clusters[0];
  const endpoints = { url: stack.url, email: stack.email, password: stack.password, kubeconfig: first?.sim.endpoints.kubeconfig ?? null, aws_endpoint: first?.sim.endpoints.aws_endpoint ?? null };
  if (o.json) io.stdout(`${JSON.stringify(endpoints)}\n`);
  else if (!o.headless) {
    io.stdout(
      [
        `CloudOptim demo — scenario ${scenario.name}, seed ${o.seed}, ${speed}× real time, ${o.clusters} cluster(s), ${o.mode} mode`,
        `  admin UI     ${stack.url}   (sign in: ${stack.email} / ${stack.password})`,
        `  kubeconfig   ${endpoints.kubeconfig}   (kubectl works against the simulated cluster)`,
        `  AWS          ${endpoints.aws_endpoint}   (EC2 + SQS; aws --endpoint-url)`,
        `  logs         ${path.join(runDir, 'demo.log')}`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  }

  const recorder = new DemoRecorder(stack, clock, errors);
  const lifecycle = new Lifecycle(log, 30_000);
  const interrupted = new Promise<void>((resolve) => lifecycle.handleSignals(process, () => resolve()));
  const abort = new AbortController();
  const sampling = (async () => {
    while (!abort.signal.aborted) {
      await clock.sleep(60_000, abort.signal).catch(() => {});
      if (!abort.signal.aborted) await recorder.sample().catch((error: unknown) => log.warn({ err: String(error) }, 'demo: sample failed'));
    }
  })();
  const panel = o.headless
    ? undefined
    : setInterval(() => {
        void recorder.status().then((s) => {
          const line = `${s.sim_time.slice(0, 16).replace('T', ' ')}  nodes ${s.nodes} (spot ${s.spot_nodes} / on-demand ${s.on_demand_nodes})  pending ${s.pending_pods}  $${s.cost_per_hour}/h vs $${s.baseline_per_hour}/h  saving ${s.savings_pct}%  interruptions ${s.interruption_warnings} (drained in time ${s.drained_before_deadline})  plans ${s.plans_executed}`;
          if (o.json) io.stderr(`${JSON.stringify({ msg: 'status', ...s })}\n`);
          else io.stdout(`${line}\n`);
        });
      }, 5000);

  try {
    await (durationMs === undefined ? interrupted : Promise.race([clock.sleep(durationMs), interrupted]));
  } finally {
    if (panel) clearInterval(panel);
    abort.abort();
    await sampling;
    const summary = await recorder.summary();
    // Steps taken while the process was still busy (start-up's password hashing, say) depend on the machine, so
    // they go to the log, not into the reproducible summary.
    if (stepped?.forcedSteps) log.info({ forced_steps: stepped.forcedSteps, steps: stepped.steps }, 'demo: simulated time moved while the process was busy');
    await stack.stop();
    await stepped?.stop();
    logFile.end();
    const text = `${JSON.stringify(summary, null, 2)}\n`;
    if (o.summary) fs.writeFileSync(path.resolve(io.cwd, o.summary), text);
    if (o.headless || o.summary) io.stdout(o.headless ? text : `summary written to ${o.summary}\n`);
  }
}
