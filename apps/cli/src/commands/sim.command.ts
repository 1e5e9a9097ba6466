import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { loadMarket } from '@cloudoptim/market';
import { createLogger, Lifecycle, ScaledClock, SystemClock } from '@cloudoptim/runtime';
import { loadCliConfig } from '../cli-config.ts';
import type { CliIo } from '../io.ts';

const port = z.coerce.number().int().min(0).max(65535);
const SimOptionsSchema = z.object({
  k8sPort: port.default(0),
  awsPort: port.default(0),
  speed: z.coerce.number().positive('--speed must be > 0').max(3600, '--speed is at most 3600').default(60),
  seed: z.coerce.number().int().optional(),
  scenario: z.string().min(1).default('steady'),
  region: z.string().optional(),
  startNodes: z.coerce.number().int().min(1).max(5000).optional(),
  stateDir: z.string().default('.cloudoptim/sim'),
  duration: z.coerce.number().positive('--duration must be > 0').optional(),
  json: z.boolean().optional(),
});

/** Scales the scenario's node groups to `total` nodes, keeping their proportions (each group keeps ≥ 1). */
export function scaleNodeGroups<T extends { count: number }>(groups: readonly T[], total: number): T[] {
  const sum = groups.reduce((s, g) => s + g.count, 0);
  const scaled = groups.map((g) => ({ ...g, count: Math.max(1, Math.round((g.count / sum) * total)) }));
  let diff = total - scaled.reduce((s, g) => s + g.count, 0);
  for (let i = 0; diff !== 0 && i < scaled.length * 4; i++) {
    const g = scaled[i % scaled.length] as T;
    if (diff > 0) {
      g.count++;
      diff--;
    } else if (g.count > 1) {
      g.count--;
      diff++;
    }
  }
  return scaled;
}

export function registerSimCommand(program: Command, io: CliIo): void {
  program
    .command('sim')
    .description('run the simulator: a local AWS region (EC2, SQS) and Kubernetes cluster driven by real spot prices')
    .option('--k8s-port <port>', 'Kubernetes API port (0 = any free port)', '0')
    .option('--aws-port <port>', 'AWS endpoint port (0 = any free port)', '0')
    .option('--speed <x>', 'simulated seconds per real second', '60')
    .option('--seed <n>', 'random seed (default: the scenario\'s)')
    .option('--scenario <name|file>', 'steady | spiky | spot-storm | office-hours, or a scenario JSON file', 'steady')
    .option('--region <region>', 'AWS region (must match the scenario)')
    .option('--start-nodes <n>', 'start with n nodes, keeping the scenario\'s mix')
    .option('--state-dir <dir>', 'where the kubeconfig is written', '.cloudoptim/sim')
    .option('--duration <minutes>', 'stop after this many simulated minutes (default: run until stopped)')
    .option('--json', 'print the endpoints as one JSON line first, then log JSON lines')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(SimOptionsSchema, raw, 'sim options');
      const config = loadCliConfig(io.env, io.cwd);
      // Loaded on use: the simulator is heavy and only this command needs it.
      const { loadScenario, startSimulator } = await import('@cloudoptim/simulator');
      const scenario = loadScenario(o.scenario);
      if (o.region && o.region !== scenario.region) {
        throw new AppError('VALIDATION_FAILED', `scenario ${scenario.name} runs in ${scenario.region}, not ${o.region}`, { issues: [{ path: 'region', message: `must be ${scenario.region} for this scenario` }] });
      }
      if (o.startNodes) scenario.nodes = scaleNodeGroups(scenario.nodes, o.startNodes);
      const market = loadMarket(config.marketDataDir ? { dataDir: config.marketDataDir } : {});
      const priceHistory = await market.spotPriceHistory();
      const stateDir = path.resolve(io.cwd, o.stateDir);
      fs.mkdirSync(stateDir, { recursive: true });
      const clock = new ScaledClock(new SystemClock(), Date.now(), o.speed);
      const log = createLogger({ name: 'sim', level: o.json ? config.logLevel : 'warn', destination: { write: (line: string) => io.stderr(line) } });
      const sim = await startSimulator({ scenario, market, priceHistory, clock, seed: o.seed, stateDir, k8sPort: o.k8sPort, awsPort: o.awsPort, log });
      const endpoints = { ...sim.endpoints, speed: o.speed };
      if (o.json) io.stdout(`${JSON.stringify(endpoints)}\n`);
      else {
        io.stdout(
          [
            `CloudOptim simulator: scenario ${endpoints.scenario}, seed ${endpoints.seed}, ${o.speed}× real time, region ${endpoints.region}`,
            `  Kubernetes API  ${endpoints.kube_api_url}`,
            `  kubeconfig      ${endpoints.kubeconfig}`,
            `  AWS endpoint    ${endpoints.aws_endpoint}  (EC2 + SQS)`,
            `  SQS queue       ${endpoints.sqs_queue_url}`,
            `  credentials     ${endpoints.aws_access_key_id} / ${endpoints.aws_secret_access_key}`,
            '',
            'Use it:',
            `  export KUBECONFIG=${endpoints.kubeconfig}`,
            `  export AWS_ENDPOINT_URL=${endpoints.aws_endpoint} AWS_REGION=${endpoints.region} AWS_ACCESS_KEY_ID=${endpoints.aws_access_key_id} AWS_SECRET_ACCESS_KEY=${endpoints.aws_secret_access_key}`,
            '  kubectl get nodes -o wide; aws ec2 describe-instances',
            '',
          ].join('\n'),
        );
      }
      const lifecycle = new Lifecycle(log);
      lifecycle.onStop('simulator', () => sim.stop());
      const done = new Promise<void>((resolve) => lifecycle.handleSignals(process, () => resolve()));
      const status = setInterval(() => {
        const stats = sim.cluster.stats();
        const interruptions = sim.events().filter((e) => e.kind === 'interruption-warning').length;
        const line = { sim_time: new Date(clock.now()).toISOString(), nodes: stats.nodes, pods: stats.pods, pending_pods: stats.pendingPods, interruptions };
        if (o.json) io.stderr(`${JSON.stringify({ msg: 'status', ...line })}\n`);
        else io.stdout(`${line.sim_time}  nodes ${line.nodes}  pods ${line.pods} (${line.pending_pods} pending)  interruptions ${line.interruptions}\n`);
      }, 10_000);
      try {
        if (o.duration) await Promise.race([clock.sleep(o.duration * 60_000), done]);
        else await done;
      } finally {
        clearInterval(status);
        await lifecycle.shutdown('done');
      }
    });
}
