import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../agent-metrics.ts';
import { startHealthServer, type HealthServer, type Readiness } from './health-server.ts';

describe('health server', () => {
  let server: HealthServer;
  let readiness: Readiness = { ready: false, reasons: ['not registered with central yet (no heartbeat accepted)'] };
  const metrics = new AgentMetrics({ processMetrics: false });

  beforeAll(async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', readiness: () => readiness, registry: metrics.registry });
  });
  afterAll(() => server?.close());

  it('answers liveness always and readiness with the reasons', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', reasons: ['not registered with central yet (no heartbeat accepted)'] });
    readiness = { ready: true, reasons: [] };
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('serves the Prometheus metrics', async () => {
    metrics.tasks.inc({ type: 'drain_node', status: 'success' });
    metrics.evictionsRetried.inc(3);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/cloudoptim_agent_tasks_total\{type="drain_node",status="success",app="agent"\} 1/);
    expect(text).toMatch(/cloudoptim_agent_evictions_retried_total\{app="agent"\} 3/);
    expect(text).toContain('# TYPE cloudoptim_agent_drain_duration_seconds histogram');
    expect(text).toContain('cloudoptim_agent_last_central_contact_timestamp_seconds');
  });
});
