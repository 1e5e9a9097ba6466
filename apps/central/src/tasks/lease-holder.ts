/**
 * The lease holder of an agent request: its principal plus the process instance id the agent sends in
 * AGENT_INSTANCE_HEADER (agents from before the header send none, and keep key-wide leases).
 */
import type { FastifyRequest } from 'fastify';
import { AGENT_INSTANCE_HEADER, AgentInstanceIdSchema, AppError } from '@cloudoptim/contracts';
import type { AgentPrincipal } from '../auth/principal.ts';
import type { LeaseHolder } from './task-leases.ts';

/** @throws AppError VALIDATION_FAILED when the header is present but not an instance id (or sent twice). */
export function leaseHolderOf(principal: AgentPrincipal, req: FastifyRequest): LeaseHolder {
  const raw = req.headers[AGENT_INSTANCE_HEADER];
  if (raw === undefined) return principal;
  const parsed = AgentInstanceIdSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', `the ${AGENT_INSTANCE_HEADER} header must be one value of 1–64 letters, digits, '.', '_' or '-'`, { issues: [{ path: `headers.${AGENT_INSTANCE_HEADER}`, message: 'not an agent instance id' }] });
  }
  return { ...principal, instance: parsed.data };
}
