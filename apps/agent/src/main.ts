/**
 * The agent's composition root: configuration from the environment, the real Kubernetes client (a kubeconfig
 * file, or the pod's service account in-cluster), the central client with its WebSocket, the system clock, the
 * health server on HEALTH_CHECK_PORT, and a Lifecycle that stops it all in order. `cloudoptim agent` calls
 * {@link runAgent} and waits for SIGINT/SIGTERM; `cloudoptim agent exec` calls {@link execTask}.
 */
import { CentralClient } from '@cloudoptim/api-client';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import type { TaskResult } from '@cloudoptim/contracts';
import { createLogger, Lifecycle, silentLogger, SystemClock, type Env, type Logger } from '@cloudoptim/runtime';
import { startAgent, type RunningAgent } from './agent.ts';
import { loadAgentConfig, type AgentConfig } from './config.ts';
import { executeTaskOnce } from './executor/exec-once.ts';
import { startHealthServer, type HealthServer } from './health/health-server.ts';
import { wsSocketFactory } from './link/ws-socket.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentProcess {
  config: AgentConfig;
  agent: RunningAgent;
  health: HealthServer;
  lifecycle: Lifecycle;
  log: Logger;
}

/**
 * Starts the agent from `env` (see config.ts for the variables).
 * @throws AppError CONFIG_INVALID (bad environment), VALIDATION_FAILED (the kubeconfig cannot be loaded)
 */
export async function runAgent(env: Env, options: { log?: Logger } = {}): Promise<AgentProcess> {
  const config = loadAgentConfig(env);
  const log = options.log ?? createLogger({ name: 'agent', level: config.logLevel });
  const clock = new SystemClock();
  const kube = new ClientNodeKubeGateway({
    connection: config.kubeconfig ? { kubeconfigPath: config.kubeconfig, ...(config.kubeContext ? { context: config.kubeContext } : {}) } : { inCluster: true },
    clock,
    log: log.child({ component: 'kube' }),
    pageSize: config.kubePageSize,
  });
  const central = new CentralClient({
    baseUrl: config.centralUrl,
    apiKey: config.apiKey,
    timeoutMs: config.centralTimeoutMs,
    socketFactory: wsSocketFactory,
    userAgent: `cloudoptim-agent/${AGENT_VERSION}`,
  });
  const lifecycle = new Lifecycle(log, 20_000);
  const agent = await startAgent({ config, kube, central, clock, log });
  lifecycle.onStop('agent', () => agent.stop());
  const health = await startHealthServer({ port: config.healthPort, readiness: () => agent.readiness(), registry: agent.metrics.registry });
  lifecycle.onStop('health server', () => health.close());
  log.info({ centralUrl: config.centralUrl, healthPort: health.port, inCluster: config.kubeconfig === null }, 'agent running');
  return { config, agent, health, lifecycle, log };
}

export interface ExecTaskOptions {
  /** The Task JSON as given on the command line. */
  taskJson: string;
  /** A kubeconfig file; without it the pod's service account (in-cluster). */
  kubeconfig?: string;
  context?: string;
  log?: Logger;
}

/**
 * `cloudoptim agent exec`: runs one task against the cluster of a kubeconfig and answers its TaskResult (an
 * invalid task answers a `failed` result saying why).
 * @throws AppError VALIDATION_FAILED when the kubeconfig cannot be loaded
 */
export function execTask(o: ExecTaskOptions): Promise<TaskResult> {
  const clock = new SystemClock();
  const log = o.log ?? silentLogger;
  const kube = new ClientNodeKubeGateway({
    connection: o.kubeconfig ? { kubeconfigPath: o.kubeconfig, ...(o.context ? { context: o.context } : {}) } : { inCluster: true },
    clock,
    log,
  });
  return executeTaskOnce(o.taskJson, { kube, clock, log });
}
