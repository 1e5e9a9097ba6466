/**
 * The Bitbrains VM usage trace (`workload-trace-sample.csv.gz`, PROVENANCE.md §8): 30 business-critical VMs,
 * 5-minute samples, July 2013. Parsed into one usage series per VM in Kubernetes units (millicores, bytes), for
 * the rightsizing and forecasting engines and their benchmarks.
 *
 * Validation follows the other market files: every row is checked by the fast hand-written parsers of csv.ts
 * and a failure is `AppError('DATA_CORRUPT')` naming the file, the 1-based line and the column.
 *
 * Two things in the real file are data, not corruption, and are handled explicitly:
 * - rows with `cpu_cores = 0` or `cpu_provisioned_mhz = 0` are a powered-off VM (VM 20 from 2013-07-16, a few
 *   rows of VM 14): usage cannot be converted to cores without a capacity, so they are skipped and counted;
 * - the same timestamp twice for one VM: the later row wins (as in the spot price history), counted.
 */
import { AppError } from '@cloudoptim/contracts';
import { CsvReader, parseDecimal, parseIsoTimestamp } from './csv.ts';
import { type DataDirOptions, gunzipText, readDataBytes, resolveDataDir } from './data-files.ts';

/** File name of the trace in the data directory. */
export const WORKLOAD_TRACE_FILE = 'workload-trace-sample.csv.gz';

/** Columns of workload-trace-sample.csv.gz, in order. */
export const WORKLOAD_TRACE_COLUMNS = [
  'timestamp',
  'epoch_s',
  'vm_id',
  'cpu_cores',
  'cpu_provisioned_mhz',
  'cpu_usage_mhz',
  'cpu_usage_pct',
  'mem_provisioned_kb',
  'mem_usage_kb',
] as const;

/** One 5-minute usage sample of a VM. */
export interface WorkloadSample {
  /** Sample time, epoch ms (UTC). */
  timeMs: number;
  /** CPU used, millicores: `cpu_usage_mhz / (cpu_provisioned_mhz / cpu_cores) × 1000` (cores used × 1000). */
  cpuUsageMillicores: number;
  /** Memory used, bytes (`mem_usage_kb × 1024`). */
  memoryUsageBytes: number;
  /** CPU provisioned to the VM, millicores (`cpu_cores × 1000`). */
  cpuProvisionedMillicores: number;
  /** Memory provisioned to the VM, bytes (`mem_provisioned_kb × 1024`). */
  memoryProvisionedBytes: number;
}

/** The usage series of one VM, samples sorted by time (strictly increasing). */
export interface WorkloadSeries {
  vmId: number;
  /** vCPUs of the VM (from its last powered-on row). */
  cpuCores: number;
  samples: WorkloadSample[];
  /** Rows skipped because the VM was powered off (no CPU capacity). */
  skippedPoweredOffRows: number;
  /** Rows dropped because a later row had the same timestamp. */
  duplicateRows: number;
}

/** Options of `loadWorkloadTrace`. */
export interface LoadWorkloadTraceOptions extends DataDirOptions {
  /** Only these VMs (default: all). An id absent from the file is NOT_FOUND. */
  vmIds?: readonly number[];
}

const INTEGER = /^\d+$/;

interface Builder {
  vmId: number;
  cpuCores: number;
  samples: WorkloadSample[];
  skipped: number;
  sorted: boolean;
}

/**
 * Loads and validates the workload trace; returns one series per VM, sorted by `vmId`.
 * @throws AppError DATA_CORRUPT (file, 1-based line, column) on a bad gzip stream, header, column count,
 *   timestamp (also when `epoch_s` disagrees with it), id, core count or a negative / non-numeric amount.
 * @throws AppError NOT_FOUND when `vmIds` names a VM the trace does not have.
 */
export function loadWorkloadTrace(options: LoadWorkloadTraceOptions = {}): WorkloadSeries[] {
  const file = WORKLOAD_TRACE_FILE;
  const csv = new CsvReader(file, gunzipText(file, readDataBytes(resolveDataDir(options), file)), WORKLOAD_TRACE_COLUMNS);
  const wanted = options.vmIds === undefined ? undefined : new Set(options.vmIds);
  const builders = new Map<number, Builder>();
  const nonNegative = (field: string, text: string): number => {
    const v = parseDecimal(text);
    if (!(v >= 0) || !Number.isFinite(v)) throw csv.badField(field, text, 'a non-negative number');
    return v;
  };
  for (let f = csv.next(); f; f = csv.next()) {
    const [ts, epochText, vmText, coresText, provMhzText, useMhzText, pctText, provKbText, useKbText] = f as [string, string, string, string, string, string, string, string, string];
    const timeMs = parseIsoTimestamp(ts);
    if (Number.isNaN(timeMs)) throw csv.badField('timestamp', ts, 'an ISO-8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)');
    if (!INTEGER.test(epochText) || Number(epochText) * 1000 !== timeMs) throw csv.badField('epoch_s', epochText, `the epoch seconds of ${ts}`);
    if (!INTEGER.test(vmText) || Number(vmText) < 1) throw csv.badField('vm_id', vmText, 'a positive integer');
    if (!INTEGER.test(coresText)) throw csv.badField('cpu_cores', coresText, 'a non-negative integer');
    const vmId = Number(vmText);
    const cores = Number(coresText);
    const provMhz = nonNegative('cpu_provisioned_mhz', provMhzText);
    const useMhz = nonNegative('cpu_usage_mhz', useMhzText);
    nonNegative('cpu_usage_pct', pctText);
    const provKb = nonNegative('mem_provisioned_kb', provKbText);
    const useKb = nonNegative('mem_usage_kb', useKbText);
    if (wanted && !wanted.has(vmId)) continue;
    let b = builders.get(vmId);
    if (!b) builders.set(vmId, (b = { vmId, cpuCores: 0, samples: [], skipped: 0, sorted: true }));
    if (cores === 0 || provMhz === 0) {
      b.skipped++;
      continue;
    }
    const last = b.samples[b.samples.length - 1];
    if (last && timeMs <= last.timeMs) b.sorted = false;
    b.cpuCores = cores;
    b.samples.push({
      timeMs,
      cpuUsageMillicores: (useMhz / (provMhz / cores)) * 1000,
      memoryUsageBytes: useKb * 1024,
      cpuProvisionedMillicores: cores * 1000,
      memoryProvisionedBytes: provKb * 1024,
    });
  }
  if (wanted) {
    const missing = [...wanted].filter((id) => !builders.has(id)).sort((a, b) => a - b);
    if (missing.length) throw new AppError('NOT_FOUND', `${file} has no VM ${missing.join(', ')}`, { file, missing });
  }
  return [...builders.values()]
    .sort((a, b) => a.vmId - b.vmId)
    .map((b) => {
      let samples = b.samples;
      let duplicateRows = 0;
      if (!b.sorted) {
        // Stable sort keeps file order among equal times; the later row of a duplicate wins.
        const sorted = samples.map((s, i) => ({ s, i })).sort((x, y) => x.s.timeMs - y.s.timeMs || x.i - y.i);
        samples = sorted.filter((x, k) => k === sorted.length - 1 || (sorted[k + 1] as { s: WorkloadSample }).s.timeMs !== x.s.timeMs).map((x) => x.s);
        duplicateRows = b.samples.length - samples.length;
      }
      return { vmId: b.vmId, cpuCores: b.cpuCores, samples, skippedPoweredOffRows: b.skipped, duplicateRows };
    });
}
