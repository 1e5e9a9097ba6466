/**
 * A cluster's health from its agent's heartbeats: GREEN while heartbeats arrive, YELLOW once two intervals passed
 * without one (or the agent says it is degraded), RED after four — or when no agent ever connected.
 */
import type { HealthStatus } from '@cloudoptim/contracts';

export interface LivenessInput {
  /** When central last received a heartbeat (null: never). */
  lastHeartbeatAt: Date | null;
  /** What the agent said of itself in that heartbeat. */
  agentStatus: 'healthy' | 'degraded' | null;
}

/** The health at `nowMs` for agents that beat every `heartbeatSeconds`. */
export function healthOf(input: LivenessInput, nowMs: number, heartbeatSeconds: number): HealthStatus {
  if (!input.lastHeartbeatAt) return 'RED';
  const silentMs = nowMs - input.lastHeartbeatAt.getTime();
  const intervalMs = heartbeatSeconds * 1000;
  if (silentMs > 4 * intervalMs) return 'RED';
  if (silentMs > 2 * intervalMs || input.agentStatus === 'degraded') return 'YELLOW';
  return 'GREEN';
}
