/**
 * Every background worker of central, built over one context. server.ts runs them under leases; tests build the
 * one they need directly.
 */
import { autoscalerWorker } from '../autoscaler/autoscaler.worker.ts';
import { createMetricsRetentionWorker } from '../cluster-data/metrics-retention.worker.ts';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { executorWorker } from '../executor/executor.worker.ts';
import { createClusterHealthWorker } from '../health/cluster-health.worker.ts';
import { createNotificationDeliveryWorker } from '../notifications/notification-delivery.worker.ts';
import { createOfficeHoursWorker } from '../office-hours/office-hours.worker.ts';
import { periodicOptimizersWorker } from '../optimizations/periodic-optimizers.worker.ts';
import { createSavingsSamplerWorker } from '../savings/cost-sampler.ts';
import { savingsVerifierWorker } from '../savings/savings-verifier.ts';
import { createAuthHousekeepingWorker } from '../security/auth-housekeeping.worker.ts';
import { createSpotHandlerWorker } from '../spot-handler/spot-handler.worker.ts';
import { createSpotSwapBackWorker } from '../spot-handler/swap-back.worker.ts';

export function centralWorkers(ctx: CentralContext): WorkerSpec[] {
  return [
    createSpotHandlerWorker(ctx),
    executorWorker(ctx),
    createClusterHealthWorker(ctx),
    autoscalerWorker(ctx),
    periodicOptimizersWorker(ctx),
    createMetricsRetentionWorker(ctx),
    createSpotSwapBackWorker(ctx),
    createSavingsSamplerWorker(ctx),
    savingsVerifierWorker(ctx),
    createNotificationDeliveryWorker(ctx),
    createOfficeHoursWorker(ctx),
    createAuthHousekeepingWorker(ctx),
  ];
}
