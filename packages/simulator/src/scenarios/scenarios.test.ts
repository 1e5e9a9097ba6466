import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { loadScenario, loadUsageTraces, namedScenarios, SCENARIOS_DIR, traceVmIds } from './load-scenario.ts';
import { usageAt } from './usage-profiles.ts';

const HOUR = 3_600_000;

describe('named scenarios', () => {
  it('ship steady, spiky, spot-storm and office-hours, all valid', () => {
    expect(namedScenarios()).toEqual(['office-hours', 'spiky', 'spot-storm', 'steady']);
    for (const name of namedScenarios()) expect(loadScenario(name).name).toBe(name);
  });

  it('replay real VM traces for trace profiles', () => {
    const scenario = loadScenario('steady');
    const traces = loadUsageTraces(traceVmIds(scenario));
    expect([...traces.keys()]).toEqual([3, 7]);
    const trace = traces.get(3)!;
    expect(trace.stepMs).toBe(300_000);
    const day = Array.from({ length: 288 }, (_, i) => usageAt({ profile: 'trace', vm_id: 3, scale: 1 }, i * 300_000, 'shop/api-0', traces).cpu);
    expect(Math.max(...day)).toBeGreaterThan(Math.min(...day));
  });
});

describe('usage profiles', () => {
  it('are pure functions of time and key', () => {
    const p = { profile: 'daily', base_fraction: 0.2, peak_fraction: 0.8, peak_hour: 15, utc_offset_hours: 0, weekend_factor: 0.5, memory_fraction: 0.5, noise: 0.1 } as const;
    const t = Date.UTC(2021, 3, 7, 15);
    expect(usageAt(p, t, 'a')).toEqual(usageAt(p, t, 'a'));
    expect(usageAt(p, t, 'a')).not.toEqual(usageAt(p, t, 'b'));
    // Peak hour is busier than 3 a.m., and a weekday busier than a weekend day at the same hour.
    expect(usageAt(p, t, 'a').cpu).toBeGreaterThan(usageAt(p, t - 12 * HOUR, 'a').cpu);
    expect(usageAt(p, t, 'a').cpu).toBeGreaterThan(usageAt(p, Date.UTC(2021, 3, 10, 15), 'a').cpu);
  });

  it('office hours are busy inside the window and idle outside', () => {
    const p = { profile: 'office_hours', busy_fraction: 0.6, idle_fraction: 0.02, start_hour: 8, end_hour: 19, utc_offset_hours: 1, memory_fraction: 0.4 } as const;
    expect(usageAt(p, Date.UTC(2021, 3, 7, 10), 'k').cpu).toBeGreaterThan(0.5);
    expect(usageAt(p, Date.UTC(2021, 3, 7, 22), 'k').cpu).toBeLessThan(0.05);
    expect(usageAt(p, Date.UTC(2021, 3, 10, 10), 'k').cpu).toBeLessThan(0.05); // Saturday
  });
});

describe('loadScenario errors', () => {
  const write = (content: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.json');
    fs.writeFileSync(file, content);
    return file;
  };
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return isAppError(error) ? { code: error.code, details: error.details } : { code: 'THROWN' };
    }
    return { code: 'NONE' };
  };

  it('names the bad field, refuses bad JSON, and unknown scenarios', () => {
    const steady = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, 'steady.json'), 'utf8'));
    steady.nodes[0].zone = 'eu-west-1a';
    steady.workloads[1].containers[0].cpu_request = 'lots';
    const bad = codeOf(() => loadScenario(write(JSON.stringify(steady))));
    expect(bad.code).toBe('VALIDATION_FAILED');
    const paths = (bad.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toContain('nodes.0.zone');
    expect(paths).toContain('workloads.1.containers.0.cpu_request');
    expect(codeOf(() => loadScenario(write('{ not json')))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(codeOf(() => loadScenario('no-such-scenario'))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
