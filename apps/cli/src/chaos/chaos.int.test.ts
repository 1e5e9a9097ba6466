/**
 * The short chaos suite (issue #11 part 1): every scenario of chaos-scenarios.ts once, seed 1, on one stack in
 * automate mode, each followed by the consistency checker. `npm run bench -- reliability` runs them over more
 * seeds. What each fault is and what is checked: chaos-scenarios.ts and consistency-checker.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAOS_SCENARIOS, runChaosSuite, type ChaosOutcome } from './chaos-scenarios.ts';

describe('chaos (steady scenario, seed 1)', () => {
  let outcomes: ChaosOutcome[] = [];

  beforeAll(async () => {
    outcomes = await runChaosSuite(1);
  }, 180_000);

  afterAll(() => {
    for (const o of outcomes) console.log(`chaos ${o.scenario}: ${o.report.ok ? 'ok' : o.report.failures.join('; ')} (${o.sim_minutes} sim min, ${o.real_ms} ms) ${JSON.stringify(o.notes).slice(0, 400)}`);
  });

  it('runs every scenario', () => {
    expect(outcomes.map((o) => o.scenario)).toEqual(CHAOS_SCENARIOS.map((s) => s.name));
  });

  it.each(CHAOS_SCENARIOS.map((s) => [s.name]))('%s: the state stays consistent', (name) => {
    const outcome = outcomes.find((o) => o.scenario === name);
    expect(outcome?.report.failures).toEqual([]);
  });

  it('the faults really bit', () => {
    const notes = (name: string) => outcomes.find((o) => o.scenario === name)?.notes ?? {};
    expect(notes('sqs-duplicate-delay-reorder').duplicates_injected).toBeGreaterThan(0);
    expect(notes('kube-api-500-429').kube_requests_refused).toBeGreaterThan(0);
    expect(notes('agent-partition-10min').agent_requests_refused).toBeGreaterThan(0);
    expect(notes('ml-server-killed-mid-request').request_held).toBe('POST /api/v1/ml/decision/rightsize');
    expect(String(notes('ml-server-killed-mid-request').trigger_in_flight)).toMatch(/answered 503.*\(UNAVAILABLE\)$/);
    expect(String(notes('ml-server-killed-mid-request').trigger_while_down)).toMatch(/answered 503.*\(UNAVAILABLE\)$/);
  });
});
