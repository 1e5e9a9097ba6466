import { describe, expect, it } from 'vitest';
import { healthOf } from './cluster-health.ts';

const last = new Date(Date.UTC(2026, 0, 1));
const after = (seconds: number) => last.getTime() + seconds * 1000;

describe('healthOf (heartbeat every 30 s)', () => {
  it.each([
    [0, 'GREEN'],
    [60, 'GREEN'],
    [61, 'YELLOW'],
    [120, 'YELLOW'],
    [121, 'RED'],
  ] as const)('%i s after the last heartbeat → %s', (seconds, health) => {
    expect(healthOf({ lastHeartbeatAt: last, agentStatus: 'healthy' }, after(seconds), 30)).toBe(health);
  });

  it('is YELLOW while the agent reports itself degraded, RED without any heartbeat', () => {
    expect(healthOf({ lastHeartbeatAt: last, agentStatus: 'degraded' }, after(1), 30)).toBe('YELLOW');
    expect(healthOf({ lastHeartbeatAt: last, agentStatus: 'degraded' }, after(200), 30)).toBe('RED');
    expect(healthOf({ lastHeartbeatAt: null, agentStatus: null }, after(0), 30)).toBe('RED');
  });
});
