/**
 * Candidate pools and their scores: every fitting type × every allowed AZ gets a spot price, features, a
 * probability of interruption (day-zero or model), a safety score and class, an expected cost per node-hour,
 * and either a place among the eligible pools or a rejection with its reason. O(types × AZs × window steps).
 */
import { type InstanceOffer, type InterruptionBucket, INTERRUPTION_BUCKETS, type Market, type SpotAdvisorEntry } from '@cloudoptim/market';
import { AppError } from '@cloudoptim/contracts';
import { AVOID_BELOW, dayZeroSafety, dayZeroScore, hourlyRateFromMonthly, hourlyRateFromProbability, monthlyRateFromHourly, probabilityWithin, riskClassOf, SAFE_ABOVE } from './day-zero-score.ts';
import { priceFeatures } from './price-features.ts';
import type { LocalTime } from './time-of-day.ts';
import type { PoolFactors, PoolRiskFeatures, RejectedPool, RiskClass, SpotSelectionInput, SpotSelectionOptions } from './types.ts';

/** A pool that passed every per-pool check. */
export interface ScoredPool {
  offer: InstanceOffer;
  instanceType: string;
  family: string;
  availabilityZone: string;
  priceUsdPerHour: number;
  onDemandPriceUsdPerHour: number;
  interruptionProbability: number;
  safetyScore: number;
  riskClass: RiskClass;
  expectedCostUsdPerHour: number;
  factors: PoolFactors;
  dataAgeSeconds: number | null;
}

/** What the scoring saw, for the rationale. */
export interface PoolScoring {
  offers: InstanceOffer[];
  eligible: ScoredPool[];
  rejected: RejectedPool[];
  poolsConsidered: number;
  /** Cheapest fitting type on-demand (the fallback and the savings baseline); null when nothing fits. */
  cheapestOnDemand: InstanceOffer | null;
  /** Oldest / newest advisor snapshot used, and whether any was dated after `now`. */
  advisorDates: { oldest: string | null; newest: string | null; afterNow: boolean; assumedCount: number };
  /** Oldest price step in force among scored pools (ms), when known. */
  oldestPriceStepMs: number | null;
}

const WORST = INTERRUPTION_BUCKETS[4] as (typeof INTERRUPTION_BUCKETS)[number];

/** The advisor entry of a type in force at `nowDate` (`YYYY-MM-DD`): the latest snapshot on or before it; else the earliest (dated after `now`, flagged by the caller); null when the type was never listed. */
export function advisorAt(market: Market, region: string, offer: InstanceOffer, nowDate: string, mode: SpotSelectionOptions['advisorSnapshot']): SpotAdvisorEntry | null {
  if (mode === 'latest') return offer.spotAdvisor;
  const history = market.spotAdvisorHistory(region, offer.instanceType);
  let found: SpotAdvisorEntry | null = null;
  for (const e of history) {
    if (e.snapshotDate <= nowDate) found = e;
    else break;
  }
  return found ?? history[0] ?? null;
}

const fmt = (x: number, d = 4): string => x.toFixed(d);

function costAboveOnDemand(type: string, az: string, price: number, expected: number, interruption: number, od: InstanceOffer | null, odUsd: number): RejectedPool {
  return {
    instanceType: type,
    availabilityZone: az,
    reason: 'expected_cost_above_on_demand',
    detail: `expected ${fmt(expected)} (price ${fmt(price)} + interruptions ${fmt(interruption)}) ≥ on-demand ${od?.instanceType ?? ''} ${fmt(odUsd)} USD/h`,
    priceUsdPerHour: price,
    expectedCostUsdPerHour: expected,
  };
}

