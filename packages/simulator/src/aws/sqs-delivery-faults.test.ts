/**
 * The SQS model's opt-in delivery faults (chaos tests): off by default (one copy, on time, in order); on, some
 * messages are stored twice under two ids, copies become visible late, and the same seed gives the same draws.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { createIdSource } from './ids.ts';
import { SqsModel } from './sqs-queues.model.ts';

function model() {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const sqs = new SqsModel({ clock, ids: createIdSource(createRng(1)), region: 'us-east-1', accountId: '123456789012' });
  sqs.createQueue('q');
  return { clock, sqs };
}

const send = (sqs: SqsModel, n: number) => {
  for (let i = 0; i < n; i++) sqs.sendMessage('q', `m${i}`);
};

describe('SQS delivery faults', () => {
  it('are off by default: every message once, visible at once, in send order', async () => {
    const { sqs } = model();
    send(sqs, 5);
    const got = await sqs.receiveMessages('q', { max: 10 });
    expect(got.map((m) => m.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(sqs.duplicatesInjected).toBe(0);
  });

  it('duplicate and delay messages when turned on, reproducibly from the seed', async () => {
    const draws = async (seed: number) => {
      const { clock, sqs } = model();
      sqs.setDeliveryFaults({ duplicateProbability: 0.5, maxDelaySeconds: 30, random: createRng(seed).next });
      send(sqs, 20);
      const visibleNow = (await sqs.receiveMessages('q', { max: 10 })).length;
      await clock.advance(31_000);
      const bodies: string[] = [];
      for (let batch = await sqs.receiveMessages('q', { max: 10, visibilityTimeoutSeconds: 600 }); batch.length; batch = await sqs.receiveMessages('q', { max: 10, visibilityTimeoutSeconds: 600 })) bodies.push(...batch.map((m) => m.body));
      return { visibleNow, duplicates: sqs.duplicatesInjected, bodies };
    };
    const a = await draws(7);
    expect(a.duplicates).toBeGreaterThan(0);
    expect(a.visibleNow).toBeLessThan(10); // some are late
    expect(a.bodies).toHaveLength(20 + a.duplicates); // each copy delivered, under its own id
    expect(new Set(a.bodies).size).toBe(20);
    expect(await draws(7)).toEqual(a);
  });

  it('stop when turned off', async () => {
    const { sqs } = model();
    sqs.setDeliveryFaults({ duplicateProbability: 1, maxDelaySeconds: 0, random: createRng(1).next });
    sqs.setDeliveryFaults(undefined);
    send(sqs, 3);
    expect((await sqs.receiveMessages('q', { max: 10 })).map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
  });
});
