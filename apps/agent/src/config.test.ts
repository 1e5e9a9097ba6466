import type { AppError } from '@cloudoptim/contracts';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';

const base = { CENTRAL_SERVER_URL: 'https://central.example.com', CLUSTER_ID: 'cl-prod-1', CENTRAL_API_KEY: 'co_agent_secret_123' };

describe('loadAgentConfig', () => {
  it('applies the defaults of the issue: 60 s metrics, 30 s heartbeat, 10 s poll, port 8080, in-cluster', () => {
    const c = loadAgentConfig({ ...base, POD_NAME: 'cloudoptim-agent-7d9f-x2k4p' });
    expect(c).toMatchObject({
      centralUrl: 'https://central.example.com', clusterId: 'cl-prod-1', agentId: 'cloudoptim-agent-7d9f-x2k4p', kubeconfig: null, healthPort: 8080,
      metricsIntervalMs: 60_000, heartbeatIntervalMs: 30_000, pollIntervalMs: 10_000, logLevel: 'info', streamEnabled: true, maxConcurrentTasks: 4,
    });
    expect(c.buffer).toEqual({ maxMetricsSamples: 30, maxMetricsBytes: 16 * 2 ** 20, maxEvents: 10_000 });
    expect(loadAgentConfig(base).agentId).toMatch(/^agent-[0-9a-f-]{36}$/);
  });

  it('reads intervals, kubeconfig and flags from the environment', () => {
    const c = loadAgentConfig({ ...base, KUBECONFIG: '/tmp/kc', METRICS_INTERVAL_SECONDS: '15', TASK_POLL_INTERVAL_SECONDS: '2.5', STREAM_ENABLED: 'false', HEALTH_CHECK_PORT: '9090', LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ kubeconfig: '/tmp/kc', metricsIntervalMs: 15_000, pollIntervalMs: 2_500, streamEnabled: false, healthPort: 9090, logLevel: 'debug' });
  });

  it('reports every problem at once and never echoes the API key', () => {
    let error: AppError | undefined;
    try {
      loadAgentConfig({ CENTRAL_SERVER_URL: 'not a url', CENTRAL_API_KEY: 'short', HEALTH_CHECK_PORT: '70000' });
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    const vars = (error?.details?.['issues'] as Array<{ variable: string }>).map((i) => i.variable).sort();
    expect(vars).toEqual(['CENTRAL_API_KEY', 'CENTRAL_SERVER_URL', 'CLUSTER_ID', 'HEALTH_CHECK_PORT']);
    expect(error?.message).not.toContain('short');
  });
});
