import { describe, expect, it } from 'vitest';
import { ManualClock } from '@cloudoptim/runtime';
import type { Node, Pod } from '../kube-api/index.ts';
import { usageAt } from '../scenarios/usage-profiles.ts';
import { ProfileUsageProvider } from './usage-provider.ts';
import { USAGE_PROFILE_ANNOTATION } from './workload-manifests.ts';

const daily = { profile: 'daily', base_fraction: 0.2, peak_fraction: 0.8, peak_hour: 15, utc_offset_hours: 0, weekend_factor: 1, memory_fraction: 0.5, noise: 0 } as const;

function pod(name: string, annotation: string | undefined, phase = 'Running', limits?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: name, resourceVersion: '1', creationTimestamp: '', ...(annotation ? { annotations: { [USAGE_PROFILE_ANNOTATION]: annotation } } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'app', resources: { requests: { cpu: '1', memory: '1Gi' }, ...(limits ? { limits } : {}) } }] },
    status: { phase: phase as 'Running' },
  };
}

describe('ProfileUsageProvider', () => {
  it("gives each container its profile's fraction of its request, following the clock", async () => {
    const clock = new ManualClock(Date.UTC(2021, 3, 7, 15));
    const usage = new ProfileUsageProvider({ clock });
    const p = pod('web-1', JSON.stringify({ app: daily }));
    const peak = usage.podUsage(p)![0]!;
    const expected = usageAt(daily, clock.now(), 'shop/web-1/app');
    expect(peak.cpuMillis).toBe(Math.round(expected.cpu * 1000));
    expect(peak.memoryBytes).toBe(Math.round(expected.memory * 2 ** 30));
    expect(peak.cpuMillis).toBeGreaterThan(700);
    await clock.set(Date.UTC(2021, 3, 8, 3));
    expect(usage.podUsage(p)![0]!.cpuMillis).toBeLessThan(300);
  });

  it('has no metrics for pods not running, a default for pods without a profile, and caps at limits', () => {
    const usage = new ProfileUsageProvider({ clock: new ManualClock() });
    expect(usage.podUsage(pod('p', undefined, 'Pending'))).toBeUndefined();
    expect(usage.podUsage(pod('p', undefined))![0]!.cpuMillis).toBe(100);
    expect(usage.podUsage(pod('p', 'not json'))![0]!.cpuMillis).toBe(100);
    const burst = pod('p', JSON.stringify({ profile: 'constant', cpu_fraction: 3, memory_fraction: 2 }), 'Running', { cpu: '1500m', memory: '1536Mi' });
    expect(usage.podUsage(burst)![0]).toEqual({ name: 'app', cpuMillis: 1500, memoryBytes: 1536 * 2 ** 20 });
  });

  it('node usage is its pods plus a system overhead', () => {
    const usage = new ProfileUsageProvider({ clock: new ManualClock() });
    const node = { metadata: { name: 'n1' }, status: { capacity: { cpu: '2', memory: '8Gi' } } } as unknown as Node;
    const pods = [pod('a', JSON.stringify({ profile: 'constant', cpu_fraction: 0.5, memory_fraction: 0.25 })), pod('b', undefined)];
    expect(usage.nodeUsage(node, pods)).toEqual({ cpuMillis: 40 + 20 + 500 + 100, memoryBytes: Math.round(350 * 2 ** 20 + 0.02 * 8 * 2 ** 30 + 2 ** 28 + 2 ** 29) });
  });
});
