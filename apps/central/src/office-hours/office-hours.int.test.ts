/**
 * Office hours through the test kit: schedules from the cluster settings (PATCH route), workloads from the pod
 * snapshot, scale_workload tasks through the real task queue, and an "agent" that leases them and reports
 * results through the client API. Time is a ManualClock walking over a working day.
 */
import { examplePodMetric, type PodMetric } from '@cloudoptim/contracts';
import { OfficeHoursRepository, PodsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { decideOfficeHours } from './office-hours-decisions.ts';
import { createOfficeHoursWorker } from './office-hours.worker.ts';

/** Monday 2026-01-05, 12:00 UTC. */
const MONDAY_NOON = Date.UTC(2026, 0, 5, 12, 0);
const MINUTE = 60_000;

function pods(spec: Record<string, number>): PodMetric[] {
  const base = examplePodMetric();
  return Object.entries(spec).flatMap(([ref, count]) => {
    const [namespace, kind, name] = ref.split('/') as [string, 'Deployment' | 'StatefulSet', string];
    return Array.from({ length: count }, (_, i) => ({ ...base, namespace, pod_name: `${name}-${i}`, node_name: 'ip-10-0-1-5.ec2.internal', phase: 'Running' as const, owner: { kind, name } }));
  });
}

const DAYTIME = { 'staging/Deployment/api': 3, 'staging/StatefulSet/db': 1, 'staging/Deployment/keep': 1, 'kube-system/Deployment/coredns': 2, 'prod/Deployment/web': 2 };

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('office hours on $name', (target) => {
  let central: TestCentral;
  let customer: TestCustomer;
  let cluster: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target, clock: new ManualClock(MONDAY_NOON) });
    customer = await central.createCustomer();
    cluster = await central.registerCluster(customer.customerId);
  });
  afterAll(() => central?.close());

  const snapshot = (spec: Record<string, number>) => new PodsRepository(central.db.db).replace(customer.customerId, cluster.clusterId, pods(spec), new Date(central.clock.now()), new Date(central.clock.now()));
  /** Changes the cluster settings as an admin (a fresh session: the clock walks past the session lifetime). */
  const patchSettings = async (body: Record<string, unknown>) => {
    const admin = await central.createUser('customer_admin', customer.customerId);
    return central.app.inject({ method: 'PATCH', url: `/api/v1/admin/clusters/${cluster.clusterId}/settings`, headers: bearer(admin.token), payload: body });
  };
  /** The agent: leases what is offered and reports success; returns the scale requests it ran. */
  async function agentRuns(): Promise<string[]> {
    const poll = await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks?max=50', headers: bearer(cluster.apiKey) });
    expect(poll.statusCode).toBe(200);
    const ran: string[] = [];
    for (const task of poll.json().tasks as { task_id: string; task_type: string; attempt: number; parameters: { namespace: string; kind: string; name: string; replicas: number; expected_replicas: number | null } }[]) {
      const p = task.parameters;
      ran.push(`${p.namespace}/${p.kind}/${p.name} ${p.expected_replicas}→${p.replicas}`);
      const result = { task_id: task.task_id, status: 'success', executed_at: new Date(central.clock.now()).toISOString(), duration_seconds: 0.2, logs: [], error: null, metadata: {}, attempt: task.attempt };
      const res = await central.app.inject({ method: 'POST', url: `/api/v1/client/tasks/${task.task_id}/result`, headers: bearer(cluster.apiKey), payload: result });
      expect(res.statusCode).toBe(200);
    }
    return ran.sort();
  }
  const remembered = async () => (await new OfficeHoursRepository(central.db.db).list(customer.customerId, cluster.clusterId)).map((w) => `${w.namespace}/${w.kind}/${w.name}=${w.originalReplicas}:${w.state}`);

  it('scales the scheduled namespace down after hours and back to its counts before office hours start, never touching exclusions', async () => {
    const res = await patchSettings({ office_hours: [{ uptime: 'Mon-Fri 08:00-19:00 UTC', namespaces: ['staging'] }], excluded_workloads: ['staging/Deployment/keep'] });
    expect(res.statusCode).toBe(200);
    await snapshot(DAYTIME);
    const worker = createOfficeHoursWorker(central.ctx, { prewarmMinutes: 10 });

    await worker.tick(); // Monday noon: office hours
    expect(await agentRuns()).toEqual([]);

    await central.clock.set(Date.UTC(2026, 0, 5, 19, 5));
    await worker.tick();
    await worker.tick(); // a repeated pass asks for nothing new
    expect(await remembered()).toEqual(['staging/Deployment/api=3:scaling_down', 'staging/StatefulSet/db=1:scaling_down']);
    expect(await agentRuns()).toEqual(['staging/Deployment/api 3→0', 'staging/StatefulSet/db 1→0']);
    await snapshot({ 'staging/Deployment/keep': 1, 'kube-system/Deployment/coredns': 2, 'prod/Deployment/web': 2 });
    await worker.tick();
    expect(await remembered()).toEqual(['staging/Deployment/api=3:down', 'staging/StatefulSet/db=1:down']);

    await central.clock.set(Date.UTC(2026, 0, 6, 7, 45)); // Tuesday, before the pre-warm
    await worker.tick();
    expect(await agentRuns()).toEqual([]);

    await central.clock.set(Date.UTC(2026, 0, 6, 7, 51)); // pre-warm: 10 minutes before 08:00
    await worker.tick();
    expect(await remembered()).toEqual(['staging/Deployment/api=3:restoring', 'staging/StatefulSet/db=1:restoring']);
    expect(await agentRuns()).toEqual(['staging/Deployment/api 0→3', 'staging/StatefulSet/db 0→1']);
    await snapshot(DAYTIME);
    await worker.tick();
    expect(await remembered()).toEqual([]);

    const audit = await central.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'workload.scale' AND cluster_id = $1", [cluster.clusterId]);
    expect(audit[0]?.n).toBe(4);
  });

  it('gives replicas back when the schedule is removed while they are down', async () => {
    await central.clock.set(Date.UTC(2026, 0, 6, 20, 0));
    const worker = createOfficeHoursWorker(central.ctx);
    await worker.tick();
    expect(await agentRuns()).toEqual(['staging/Deployment/api 3→0', 'staging/StatefulSet/db 1→0']);
    await central.clock.advance(MINUTE);
    await worker.tick();
    expect((await patchSettings({ office_hours: [] })).statusCode).toBe(200);
    await worker.tick();
    expect(await agentRuns()).toEqual(['staging/Deployment/api 0→3', 'staging/StatefulSet/db 0→1']);
    await worker.tick();
    expect(await remembered()).toEqual([]);
  });
});

