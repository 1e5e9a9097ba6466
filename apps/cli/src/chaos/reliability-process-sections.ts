/**
 * The reliability benchmark's sections that run real processes (see reliability-sections.ts for the list):
 *
 * - `replica-failover` (issue #11 part 2): two central processes on one PostgreSQL database under the agent
 *   fleet at the agents' real cadence, the replica running the workers SIGKILLed mid-run.
 * - `postgres-restart`: one central process on a PostgreSQL server of its own under the fleet; the server is
 *   crashed (`pg_ctl stop -m immediate`) and started again.
 * - `process-kills`: kill -9 of the agent and of central during a Spot interruption, on the real clock.
 *
 * `replica-failover` makes a scratch database on the PostgreSQL server at RELIABILITY_DATABASE_URL (default the
 * machine's); `postgres-restart` runs a private server from the PostgreSQL binaries.
 */
import { createScratchDatabase } from '@cloudoptim/db/testing';
import { runPostgresRestart, runReplicaFailover, type FleetPhaseStats, type LoadShape } from '@cloudoptim/central/testing/reliability';
import { PROCESS_KILL_SCENARIOS, runProcessKill, type ProcessKillOutcome } from './process-kills.ts';
import type { ReliabilityKnobs, ReliabilitySection } from './reliability-report.ts';

const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? '—' : `${count(Math.round(n))} ms`);
const duration = (n: number) => (n < 120_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n / 60_000)} min`);

function phaseRows(phases: FleetPhaseStats[]): (string | number)[][] {
  return phases.map((p) => [p.phase, p.seconds, count(p.requests), p.rps, p.failed, p.retried, Object.entries(p.refused_by).map(([k, v]) => `${k} ×${v}`).join(', ') || '0', `${p.p50_ms} / ${p.p99_ms} / ${p.max_ms}`, Object.entries(p.failures).map(([k, v]) => `${k} ×${v}`).join(', ') || '—']);
}
const PHASE_COLUMNS = ['phase', 'seconds', 'requests', 'req/s', 'failed', 'retried, then ok', 'attempts refused (status or error)', 'p50 / p99 / max ms', 'failures'];

/** The fleet of the load sections: warm-up 20 s, the fault a minute into the load. */
function loadShape(knobs: ReliabilityKnobs): LoadShape {
  return { agents: knobs.loadAgents, seconds: knobs.loadSeconds, faultAtSeconds: 60, warmupSeconds: 20 };
}

export const replicaFailoverSection: ReliabilitySection = {
  name: 'replica-failover',
  async run({ knobs, progress }) {
    const shape = loadShape(knobs);
    const scratch = await createScratchDatabase({ name: 'postgres', serverUrl: knobs.databaseUrl });
    try {
      const r = await runReplicaFailover(scratch.databaseUrl ?? '', { ...shape, onProgress: (l) => progress(`replica-failover: ${l}`) });
      const failed = r.phases.reduce((n, p) => n + p.failed, 0);
      const due = r.leases.filter((l) => l.expired_ms < (shape.seconds - shape.faultAtSeconds) * 1000);
      const late = due.filter((l) => l.handover_ms === null || l.handover_ms - l.expired_ms > 10_000);
      const ok = failed === 0 && r.survivor_ready && late.length === 0 && r.stream_events_after_kill > 0;
      const after = r.phases.find((p) => p.phase === 'after the kill');
      return {
        title: 'Two central replicas on one PostgreSQL, one killed under agent load (`replica-failover`)',
        parameters: `${r.agents} agents at the agent's cadence (poll 10 s, heartbeat 30 s, 50-node / 500-pod metrics 60 s), ${r.seconds} s, replica with the worker leases SIGKILLed at ${r.killed_at_s} s; the fleet retries up to 5 times (250 ms doubling) on the other replica`,
        columns: PHASE_COLUMNS,
        rows: phaseRows(r.phases),
        summary: [
          `Requests failed for good: ${failed}. After the kill the agents of the dead replica retried on the survivor (${after?.retried ?? 0} requests retried, the last ${ms(after?.last_retry_after_ms ?? null)} after the kill); p99 after the kill ${after?.p99_ms ?? '—'} ms. The survivor answered /readyz at the end: ${r.survivor_ready ? 'yes' : '**no**'}; admin-stream events it delivered after the kill: ${r.stream_events_after_kill}.`,
          `Worker leases of the dead replica (a lease is 3 worker intervals from its last pass), after the kill: ${r.leases.map((l) => (l.handover_ms === null ? `${l.worker} expires at ${duration(l.expired_ms)} (after the run)` : `${l.worker} expired at ${duration(l.expired_ms)}, taken at ${duration(l.handover_ms)}`)).join('; ')}.`,
          late.length ? `**Taken late or never:** ${late.map((l) => l.worker).join(', ')}.` : 'Every lease that expired within the run was taken by the survivor on its next pass.',
        ].join('\n\n'),
        ok,
        results: r as unknown as Record<string, unknown>,
      };
    } finally {
      await scratch.dispose();
    }
  },
};

