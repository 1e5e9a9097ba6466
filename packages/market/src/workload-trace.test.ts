import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type AppError, isAppError } from '@cloudoptim/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataDir, loadWorkloadTrace, WORKLOAD_TRACE_FILE, type WorkloadSeries } from './index.ts';

const file = WORKLOAD_TRACE_FILE;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp data dir holding the first 6,000 lines of the trace (fast to load), rewritten by `edit`. */
function editedCopy(edit: (lines: string[]) => string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'workload-trace-'));
  dirs.push(dir);
  cpSync(join(defaultDataDir(), file), join(dir, file));
  const lines = gunzipSync(readFileSync(join(dir, file))).toString('utf8').split('\n').slice(0, 6000);
  writeFileSync(join(dir, file), gzipSync(edit(lines).join('\n')));
  return dir;
}

function setField(line: number, col: number, value: string) {
  return (lines: string[]): string[] => {
    const f = (lines[line - 1] as string).split(',');
    f[col] = value;
    lines[line - 1] = f.join(',');
    return lines;
  };
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('loadWorkloadTrace (real file)', () => {
  let all: WorkloadSeries[];
  beforeAll(() => {
    all = loadWorkloadTrace();
  });

  it('has the 30 VMs of PROVENANCE.md §8, sorted, each with strictly increasing times', () => {
    expect(all.map((s) => s.vmId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const unsorted = all.filter((s) => s.samples.some((x, i) => i > 0 && x.timeMs <= (s.samples[i - 1] as { timeMs: number }).timeMs));
    expect(unsorted.map((s) => s.vmId)).toEqual([]);
    const rows = all.reduce((n, s) => n + s.samples.length + s.skippedPoweredOffRows + s.duplicateRows, 0);
    expect(rows).toBe(248_113);
  });

  it('converts the first row of VM 1 to millicores and bytes', () => {
    const s = all[0] as WorkloadSeries;
    expect(s.cpuCores).toBe(2);
    const first = s.samples[0];
    expect(first?.timeMs).toBe(Date.parse('2013-06-30T22:03:24Z'));
    // 87.7799835 MHz used of 5851.9989 MHz over 2 cores = 0.03 cores.
    expect(first?.cpuUsageMillicores).toBeCloseTo((87.7799835 / (5851.9989 / 2)) * 1000, 9);
    expect(first?.cpuUsageMillicores).toBeCloseTo(30, 3);
    expect(first?.memoryUsageBytes).toBeCloseTo(1034592.8 * 1024, 3);
    expect(first?.cpuProvisionedMillicores).toBe(2000);
    expect(first?.memoryProvisionedBytes).toBe(8218624 * 1024);
  });

  it('reads scientific notation (VM 22: mem_provisioned_kb 1.6703488E7)', () => {
    const s = all[21] as WorkloadSeries;
    expect(s.vmId).toBe(22);
    expect(s.samples[0]?.memoryProvisionedBytes).toBe(16703488 * 1024);
  });

  it('skips powered-off rows (VM 20 after 2013-07-16 has 0 cores) and counts them', () => {
    const vm20 = all[19] as WorkloadSeries;
    expect(vm20.skippedPoweredOffRows).toBe(12_077);
    expect(vm20.samples.length).toBe(4_476);
    expect(vm20.samples.every((x) => Number.isFinite(x.cpuUsageMillicores) && x.cpuProvisionedMillicores > 0)).toBe(true);
  });

  it('filters by vmIds and reports unknown ids as NOT_FOUND', () => {
    const some = loadWorkloadTrace({ vmIds: [27, 3] });
    expect(some.map((s) => s.vmId)).toEqual([3, 27]);
    expect(some[1]?.samples.length).toBe(all[26]?.samples.length);
    const err = caught(() => loadWorkloadTrace({ dataDir: editedCopy((l) => l), vmIds: [1, 99] }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details).toMatchObject({ missing: [99] });
  });
});

describe('loadWorkloadTrace (corrupt copies)', () => {
  it.each([
    [1234, 5, 'abc', 'cpu_usage_mhz'],
    [5000, 8, '-1', 'mem_usage_kb'],
    [777, 0, '2013-07-32T00:00:00Z', 'timestamp'],
    [778, 1, '1372629805', 'epoch_s'],
    [900, 2, 'x', 'vm_id'],
    [901, 3, '1.5', 'cpu_cores'],
  ])('line %i column %i = %s → DATA_CORRUPT naming file, row and field', (line, col, value, field) => {
    const err = caught(() => loadWorkloadTrace({ dataDir: editedCopy(setField(line, col, value)) }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toContain(`line ${line}`);
    expect(err.details).toMatchObject({ file, row: line, field });
  });

  it('a wrong header → DATA_CORRUPT at line 1', () => {
    const err = caught(() => loadWorkloadTrace({ dataDir: editedCopy((l) => ((l[0] = (l[0] as string).replace('mem_usage_kb', 'mem_kb')), l)) }));
    expect(err.details).toMatchObject({ file, row: 1, field: 'mem_usage_kb' });
  });

  it('a duplicated row → the later one wins and is counted', () => {
    const dir = editedCopy((l) => {
      const dup = (l[2] as string).split(',');
      dup[8] = '42';
      l.splice(3, 0, dup.join(','));
      return l;
    });
    const vm1 = loadWorkloadTrace({ dataDir: dir, vmIds: [1] })[0] as WorkloadSeries;
    expect(vm1.duplicateRows).toBe(1);
    expect(vm1.samples[1]?.memoryUsageBytes).toBe(42 * 1024);
  });
});