describe('office-hours decisions', () => {
  const settings = { office_hours: [{ uptime: 'Mon-Fri 08:00-19:00 UTC', namespaces: ['dev'], workloads: ['qa/Deployment/app'] }, { uptime: 'always', namespaces: ['dev'], workloads: [] }], excluded_namespaces: ['kube-system'], excluded_workloads: [] };
  const night = Date.UTC(2026, 0, 5, 22, 0);

  it('keeps a workload up when any schedule that selects it says up, and reports schedules that do not parse', () => {
    const out = decideOfficeHours({ settings, running: [{ namespace: 'dev', kind: 'Deployment', name: 'x' }, { namespace: 'qa', kind: 'Deployment', name: 'app' }], remembered: [], nowMs: night, prewarmMinutes: 0 });
    expect(out.decisions.map((d) => [`${d.workload.namespace}/${d.workload.name}`, d.state])).toEqual([
      ['dev/x', 'up'],
      ['qa/app', 'down'],
    ]);
    expect(out.decisions[1]?.windowKey).toBe('0@2026-01-05T19:00:00.000Z');
    const bad = decideOfficeHours({ settings: { ...settings, office_hours: [{ uptime: 'Someday 25:00-26:00', namespaces: ['dev'], workloads: [] }] }, running: [{ namespace: 'dev', kind: 'Deployment', name: 'x' }], remembered: [], nowMs: night, prewarmMinutes: 0 });
    expect(bad.decisions).toEqual([]);
    expect(bad.problems[0]).toMatch(/^office_hours\[0\]\.uptime "Someday 25:00-26:00": /);
  });

  it('never scales down an excluded namespace, and brings back one that became excluded', () => {
    const out = decideOfficeHours({ settings: { ...settings, office_hours: [{ uptime: 'Mon-Fri 08:00-19:00 UTC', namespaces: ['kube-system', 'dev'], workloads: [] }], excluded_namespaces: ['kube-system', 'dev'] }, running: [{ namespace: 'kube-system', kind: 'Deployment', name: 'coredns' }], remembered: [{ namespace: 'dev', kind: 'Deployment', name: 'x' }], nowMs: night, prewarmMinutes: 0 });
    expect(out.decisions.map((d) => [d.workload.name, d.state, d.reason])).toEqual([['x', 'up', 'excluded: replicas given back']]);
  });
});
