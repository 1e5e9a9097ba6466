import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry } from './metrics.ts';

describe('createMetricsRegistry', () => {
  it('exposes process metrics with the app prefix and custom metrics, per registry', async () => {
    const a = createMetricsRegistry('central');
    const b = createMetricsRegistry('ml-server', { processMetrics: false });
    const tasks = new Counter({ name: 'cloudoptim_tasks_total', help: 'tasks', registers: [a] });
    tasks.inc(3);
    const text = await a.metrics();
    expect(text).toContain('cloudoptim_central_process_cpu_user_seconds_total');
    expect(text).toMatch(/cloudoptim_tasks_total\{app="central"\} 3/);
    expect(await b.metrics()).not.toContain('cloudoptim_tasks_total');
  });
});
