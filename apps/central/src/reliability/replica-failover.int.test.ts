/**
 * The short version of the replica failover run (issue #11 part 2; the long one is `npm run bench -- reliability`):
 * two central processes on one PostgreSQL database under an agent fleet, the one running the workers killed
 * with SIGKILL. Needs PostgreSQL, so it runs in `npm run test:pg`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@cloudoptim/db/testing';
import { runReplicaFailover } from './failover-runs.ts';

const serverUrl = process.env.TEST_DATABASE_URL;

describe.runIf(serverUrl)('two central replicas on one PostgreSQL, one killed under agent load', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase({ name: 'postgres', serverUrl: serverUrl ?? '' });
  });
  afterAll(async () => scratch?.dispose());

  it('loses no request (beyond retried ones) and hands the dead replica’s 5-second workers over once their leases expire', async () => {
    // Agents at 5× the real cadence, so 20 agents send ~10 requests a second.
    const report = await runReplicaFailover(scratch.databaseUrl ?? '', { agents: 20, seconds: 30, faultAtSeconds: 8, warmupSeconds: 3, periodsMs: { poll: 2000, heartbeat: 6000, metrics: 12_000 }, nodes: 10, pods: 100 });
    const after = report.phases.find((p) => p.phase === 'after the kill');
    expect(report.phases.map((p) => [p.phase, p.failed, p.failures])).toEqual(report.phases.map((p) => [p.phase, 0, {}]));
    expect(after?.requests).toBeGreaterThan(100);
    // Agents pinned to the dead replica had to retry on the survivor: the fault really bit.
    expect(after?.retried).toBeGreaterThan(0);
    expect(report.survivor_ready).toBe(true);
    expect(report.stream_events_after_kill).toBeGreaterThan(0);
    // Every lease of the dead replica that ran out during the run was taken on the survivor's next pass (5 s, plus slack for a loaded CI machine).
    const due = report.leases.filter((l) => l.expired_ms < 15_000);
    expect(due.map((l) => l.worker)).toEqual(expect.arrayContaining(['plan-executor', 'spot-handler']));
    for (const l of due) expect({ worker: l.worker, late: l.handover_ms === null ? null : l.handover_ms - l.expired_ms <= 8000 }).toEqual({ worker: l.worker, late: true });
  }, 120_000);
});
