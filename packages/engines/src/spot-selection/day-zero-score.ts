/**
 * The seed's day-zero safety score and the conversions between interruption rates.
 *
 *   safety = 1 − (0.60 · r_interruption + 0.25 · r_volatility + 0.10 · r_gap + 0.05 · r_timeOfDay)
 *
 * Each r is a risk in [0, 1]:
 * - r_interruption = monthly interruption rate / 0.25. The rate is the Spot Advisor bucket midpoint
 *   (2.5%, 7.5%, 12.5%, 17.5%, 25% — `INTERRUPTION_BUCKETS`), or the rate implied by a model's probability.
 *   Buckets map to 0.1 / 0.3 / 0.5 / 0.7 / 1.0.
 * - r_volatility = CV of the spot price over the lookback / `volatilityCvAtFullRisk`, capped at 1; a neutral
 *   value (default 0.5) when there is no history.
 * - r_gap = spot / on-demand: a price close to on-demand means spare capacity is scarce.
 * - r_timeOfDay: see time-of-day.ts.
 *
 * Classes: safe > 0.65, caution 0.40–0.65, avoid < 0.40.
 *
 * Rates: a monthly rate m (fraction of instances interrupted in a 730 h month) is a constant hazard
 * λ = −ln(1 − m) / 730 per hour; P(interrupted within h hours) = 1 − e^(−λh).
 */
import { HOURS_PER_MONTH } from './options.ts';
import type { RiskClass, ScoreComponent } from './types.ts';

/** Weights of the seed formula. */
export const DAY_ZERO_WEIGHTS = Object.freeze({ publicInterruptionRate: 0.6, priceVolatility: 0.25, spotOnDemandGap: 0.1, timeOfDay: 0.05 });

/** The seed's thresholds. */
export const SAFE_ABOVE = 0.65;
export const AVOID_BELOW = 0.4;

/** Monthly rate that counts as full interruption risk: the `>20%` bucket's assumed midpoint. */
export const MONTHLY_RATE_AT_FULL_RISK = 0.25;

/** Class of a safety score under the seed thresholds. */
export function riskClassOf(safetyScore: number): RiskClass {
  if (safetyScore > SAFE_ABOVE) return 'safe';
  if (safetyScore >= AVOID_BELOW) return 'caution';
  return 'avoid';
}

/** Hazard per hour of a monthly interruption rate. */
export function hourlyRateFromMonthly(monthlyRate: number): number {
  const m = Math.min(Math.max(monthlyRate, 0), 0.999999);
  return -Math.log1p(-m) / HOURS_PER_MONTH;
}

/** Monthly rate of an hourly hazard. */
export function monthlyRateFromHourly(hourlyRate: number): number {
  return -Math.expm1(-hourlyRate * HOURS_PER_MONTH);
}

/** P(at least one interruption within `hours`) under a constant hazard. */
export function probabilityWithin(hourlyRate: number, hours: number): number {
  return -Math.expm1(-hourlyRate * hours);
}

/** Hazard per hour implied by P(interrupted within `hours`). */
export function hourlyRateFromProbability(probability: number, hours: number): number {
  const p = Math.min(Math.max(probability, 0), 0.999999);
  return -Math.log1p(-p) / hours;
}

/** Inputs of the day-zero score, already measured. */
export interface DayZeroInputs {
  monthlyInterruptionRate: number;
  /** Where the rate came from, for the note (`Spot Advisor 2021-02-10 <5%`, `model v3`). */
  interruptionNote: string;
  volatilityCv: number | null;
  volatilityCvAtFullRisk: number;
  neutralVolatilityRisk: number;
  spotToOnDemandRatio: number;
  localHour: number;
  timeOfDayRisk: number;
  businessHours: boolean;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

type RiskInputs = Pick<DayZeroInputs, 'monthlyInterruptionRate' | 'volatilityCv' | 'volatilityCvAtFullRisk' | 'neutralVolatilityRisk' | 'spotToOnDemandRatio' | 'timeOfDayRisk'>;

function risks(inp: RiskInputs): [number, number, number, number] {
  return [
    clamp01(inp.monthlyInterruptionRate / MONTHLY_RATE_AT_FULL_RISK),
    inp.volatilityCv === null ? inp.neutralVolatilityRisk : clamp01(inp.volatilityCv / inp.volatilityCvAtFullRisk),
    clamp01(inp.spotToOnDemandRatio),
    clamp01(inp.timeOfDayRisk),
  ];
}

/** The safety score alone (no allocation): what `dayZeroScore` returns as `safetyScore`. */
export function dayZeroSafety(inp: RiskInputs): number {
  const w = DAY_ZERO_WEIGHTS;
  const [rInt, rVol, rGap, rTod] = risks(inp);
  return clamp01(1 - (w.publicInterruptionRate * rInt + w.priceVolatility * rVol + w.spotOnDemandGap * rGap + w.timeOfDay * rTod));
}

/** The four weighted components and the safety score (1 − their sum). */
export function dayZeroScore(inp: DayZeroInputs): { safetyScore: number; components: ScoreComponent[] } {
  const w = DAY_ZERO_WEIGHTS;
  const [rInt, rVol, rGap, rTod] = risks(inp);
  const components: ScoreComponent[] = [
    {
      name: 'public_interruption_rate',
      value: inp.monthlyInterruptionRate,
      risk: rInt,
      weight: w.publicInterruptionRate,
      contribution: w.publicInterruptionRate * rInt,
      note: `${inp.interruptionNote}; monthly rate / ${MONTHLY_RATE_AT_FULL_RISK}`,
    },
    {
      name: 'price_volatility',
      value: inp.volatilityCv,
      risk: rVol,
      weight: w.priceVolatility,
      contribution: w.priceVolatility * rVol,
      note: inp.volatilityCv === null ? `no price history: neutral ${inp.neutralVolatilityRisk} assumed` : `coefficient of variation / ${inp.volatilityCvAtFullRisk}`,
    },
    {
      name: 'spot_on_demand_gap',
      value: inp.spotToOnDemandRatio,
      risk: rGap,
      weight: w.spotOnDemandGap,
      contribution: w.spotOnDemandGap * rGap,
      note: 'spot / on-demand (near 1 = little spare capacity)',
    },
    {
      name: 'time_of_day',
      value: `${String(inp.localHour).padStart(2, '0')}h local`,
      risk: rTod,
      weight: w.timeOfDay,
      contribution: w.timeOfDay * rTod,
      note: inp.businessHours ? 'business hours in the region (assumed riskier)' : 'outside business hours',
    },
  ];
  return { safetyScore: dayZeroSafety(inp), components };
}
