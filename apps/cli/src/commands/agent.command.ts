import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { printJson, type CliIo } from '../io.ts';

const seconds = z.coerce.number().positive().optional();
const AgentOptionsSchema = z.object({
  centralUrl: z.string().optional(),
  clusterId: z.string().optional(),
  apiKey: z.string().optional(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  healthPort: z.coerce.number().int().min(0).max(65535).optional(),
  logLevel: z.string().optional(),
  metricsInterval: seconds,
  heartbeatInterval: seconds,
  pollInterval: seconds,
});

const ExecOptionsSchema = z.object({
  task: z.string().min(1),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
});

/** Flags → the agent's environment variables (a flag wins over the variable). */
function envOverrides(o: z.output<typeof AgentOptionsSchema>): Record<string, string> {
  const pairs: Array<[string, string | number | undefined]> = [
    ['CENTRAL_SERVER_URL', o.centralUrl], ['CLUSTER_ID', o.clusterId], ['CENTRAL_API_KEY', o.apiKey], ['KUBECONFIG', o.kubeconfig],
    ['KUBE_CONTEXT', o.context], ['HEALTH_CHECK_PORT', o.healthPort], ['LOG_LEVEL', o.logLevel], ['METRICS_INTERVAL_SECONDS', o.metricsInterval],
    ['HEARTBEAT_INTERVAL_SECONDS', o.heartbeatInterval], ['TASK_POLL_INTERVAL_SECONDS', o.pollInterval],
  ];
  return Object.fromEntries(pairs.filter((p): p is [string, string | number] => p[1] !== undefined).map(([k, v]) => [k, String(v)]));
}

/**
 * `cloudoptim agent`: runs the in-cluster agent (configuration from the environment — CENTRAL_SERVER_URL,
 * CLUSTER_ID, CENTRAL_API_KEY, KUBECONFIG or in-cluster, intervals, HEALTH_CHECK_PORT, LOG_LEVEL — or the
 * matching flags) until SIGINT/SIGTERM.
 *
 * `cloudoptim agent exec --kubeconfig K --task '<Task JSON>'`: runs one task against the cluster and prints its
 * TaskResult JSON; exits non-zero unless the task succeeded (an invalid task still prints a failed result).
 */
export function registerAgentCommand(program: Command, io: CliIo): void {
  const agent = program
    .command('agent')
    .description('run the in-cluster agent (task executor, metrics collector, event watcher) against central')
    .option('--central-url <url>', 'central server URL (CENTRAL_SERVER_URL)')
    .option('--cluster-id <id>', 'cluster id (CLUSTER_ID)')
    .option('--api-key <key>', 'cluster API key (CENTRAL_API_KEY; prefer the variable: arguments are visible in ps)')
    .option('--kubeconfig <file>', 'kubeconfig file (KUBECONFIG; default: the pod\'s service account)')
    .option('--context <name>', 'kubeconfig context (KUBE_CONTEXT)')
    .option('--health-port <port>', 'health, readiness and /metrics port (HEALTH_CHECK_PORT, default 8080)')
    .option('--log-level <level>', 'LOG_LEVEL: fatal, error, warn, info, debug, trace, silent')
    .option('--metrics-interval <seconds>', 'seconds between metrics snapshots (METRICS_INTERVAL_SECONDS, default 60)')
    .option('--heartbeat-interval <seconds>', 'seconds between heartbeats (HEARTBEAT_INTERVAL_SECONDS, default 30)')
    .option('--poll-interval <seconds>', 'seconds between task polls (TASK_POLL_INTERVAL_SECONDS, default 10)')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(AgentOptionsSchema, raw, 'agent options');
      const { runAgent } = await import('@cloudoptim/agent');
      const { lifecycle, health } = await runAgent({ ...io.env, ...envOverrides(o) });
      io.stderr(`CloudOptim agent running; health, readiness and metrics on port ${health.port}\n`);
      await new Promise<void>((resolve) => lifecycle.handleSignals(process, () => resolve()));
    });

  agent
    .command('exec')
    .description('run one task against a cluster and print its TaskResult JSON (debugging; no central needed)')
    .requiredOption('--task <json>', 'the Task as JSON')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else the pod\'s service account)')
    .option('--context <name>', 'kubeconfig context')
    .action(async (raw: unknown) => {
      // `agent` has the same --kubeconfig/--context options and commander gives them to it even after `exec`.
      const parent = agent.opts<{ kubeconfig?: string; context?: string }>();
      const o = parseOrThrow(ExecOptionsSchema, { kubeconfig: parent.kubeconfig, context: parent.context, ...(raw as object) }, 'agent exec options');
      const { execTask } = await import('@cloudoptim/agent');
      const kubeconfig = o.kubeconfig ?? io.env['KUBECONFIG'];
      const result = await execTask({ taskJson: o.task, ...(kubeconfig ? { kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
      printJson(io, result);
      if (result.status !== 'success') {
        throw new AppError(result.error_code ?? 'UNPROCESSABLE', `task ${result.task_id} ended ${result.status}: ${result.error ?? 'no error given'}`);
      }
    });
}
