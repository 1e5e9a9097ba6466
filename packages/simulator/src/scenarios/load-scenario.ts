import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { loadWorkloadTrace, type WorkloadSample, type WorkloadSeries } from '@cloudoptim/market';
import { type Scenario, ScenarioSchema } from './scenario.schema.ts';
import type { UsageTrace } from './usage-profiles.ts';

/** The named scenarios shipped with the simulator (`packages/simulator/scenarios/<name>.json`). */
export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export function namedScenarios(): string[] {
  return fs
    .readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Loads a scenario by name (one of `namedScenarios()`) or by file path.
 * @throws AppError NOT_FOUND (no such scenario or file), VALIDATION_FAILED (bad JSON or schema, with paths).
 */
export function loadScenario(nameOrPath: string): Scenario {
  const named = /^[a-z0-9-]+$/.test(nameOrPath) ? path.join(SCENARIOS_DIR, `${nameOrPath}.json`) : undefined;
  const file = named && fs.existsSync(named) ? named : path.resolve(nameOrPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AppError('NOT_FOUND', `no scenario ${JSON.stringify(nameOrPath)}: not a named scenario (${namedScenarios().join(', ')}) nor a readable file`, { scenario: nameOrPath });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `scenario ${file} is not valid JSON: ${(error as Error).message}`, { file });
  }
  return parseOrThrow(ScenarioSchema, json, `scenario ${path.basename(file)}`);
}

/** The VM ids a scenario's trace profiles use. */
export function traceVmIds(scenario: Scenario): number[] {
  const ids = new Set<number>();
  for (const w of scenario.workloads) for (const c of w.containers) if (c.usage.profile === 'trace') ids.add(c.usage.vm_id);
  return [...ids].sort((a, b) => a - b);
}

/**
 * Turns the Bitbrains VM trace (shipped with the market data) into usage traces: each VM's CPU and memory
 * use as fractions of what it was provisioned, at the trace's 5-minute step.
 * @throws AppError NOT_FOUND for a VM id the trace does not hold (it has VMs 1–30).
 */
export function loadUsageTraces(vmIds: readonly number[], options: { dataDir?: string } = {}): Map<number, UsageTrace> {
  if (!vmIds.length) return new Map();
  const series = loadWorkloadTrace({ ...options, vmIds: [...vmIds] });
  return new Map(series.map((vm) => [vm.vmId, toUsageTrace(vm)]));
}

const TRACE_STEP_MS = 300_000;

/** Resamples a VM's samples onto a fixed 5-minute grid, carrying the last sample over gaps (powered-off rows). */
function toUsageTrace(vm: WorkloadSeries): UsageTrace {
  const samples = vm.samples;
  const first = samples[0]?.timeMs ?? 0;
  const last = samples[samples.length - 1]?.timeMs ?? 0;
  const n = samples.length ? Math.floor((last - first) / TRACE_STEP_MS) + 1 : 0;
  const cpu = new Float32Array(n);
  const memory = new Float32Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = first + i * TRACE_STEP_MS;
    while (j + 1 < samples.length && (samples[j + 1] as WorkloadSample).timeMs <= t) j++;
    const s = samples[j] as WorkloadSample;
    cpu[i] = s.cpuProvisionedMillicores > 0 ? s.cpuUsageMillicores / s.cpuProvisionedMillicores : 0;
    memory[i] = s.memoryProvisionedBytes > 0 ? s.memoryUsageBytes / s.memoryProvisionedBytes : 0;
  }
  return { stepMs: TRACE_STEP_MS, cpu, memory };
}
