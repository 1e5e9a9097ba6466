/**
 * SPEC §5 flow 6 (office hours), end to end over the demo's stack on a SteppedClock (office-hours scenario): a
 * customer admin sets a schedule for the dev and staging namespaces through the cluster settings, with one dev
 * workload excluded; at closing time their Deployments go to 0 replicas in the simulator, and before the office
 * opens again they are back at their original counts. prod (no schedule) and the excluded workload are never
 * touched.
 *
 * The schedule closes for 20 minutes shortly after the stack is up rather than overnight: the same close →
 * pre-warm → open path in about 25 simulated minutes instead of 13 hours (each simulated minute costs real
 * time). Berlin is UTC+1 in January, so a schedule read as UTC would act an hour late and fail the time checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPods, deployment, isRunningAndReady } from './sim-observations.test-support.ts';
import { startSteppedDemo, type SteppedDemo } from './stepped-demo.test-support.ts';

const MINUTE = 60_000;
/** Monday 2026-01-05 11:30 Berlin: the office is open. */
const START_MS = Date.UTC(2026, 0, 5, 10, 30);
/** Central's office-hours worker scales workloads up this long before the office opens. */
const PREWARM_MS = 10 * MINUTE;
const BERLIN = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

const SCHEDULED = [
  ['dev', 'web'],
  ['staging', 'web'],
  ['staging', 'api'],
] as const;
const UNTOUCHED = [
  ['dev', 'api'],
  ['prod', 'web'],
] as const;

describe('office hours end to end (office-hours scenario)', () => {
  let demo: SteppedDemo;
  const original = new Map<string, number>();
  const generations = new Map<string, number | undefined>();
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const replicasOf = (ns: string, name: string) => deployment(demo.cluster.sim, ns, name).spec.replicas;

  beforeAll(async () => {
    demo = await startSteppedDemo({ scenario: 'office-hours', mode: 'recommend', seed: 1, startMs: START_MS });
    const { sim } = demo.cluster;
    for (const [ns, name] of [...SCHEDULED, ...UNTOUCHED]) {
      original.set(key(ns, name), replicasOf(ns, name) ?? 1);
      generations.set(key(ns, name), deployment(sim, ns, name).metadata.generation);
    }
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
  }, 60_000);

  /** Berlin closing time (a UTC instant) and reopening time, 20 minutes later. */
  let closeMs: number;
  let openMs: number;

  it('accepts a timezone-aware schedule for two namespaces with one workload excluded', async () => {
    // The next 5-minute mark at least 4 minutes away: the agent's snapshot of the pods reaches central first.
    closeMs = Math.ceil((demo.clock.now() + 4 * MINUTE) / (5 * MINUTE)) * 5 * MINUTE;
    openMs = closeMs + 20 * MINUTE;
    const uptime = `Mon-Fri 08:00-${BERLIN.format(closeMs)} Europe/Berlin, Mon-Fri ${BERLIN.format(openMs)}-19:00 Europe/Berlin`;
    const view = await demo.api.call<{ version: number; settings: { office_hours: unknown[]; excluded_workloads: string[] } }>('PATCH', `/api/v1/admin/clusters/${demo.cluster.clusterId}/settings`, {
      office_hours: [{ uptime, namespaces: ['dev', 'staging'] }],
      excluded_workloads: ['dev/Deployment/api'],
    });
    expect(view.settings.office_hours).toEqual([{ uptime, namespaces: ['dev', 'staging'], workloads: [] }]);
    expect(view.settings.excluded_workloads).toEqual(['dev/Deployment/api']);
  }, 30_000);

  it('scales the scheduled workloads to 0 at closing time, Berlin time', async () => {
    const { sim } = demo.cluster;
    await demo.until('a minute before closing', () => demo.clock.now() >= closeMs - MINUTE, 15 * MINUTE);
    for (const [ns, name] of SCHEDULED) expect(replicasOf(ns, name), `${ns}/${name} still open`).toBe(original.get(key(ns, name)));

    await demo.until('the scheduled workloads at 0 pods', () => SCHEDULED.every(([ns, name]) => replicasOf(ns, name) === 0 && appPods(sim, ns, name).length === 0), 10 * MINUTE, 15_000);
    expect(demo.clock.now(), 'closed within minutes of the Berlin closing time').toBeLessThan(closeMs + 5 * MINUTE);
    for (const [ns, name] of UNTOUCHED) {
      expect(replicasOf(ns, name)).toBe(original.get(key(ns, name)));
      expect(appPods(sim, ns, name).filter(isRunningAndReady)).toHaveLength(original.get(key(ns, name))!);
    }
  }, 120_000);

  it('brings them back to their original replicas before the office opens again', async () => {
    const { sim } = demo.cluster;
    await demo.until('just before the pre-warm', () => demo.clock.now() >= openMs - PREWARM_MS - MINUTE, 15 * MINUTE);
    for (const [ns, name] of SCHEDULED) expect(replicasOf(ns, name), `${ns}/${name} still closed`).toBe(0);

    await demo.until('the scheduled workloads Running again', () => SCHEDULED.every(([ns, name]) => replicasOf(ns, name) === original.get(key(ns, name)) && appPods(sim, ns, name).filter(isRunningAndReady).length === original.get(key(ns, name))), 10 * MINUTE, 15_000);
    expect(demo.clock.now(), 'Running before the office opens').toBeLessThan(openMs);
    for (const [ns, name] of UNTOUCHED) {
      expect(deployment(sim, ns, name).metadata.generation, `${ns}/${name} never changed`).toBe(generations.get(key(ns, name)));
    }
    expect(demo.errors.samples).toEqual([]);
  }, 120_000);
});
