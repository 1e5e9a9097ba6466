import type { InstanceOffer, OnDemandPrice, PriceStep, SpotAdvisorEntry } from '@cloudoptim/market';

/** Wire shapes of the `market` commands' `--json` output (snake_case like every CloudOptim message). */
export function spotAdvisorView(entry: SpotAdvisorEntry | null | undefined) {
  if (!entry) return null;
  return {
    interruption_bucket: entry.interruptionBucket,
    interruption_label: entry.interruptionLabel,
    savings_pct: entry.savingsPct,
    snapshot_date: entry.snapshotDate,
  };
}

/** The Spot price the advisor's "savings over on-demand" implies; an estimate, named as one. */
export function advisorSpotEstimate(onDemand: OnDemandPrice, advisor: SpotAdvisorEntry | null | undefined): number | null {
  if (!advisor) return null;
  return round6(onDemand.usdPerHour * (1 - advisor.savingsPct / 100));
}

export function offerView(offer: InstanceOffer) {
  const t = offer.instance;
  return {
    instance_type: offer.instanceType,
    family: t.family,
    vcpu: t.vcpu,
    memory_gib: t.memoryGib,
    architecture: t.architecture,
    gpu_count: t.gpuCount,
    on_demand_usd_hour: offer.onDemand.usdPerHour,
    on_demand_source: offer.onDemand.source,
    spot_eligible: offer.spotEligible,
    spot_advisor: spotAdvisorView(offer.spotAdvisor),
    spot_estimate_usd_hour: advisorSpotEstimate(offer.onDemand, offer.spotAdvisor),
  };
}

/** Time-weighted min / mean / max of a step series over [fromMs, toMs]. */
export function summariseSteps(steps: readonly PriceStep[], fromMs: number, toMs: number) {
  let weighted = 0;
  let span = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const [i, step] of steps.entries()) {
    const start = Math.max(step.timeMs, fromMs);
    const end = Math.min(steps[i + 1]?.timeMs ?? toMs, toMs);
    min = Math.min(min, step.usdPerHour);
    max = Math.max(max, step.usdPerHour);
    if (end > start) {
      weighted += step.usdPerHour * (end - start);
      span += end - start;
    }
  }
  return { min, max, mean: span > 0 ? weighted / span : (steps[0]?.usdPerHour ?? NaN) };
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A one-line chart of a step series sampled at `width` evenly spaced times. */
export function sparkline(steps: readonly PriceStep[], fromMs: number, toMs: number, width = 48): string {
  if (!steps.length || toMs <= fromMs) return '';
  const samples: number[] = [];
  let i = 0;
  for (let k = 0; k < width; k++) {
    const t = fromMs + ((toMs - fromMs) * (k + 0.5)) / width;
    while (i + 1 < steps.length && (steps[i + 1] as PriceStep).timeMs <= t) i++;
    const step = steps[i] as PriceStep;
    samples.push(step.timeMs <= t ? step.usdPerHour : NaN);
  }
  const known = samples.filter((v) => !Number.isNaN(v));
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  // Differences below a millionth of the level are rounding noise (sums of float costs), not a trend.
  const span = hi - lo > 1e-6 * Math.max(Math.abs(hi), Math.abs(lo)) ? hi - lo : 0;
  return samples
    .map((v) => (Number.isNaN(v) ? ' ' : SPARKS[span > 0 ? Math.round(((v - lo) / span) * (SPARKS.length - 1)) : 0]))
    .join('');
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