export const postgresRestartSection: ReliabilitySection = {
  name: 'postgres-restart',
  async run({ knobs, progress }) {
    const shape = loadShape(knobs);
    const downSeconds = knobs.pgDownSeconds;
    const r = await runPostgresRestart({ ...shape, downSeconds, onProgress: (l) => progress(`postgres-restart: ${l}`) });
    const failed = r.phases.reduce((n, p) => n + p.failed, 0);
    const after = r.phases.find((p) => p.phase === 'after the restart');
    const down = r.phases.find((p) => p.phase === 'PostgreSQL down');
    const refusedWhileDown = Object.entries(down?.refused_by ?? {}).map(([k, v]) => `${k} ×${v}`).join(', ');
    const ok = failed === 0 && r.central_exited === null && r.ready_after_restart_ms !== null && r.leases_renewed === r.leases_before && r.stream_events_after_restart > 0;
    return {
      title: 'PostgreSQL crashed and restarted under agent load (`postgres-restart`)',
      parameters: `${r.agents} agents at the agent's cadence, ${r.seconds} s, PostgreSQL (a private server) stopped with \`pg_ctl -m immediate\` at ${shape.faultAtSeconds} s and started ${r.down_seconds} s later; the fleet retries up to 5 times (~7.75 s of backoff)`,
      columns: PHASE_COLUMNS,
      rows: phaseRows(r.phases),
      summary: [
        `Requests failed for good: ${failed}; central kept running: ${r.central_exited === null ? 'yes' : `**no** (${r.central_exited})`}; /readyz answered 200 ${ms(r.ready_after_restart_ms)} after PostgreSQL was back. While it was down the fleet's attempts were refused with ${refusedWhileDown || 'nothing'} and retried.`,
        `After the restart: p99 ${after?.p99_ms ?? '—'} ms, ${after?.failed ?? '—'} failed; worker leases renewed ${r.leases_renewed} of ${r.leases_before}; admin-stream events delivered (LISTEN reconnected) ${r.stream_events_after_restart}.`,
      ].join('\n\n'),
      ok,
      results: r as unknown as Record<string, unknown>,
    };
  },
};

export const processKillsSection: ReliabilitySection = {
  name: 'process-kills',
  async run({ knobs, progress }) {
    const runs = knobs.processKillRuns;
    const outcomes: ProcessKillOutcome[] = [];
    for (let seed = knobs.firstSeed; seed < knobs.firstSeed + runs; seed++) {
      for (const s of PROCESS_KILL_SCENARIOS) {
        const o = await runProcessKill(s.name, seed);
        outcomes.push(o);
        progress(`process-kills seed ${seed} ${s.name}: ${o.ok ? 'ok' : `FAILED ${o.failures.join('; ')}`} (killed at ${o.killed_at_s} s, ${o.pods_left_at_kill} pods left${o.cordoned_at_kill ? ', cordoned' : ''}; drained at ${o.drained_after_s ?? '—'} s)`);
      }
    }
    const rows = PROCESS_KILL_SCENARIOS.map((s) => {
      const mine = outcomes.filter((o) => o.scenario === s.name);
      const failed = mine.filter((o) => !o.ok);
      return [s.name, s.fault, mine.length, failed.length, mine.map((o) => `${o.killed_at_s} s (${o.pods_left_at_kill} pods left${o.cordoned_at_kill ? ', cordoned' : ''})`).join(', '), mine.map((o) => (o.drained_after_s === null ? 'never' : `${o.drained_after_s} s`)).join(', '), failed.map((o) => `seed ${o.seed}: ${o.failures.join('; ')}`).join(' ') || '—'];
    });
    const failures = outcomes.filter((o) => !o.ok).length;
    return {
      title: 'kill -9 of central and of the agent during a Spot interruption, real processes (`process-kills`)',
      parameters: `PROCESS_KILL_RUNS=${runs} (seeds ${knobs.firstSeed}–${knobs.firstSeed + runs - 1}); simulator \`steady\`, real clock (the warning is 2 real minutes), central and the agent as CLI child processes`,
      columns: ['scenario', 'fault', 'runs', 'failures', 'killed at, s from the warning (pods of controllers left on the node then)', 'node drained at (deadline 120 s)', 'what failed'],
      rows,
      summary: `${outcomes.length - failures} of ${outcomes.length} runs kept every invariant: no controller pod on the node when it was reclaimed, the warning recorded once with an action, both processes running at the end.`,
      ok: failures === 0,
      results: { runs, outcomes },
    };
  },
};
