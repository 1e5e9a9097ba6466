/**
 * The outbox: results never dropped, metrics and events bounded (oldest dropped, counted), sent in order,
 * kept while central is away, dropped only when central refuses them for good.
 */
import { randomBytes } from 'node:crypto';
import { AppError, exampleClusterEvent, exampleTaskResult, type ClusterEvent, type TaskResult } from '@cloudoptim/contracts';
import { silentLogger } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../agent-metrics.ts';
import { Outbox, type OutboxSender } from './outbox.ts';

class Sender implements OutboxSender {
  down = false;
  refuse = new Set<string>();
  readonly sent: string[] = [];
  private check(what: string): void {
    if (this.down) throw new AppError('UNAVAILABLE', 'central is not reachable', { retryable: true });
    if (this.refuse.has(what)) throw new AppError('LEASE_EXPIRED', 'lease expired');
    this.sent.push(what);
  }
  async postResult(r: TaskResult) {
    this.check(`result:${r.task_id}`);
  }
  async postMetrics(json: string) {
    this.check(`metrics:${(JSON.parse(json) as { n: number }).n}`);
  }
  async postEvents(batch: { events: ClusterEvent[] }) {
    this.check(`events:${batch.events.map((e) => e.event_id).join(',')}`);
  }
}

const result = (id: string) => exampleTaskResult({ task_id: id });
const sample = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(90) });
const event = (id: string) => exampleClusterEvent({ event_id: id });

describe('Outbox', () => {
  it('sends results first, then events, then metrics, oldest first', async () => {
    const o = new Outbox({ maxMetricsSamples: 10, maxMetricsBytes: 1e6, maxEvents: 100 }, silentLogger);
    o.addMetrics(sample(1));
    o.addEvents([event('e1'), event('e2')]);
    o.addResult(result('t1'));
    o.addMetrics(sample(2));
    o.addResult(result('t2'));
    const s = new Sender();
    expect(await o.flush(s)).toEqual({ sent: 5, rejected: 0 });
    expect(s.sent).toEqual(['result:t1', 'result:t2', 'events:e1,e2', 'metrics:1', 'metrics:2']);
    expect(o.depth).toBe(0);
  });

  it('keeps everything while central is unreachable; never drops results; drops the oldest metrics and events past the bound', async () => {
    const metrics = new AgentMetrics({ processMetrics: false });
    const o = new Outbox({ maxMetricsSamples: 3, maxMetricsBytes: 1e6, maxEvents: 4 }, silentLogger, metrics);
    const s = new Sender();
    s.down = true;
    for (let i = 1; i <= 50; i++) o.addResult(result(`t${i}`));
    for (let i = 1; i <= 5; i++) o.addMetrics(sample(i));
    o.addEvents([event('e1'), event('e2'), event('e3')]);
    o.addEvents([event('e4'), event('e5'), event('e6')]);
    const failed = await o.flush(s);
    expect(failed.sent).toBe(0);
    expect((failed.stoppedBy as AppError).code).toBe('UNAVAILABLE');
    expect(o.sizes).toMatchObject({ results: 50, metrics: 3, events: 4 });
    expect(o.dropped).toEqual({ metrics: 2, events: 2 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/cloudoptim_agent_buffer_dropped_total\{kind="metrics",app="agent"\} 2/);
    expect(text).toMatch(/cloudoptim_agent_buffer_depth\{kind="result",app="agent"\} 50/);

    s.down = false;
    expect((await o.flush(s)).sent).toBe(50 + 1 + 3);
    expect(s.sent.filter((x) => x.startsWith('result:'))).toHaveLength(50);
    expect(s.sent.slice(50)).toEqual(['events:e3,e4,e5,e6', 'metrics:3', 'metrics:4', 'metrics:5']);
  });

  it('keeps metrics deflated, bounded by deflated bytes, keeping at least the newest sample', async () => {
    const big = (n: number) => JSON.stringify({ n, pods: Array.from({ length: 2000 }, (_, i) => ({ pod_name: `web-${i}`, phase: 'Running' })) });
    const o = new Outbox({ maxMetricsSamples: 100, maxMetricsBytes: 10_000, maxEvents: 10 }, silentLogger);
    o.addMetrics(big(1));
    const one = o.sizes.metricsBytes;
    expect(one).toBeLessThan(big(1).length / 10);
    const incompressible = (n: number) => JSON.stringify({ n, pad: randomBytes(6_000).toString('base64') });
    for (let i = 2; i <= 4; i++) o.addMetrics(incompressible(i));
    expect(o.sizes.metrics).toBe(1);
    const s = new Sender();
    await o.flush(s);
    expect(s.sent).toEqual(['metrics:4']);
    o.addMetrics(big(5));
    await o.flush(s);
    expect(s.sent).toEqual(['metrics:4', 'metrics:5']);
  });

  it('replaces a queued result of the same task and attempt (posting is idempotent)', () => {
    const o = new Outbox({ maxMetricsSamples: 1, maxMetricsBytes: 1e6, maxEvents: 1 }, silentLogger);
    o.addResult(result('t1'));
    o.addResult({ ...result('t1'), status: 'failed', error: 'x' });
    o.addResult({ ...result('t1'), attempt: 2 });
    expect(o.sizes.results).toBe(2);
  });

  it('drops an item central refuses for good and goes on with the rest', async () => {
    const o = new Outbox({ maxMetricsSamples: 10, maxMetricsBytes: 1e6, maxEvents: 10 }, silentLogger);
    o.addResult(result('stale'));
    o.addResult(result('fresh'));
    const s = new Sender();
    s.refuse.add('result:stale');
    expect(await o.flush(s)).toEqual({ sent: 1, rejected: 1 });
    expect(s.sent).toEqual(['result:fresh']);
    expect(o.depth).toBe(0);
  });
});
