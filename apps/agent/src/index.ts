/**
 * @cloudoptim/agent — the in-cluster agent: task executor, metrics collector, event watcher, link to central,
 * health server. `runAgent(env)` is the production entry (used by `cloudoptim agent`); `startAgent(deps)`
 * composes it from injected dependencies; `executeTaskOnce` runs one task (`cloudoptim agent exec`).
 */
export { runAgent, execTask, type AgentProcess, type ExecTaskOptions } from './main.ts';
export { startAgent, type AgentDeps, type RunningAgent } from './agent.ts';
export { loadAgentConfig, AgentEnvSchema, type AgentConfig } from './config.ts';
export { executeTaskOnce, type ExecOnceOptions } from './executor/exec-once.ts';
export { AGENT_VERSION } from './version.ts';
export { wsSocketFactory } from './link/ws-socket.ts';
