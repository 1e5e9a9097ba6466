import { describe, expect, it } from 'vitest';
import { FakeInterruptionSource } from './fake-interruption-source.ts';

const warning = (id: string) => ({ version: '0', id, 'detail-type': 'EC2 Spot Instance Interruption Warning', source: 'aws.ec2', account: '123456789012', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { 'instance-id': 'i-0a1b2c3d4e5f60718', 'instance-action': 'terminate' } });

describe('FakeInterruptionSource', () => {
  it('delivers at least once: hidden while in flight, redelivered unless acked, stale receipts delete nothing', async () => {
    const src = new FakeInterruptionSource();
    src.push(warning('e1'));
    src.push('garbage');
    const [w, bad] = await src.receive({ maxMessages: 10, waitSeconds: 0 });
    expect(w).toMatchObject({ type: 'interruption_warning', eventId: 'e1', receipt: { receiveCount: 1 } });
    expect(bad).toMatchObject({ type: 'malformed' });
    expect(await src.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([]);
    src.redeliver();
    const again = await src.receive({ maxMessages: 1, waitSeconds: 0 });
    expect(again[0]).toMatchObject({ eventId: 'e1', receipt: { receiveCount: 2 } });
    await src.ack(w as NonNullable<typeof w>); // stale
    expect(src.depth).toBe(2);
    await src.ack(again[0] as NonNullable<(typeof again)[0]>);
    expect(src.depth).toBe(1);
  });
});
