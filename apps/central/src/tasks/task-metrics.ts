/** Prometheus metrics of the task queue, shared by the services side (enqueue, cancel) and the agent side (leases). */
import { Counter, type Registry } from '@cloudoptim/runtime';

export interface TaskMetrics {
  /** Tasks entering each status (pending on enqueue, leased, running, and how they end). */
  transitions: Counter<'status'>;
  /** Tasks offered again because the lease of the previous attempt expired. */
  leaseExpiries: Counter;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/** The task metrics registered on `registry` (created on first use, then shared). */
export function taskMetrics(registry: Registry): TaskMetrics {
  return {
    transitions: counter(registry, 'cloudoptim_central_task_transitions_total', 'Tasks entering each status', ['status']),
    leaseExpiries: counter(registry, 'cloudoptim_central_task_lease_expiries_total', 'Tasks offered again after their lease expired', []),
  };
}
