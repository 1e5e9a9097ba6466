/**
 * The process entry of the agent's container image (deploy/docker/agent.Dockerfile bundles this file): runs
 * the agent from the environment until SIGTERM/SIGINT. Exit codes: 0 stopped cleanly, 1 a component failed
 * to stop, 2 the configuration is invalid or the agent could not start.
 */
import { describeError } from '@cloudoptim/runtime';
import { runAgent } from './main.ts';

try {
  const { lifecycle } = await runAgent(process.env);
  lifecycle.handleSignals(process, (code) => process.exit(code));
} catch (error) {
  process.stderr.write(`cloudoptim agent: ${describeError(error, false)}\n`);
  process.exit(2);
}
