import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A Prometheus registry per app (no global default registry, so several apps can share a process in the
 * demo and in tests). Process metrics are collected with the `cloudoptim_<app>_` prefix.
 */
export function createMetricsRegistry(app: string, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: `cloudoptim_${app.replace(/-/g, '_')}_` });
  return registry;
}

export { Registry, Counter, Gauge, Histogram, Summary } from 'prom-client';
