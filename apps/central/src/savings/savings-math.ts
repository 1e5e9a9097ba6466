/**
 * Savings from cost samples (SPEC §5 flow 9). A sample says what a cluster cost per hour at an instant (its
 * nodes' real prices) and what the same capacity costs on on-demand (the baseline). Between samples the rate
 * of the earlier sample holds — but for at most `maxGapMs`, so a cluster that stopped reporting is not billed
 * (or credited) for the silence. Money is USD; rates are USD per hour; a month is 730 hours (AWS's convention).
 */

export const HOURS_PER_MONTH = 730;
/** How long one sample's rate may hold (the sampler runs hourly; two missed passes = no data). */
export const DEFAULT_MAX_GAP_MS = 2 * 3600_000;
const HOUR_MS = 3600_000;

/** One sample of one cluster (rates in USD per hour). */
export interface RateSample {
  at: Date;
  costPerHour: number;
  baselinePerHour: number;
}

/** What a cluster cost over a window (USD), and how many hours of it had data. */
export interface WindowCost {
  cost: number;
  baseline: number;
  savings: number;
  coveredHours: number;
}

/** USD to 6 decimals, as the database stores money (numeric(18,6)). */
export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/**
 * Integrates the step function of `samples` (one cluster, sorted by time) over [fromMs, toMs).
 * A sample before `fromMs` contributes the part of its hold that falls inside the window.
 */
export function integrate(samples: readonly RateSample[], fromMs: number, toMs: number, maxGapMs = DEFAULT_MAX_GAP_MS): WindowCost {
  let cost = 0;
  let baseline = 0;
  let coveredMs = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as RateSample;
    const at = s.at.getTime();
    const next = samples[i + 1]?.at.getTime() ?? Number.POSITIVE_INFINITY;
    const start = Math.max(at, fromMs);
    const end = Math.min(next, at + maxGapMs, toMs);
    if (end <= start) continue;
    const hours = (end - start) / HOUR_MS;
    cost += s.costPerHour * hours;
    baseline += s.baselinePerHour * hours;
    coveredMs += end - start;
  }
  return { cost: round(cost), baseline: round(baseline), savings: round(baseline - cost), coveredHours: round(coveredMs / HOUR_MS) };
}

/** One bucket of a savings series: what the window [at, at + step) cost. */
export interface SeriesPoint extends WindowCost {
  at: Date;
}

/** Buckets of `stepMs` from `fromMs` up to `toMs` (the last one may be shorter). */
export function series(samples: readonly RateSample[], fromMs: number, toMs: number, stepMs: number, maxGapMs = DEFAULT_MAX_GAP_MS): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let at = fromMs; at < toMs; at += stepMs) points.push({ at: new Date(at), ...integrate(samples, at, Math.min(at + stepMs, toMs), maxGapMs) });
  return points;
}

/** Adds series of the same buckets (the total over clusters). */
export function sumSeries(all: readonly SeriesPoint[][], fromMs: number, toMs: number, stepMs: number): SeriesPoint[] {
  return series([], fromMs, toMs, stepMs).map((empty, i) =>
    all.reduce<SeriesPoint>((acc, points) => {
      const p = points[i];
      if (!p) return acc;
      return { at: acc.at, cost: round(acc.cost + p.cost), baseline: round(acc.baseline + p.baseline), savings: round(acc.savings + p.savings), coveredHours: Math.max(acc.coveredHours, p.coveredHours) };
    }, empty),
  );
}

/** The rate now: the latest sample's, when it is recent enough to still hold at `nowMs`; else zero. */
export function currentRate(samples: readonly RateSample[], nowMs: number, maxGapMs = DEFAULT_MAX_GAP_MS): { costPerHour: number; baselinePerHour: number; asOf: Date | null } {
  const last = samples[samples.length - 1];
  if (!last || nowMs - last.at.getTime() > maxGapMs) return { costPerHour: 0, baselinePerHour: 0, asOf: last?.at ?? null };
  return { costPerHour: last.costPerHour, baselinePerHour: last.baselinePerHour, asOf: last.at };
}