/** Scores every (fitting type × AZ) pool. */
export function scorePools(market: Market, input: SpotSelectionInput, options: SpotSelectionOptions, local: LocalTime): PoolScoring {
  const { region, now, prices, riskModel } = input;
  const offers = market.findInstanceTypes({ region, ...input.requirement });
  const cheapestOnDemand = offers[0] ?? null;
  const cheapestOnDemandUsd = cheapestOnDemand?.onDemand.usdPerHour ?? Infinity;
  const azs = [...new Set(input.availabilityZones)].sort();
  const nowDate = new Date(now).toISOString().slice(0, 10);
  const horizon = options.horizonHours;
  const lookbackMs = options.volatilityLookbackHours * 3_600_000;
  const series = prices.series?.bind(prices);
  const eligible: ScoredPool[] = [];
  const rejected: RejectedPool[] = [];
  let poolsConsidered = 0;
  let oldestAdvisor: string | null = null;
  let newestAdvisor: string | null = null;
  let advisorAfterNow = false;
  let assumedCount = 0;
  let oldestPriceStepMs: number | null = null;

  for (const offer of offers) {
    const type = offer.instanceType;
    const inst = offer.instance;
    const odUsd = offer.onDemand.usdPerHour;
    // Per type: the advisor entry is the same in every AZ.
    const adv = advisorAt(market, region, offer, nowDate, options.advisorSnapshot);
    const bucket = adv ? INTERRUPTION_BUCKETS[adv.interruptionBucket as InterruptionBucket] ?? WORST : WORST;
    const advisorAgeSeconds = adv ? Math.max(0, (now - Date.parse(`${adv.snapshotDate}T00:00:00Z`)) / 1000) : null;
    let advisorUsed = false;
    const interruptionCostUsd = options.interruptionCostUsd ?? options.disruptionCostUsd + options.replacementHours * odUsd;
    // Day-zero: the probability depends on the type only, so it is known before the pool's price history.
    const dayZeroHourly = hourlyRateFromMonthly(bucket.midpointRate);
    const dayZeroNote = adv
      ? `Spot Advisor ${adv.snapshotDate} ${adv.interruptionLabel} (midpoint ${bucket.midpointRate}${bucket.midpointAssumed ? ', assumed' : ''})`
      : `no Spot Advisor entry: ${WORST.label} assumed (${WORST.midpointRate})`;

    for (const az of azs) {
      poolsConsidered++;
      const price = prices.priceAt(az, type, now);
      if (price === undefined || !(price > 0)) {
        rejected.push({ instanceType: type, availabilityZone: az, reason: 'no_price_data', detail: 'no spot price for this pool at decision time' });
        continue;
      }
      if (price >= odUsd) {
        rejected.push({ instanceType: type, availabilityZone: az, reason: 'spot_not_cheaper', detail: `spot ${fmt(price)} ≥ on-demand ${fmt(odUsd)} USD/h`, priceUsdPerHour: price });
        continue;
      }
      if (!riskModel) {
        advisorUsed = true;
        const expected = price + dayZeroHourly * interruptionCostUsd;
        // Checked before the price history is read: most pools of a broad requirement stop here.
        if (expected >= cheapestOnDemandUsd) {
          rejected.push(costAboveOnDemand(type, az, price, expected, dayZeroHourly * interruptionCostUsd, cheapestOnDemand, cheapestOnDemandUsd));
          continue;
        }
      }
      const steps = series ? series(az, type, now - lookbackMs, now) : [];
      const pf = priceFeatures(steps, now - lookbackMs, now);
      const ratio = price / odUsd;

      let monthlyRate: number;
      let hourlyRate: number;
      let probability: number;
      let interruptionNote: string;
      if (riskModel) {
        const features: PoolRiskFeatures = {
          region,
          availabilityZone: az,
          instanceType: type,
          family: inst.family,
          size: inst.size,
          generation: inst.generation,
          vcpu: inst.vcpu ?? 0,
          memoryGib: inst.memoryGib ?? 0,
          architecture: inst.architecture ?? 'x86_64',
          advisorBucket: adv ? adv.interruptionBucket : null,
          advisorSavingsPct: adv ? adv.savingsPct : null,
          advisorSnapshotDate: adv ? adv.snapshotDate : null,
          spotPriceUsdPerHour: price,
          onDemandPriceUsdPerHour: odUsd,
          spotToOnDemandRatio: ratio,
          priceVolatilityCv: pf ? pf.cv : null,
          priceTrend: pf ? pf.trend : null,
          priceChangeCount: pf ? pf.changeCount : null,
          localHour: local.hour,
          localWeekday: local.weekday,
          businessHours: local.businessHours,
          horizonHours: horizon,
          nowMs: now,
        };
        const p = riskModel.predict(features);
        if (!Number.isFinite(p)) throw new AppError('UNPROCESSABLE', `Risk model ${riskModel.version} returned ${String(p)} for ${type} in ${az}`, { model_version: riskModel.version, instance_type: type, availability_zone: az });
        probability = Math.min(Math.max(p, 0), 1);
        hourlyRate = hourlyRateFromProbability(probability, horizon);
        monthlyRate = monthlyRateFromHourly(hourlyRate);
        interruptionNote = `model ${riskModel.version}: P(${horizon} h) = ${fmt(probability)}`;
      } else {
        monthlyRate = bucket.midpointRate;
        hourlyRate = dayZeroHourly;
        probability = probabilityWithin(hourlyRate, horizon);
        interruptionNote = dayZeroNote;
      }
      advisorUsed = true;
      const scoreInputs = {
        monthlyInterruptionRate: monthlyRate,
        interruptionNote,
        volatilityCv: pf ? pf.cv : null,
        volatilityCvAtFullRisk: options.volatilityCvAtFullRisk,
        neutralVolatilityRisk: options.neutralVolatilityRisk,
        spotToOnDemandRatio: ratio,
        localHour: local.hour,
        timeOfDayRisk: local.risk,
        businessHours: local.businessHours,
      };
      const safetyScore = dayZeroSafety(scoreInputs);
      const riskClass = riskClassOf(safetyScore);
      const expectedInterruptionCost = hourlyRate * interruptionCostUsd;
      const expectedCost = price + expectedInterruptionCost;
      const scored = { priceUsdPerHour: price, expectedCostUsdPerHour: expectedCost, safetyScore, riskClass };
      if (riskClass === 'avoid') {
        rejected.push({ instanceType: type, availabilityZone: az, reason: 'risk_avoid', detail: `safety ${fmt(safetyScore, 3)} < ${AVOID_BELOW} (${interruptionNote})`, ...scored });
        continue;
      }
      // The default 0.65 means "safe" exactly as the seed defines it (> 0.65); lower values admit "caution".
      if (safetyScore < options.minSafetyScore || (riskClass !== 'safe' && options.minSafetyScore >= SAFE_ABOVE)) {
        rejected.push({ instanceType: type, availabilityZone: az, reason: 'risk_below_min_safety', detail: `${riskClass}: safety ${fmt(safetyScore, 3)} below the minimum ${options.minSafetyScore} (${interruptionNote})`, ...scored });
        continue;
      }
      if (expectedCost >= cheapestOnDemandUsd) {
        rejected.push({ ...costAboveOnDemand(type, az, price, expectedCost, expectedInterruptionCost, cheapestOnDemand, cheapestOnDemandUsd), safetyScore, riskClass });
        continue;
      }
      // Eligible: only now build the explanation (most pools never get here).
      const priceStepMs = prices.asOfMs !== undefined ? Math.min(prices.asOfMs, now) : pf ? pf.lastStepMs : null;
      if (priceStepMs !== null && (oldestPriceStepMs === null || priceStepMs < oldestPriceStepMs)) oldestPriceStepMs = priceStepMs;
      const priceAge = priceStepMs === null ? null : Math.max(0, (now - priceStepMs) / 1000);
      const dataAgeSeconds = priceAge === null && advisorAgeSeconds === null ? null : Math.max(priceAge ?? 0, advisorAgeSeconds ?? 0);
      const factors: PoolFactors = {
        probabilitySource: riskModel ? 'model' : 'day-zero',
        modelVersion: riskModel ? riskModel.version : null,
        advisorLabel: adv ? adv.interruptionLabel : null,
        advisorSnapshotDate: adv ? adv.snapshotDate : null,
        advisorAssumed: !adv,
        monthlyInterruptionRate: monthlyRate,
        hourlyInterruptionRate: hourlyRate,
        interruptionCostUsd,
        expectedInterruptionCostUsdPerHour: expectedInterruptionCost,
        spotToOnDemandRatio: ratio,
        priceVolatilityCv: pf ? pf.cv : null,
        priceTrend: pf ? pf.trend : null,
        priceSamples: pf ? pf.samples : 0,
        localHour: local.hour,
        businessHours: local.businessHours,
        components: dayZeroScore(scoreInputs).components,
      };
      eligible.push({
        offer,
        instanceType: type,
        family: inst.family,
        availabilityZone: az,
        priceUsdPerHour: price,
        onDemandPriceUsdPerHour: odUsd,
        interruptionProbability: probability,
        safetyScore,
        riskClass,
        expectedCostUsdPerHour: expectedCost,
        factors,
        dataAgeSeconds,
      });
    }
    if (advisorUsed) {
      if (adv) {
        if (oldestAdvisor === null || adv.snapshotDate < oldestAdvisor) oldestAdvisor = adv.snapshotDate;
        if (newestAdvisor === null || adv.snapshotDate > newestAdvisor) newestAdvisor = adv.snapshotDate;
        if (adv.snapshotDate > nowDate) advisorAfterNow = true;
      } else assumedCount++;
    }
  }
  return { offers, eligible, rejected, poolsConsidered, cheapestOnDemand, advisorDates: { oldest: oldestAdvisor, newest: newestAdvisor, afterNow: advisorAfterNow, assumedCount }, oldestPriceStepMs };
}
