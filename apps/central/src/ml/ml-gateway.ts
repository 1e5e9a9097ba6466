import type { DecisionRequest, DecisionResponse } from '@cloudoptim/contracts';

/**
 * What central asks of the ML server. The HTTP implementation is `MlClient` (packages/api-client); tests of the
 * services above it may use a recording fake. Failures: AppError UNAVAILABLE (unreachable, 5xx), or the ML
 * server's own 4xx code.
 */
export interface MlGateway {
  decide(request: DecisionRequest): Promise<DecisionResponse>;
  /** Passes an admin call through to the ML server (model registry, gap filler) and returns its answer as is. */
  forward(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}
