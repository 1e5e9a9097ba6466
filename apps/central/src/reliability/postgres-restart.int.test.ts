/**
 * The short version of the PostgreSQL crash-and-restart run (issue #11 part 1; the long one is
 * `npm run bench -- reliability`): central as a real process under an agent fleet on a PostgreSQL server of its
 * own, which is crashed and started again. Runs in `npm run test:pg` (it needs the PostgreSQL binaries).
 */
import { describe, expect, it } from 'vitest';
import { hasPostgresBinaries } from '@cloudoptim/db/testing';
import { runPostgresRestart } from './failover-runs.ts';

describe.runIf(process.env.TEST_DATABASE_URL && hasPostgresBinaries())('PostgreSQL crashed and restarted under agent load', () => {
  it('answers retryably while the database is down and fully recovers after: no lost request, workers and the admin stream back', async () => {
    const report = await runPostgresRestart({ agents: 20, seconds: 18, faultAtSeconds: 6, warmupSeconds: 3, downSeconds: 3, periodsMs: { poll: 2000, heartbeat: 6000, metrics: 12_000 }, nodes: 10, pods: 100 });
    const phase = (name: string) => report.phases.find((p) => p.phase === name);
    expect(report.central_exited).toBeNull();
    // Requests during the outage got 503 (or no answer) and succeeded on a retry; none failed for good.
    expect(report.phases.map((p) => [p.phase, p.failed, p.failures])).toEqual(report.phases.map((p) => [p.phase, 0, {}]));
    const down = phase('PostgreSQL down');
    expect(down?.attempts_refused).toBeGreaterThan(0);
    // Central stays up and says so: 503 (retryable), not 500 and not a dropped connection.
    expect(Object.keys(down?.refused_by ?? {})).toEqual(['503']);
    expect(phase('after the restart')?.requests).toBeGreaterThan(40);
    expect(report.ready_after_restart_ms).not.toBeNull();
    expect(report.leases_renewed).toBe(report.leases_before);
    // LISTEN reconnected: admin events (published through NOTIFY) reach the stream again.
    expect(report.stream_events_after_restart).toBeGreaterThan(0);
  }, 120_000);
});
