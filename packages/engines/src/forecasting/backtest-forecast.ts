/**
 * Walk-forward evaluation of `forecastUsage`: at each origin the forecaster sees only samples before the
 * origin; its prediction for each horizon is compared with the step that then happened, next to two naive
 * forecasts made at the same origin — same time yesterday, and the last observed step (persistence).
 */
import { AppError } from '@cloudoptim/contracts';
import { evaluateForecast, type ForecastErrors, type ForecastPair } from './forecast-metrics.ts';
import { resampleToGrid, type StepAggregate, type UsagePoint } from './resample.ts';
import { DAY_MS, forecastUsage, type ForecastOptions } from './seasonal-forecast.ts';

/** Options of `backtestForecast`. */
export interface BacktestForecastOptions {
  /** Step length, ms (divides a day). */
  stepMs: number;
  /** Horizons to score, in steps (each ≥ 1): e.g. [1, 24] with 1 h steps = 1 h and 24 h ahead. */
  horizonsSteps: readonly number[];
  /** First origin, epoch ms (give the forecaster some history first). */
  firstOriginMs: number;
  /** Origins every this many ms (default: one step). */
  originEveryMs?: number;
  /** How samples are combined per step (default mean). */
  aggregate?: StepAggregate;
  /** Extra options passed to `forecastUsage`. */
  forecast?: Omit<ForecastOptions, 'horizonSteps' | 'stepMs' | 'now' | 'aggregate'>;
  /** `minActual` of the MAPE (default 0). */
  minActual?: number;
}

/** Scores at one horizon. Only steps where the actual and both naive forecasts exist are scored. */
export interface HorizonScore {
  horizonSteps: number;
  model: ForecastErrors;
  /** Naive: the same step one day earlier. */
  sameTimeYesterday: ForecastErrors;
  /** Naive: the last step observed before the origin. */
  persistence: ForecastErrors;
  /** Share of actuals inside the model's prediction interval. */
  intervalCoverage: number | null;
}

/** Result of `backtestForecast`. */
export interface ForecastBacktest {
  origins: number;
  horizons: HorizonScore[];
}

/**
 * Runs the walk-forward backtest over `series` (sorted by time). O(origins × forecast cost).
 * @throws AppError VALIDATION_FAILED for horizons < 1 or a non-positive origin spacing (and forecastUsage's checks).
 */
export function backtestForecast(series: readonly UsagePoint[], options: BacktestForecastOptions): ForecastBacktest {
  const { stepMs, horizonsSteps, firstOriginMs } = options;
  const every = options.originEveryMs ?? stepMs;
  if (!horizonsSteps.length || horizonsSteps.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new AppError('VALIDATION_FAILED', 'backtestForecast: horizonsSteps must be integers ≥ 1', { issues: [{ path: 'horizonsSteps', message: 'integers ≥ 1' }] });
  }
  if (!(every > 0)) throw new AppError('VALIDATION_FAILED', 'backtestForecast: originEveryMs must be > 0', { issues: [{ path: 'originEveryMs', message: '> 0' }] });
  const aggregate = options.aggregate ?? 'mean';
  const last = series[series.length - 1];
  const firstSample = series[0];
  if (!last || !firstSample) return { origins: 0, horizons: horizonsSteps.map((h) => emptyScore(h)) };
  const maxH = Math.max(...horizonsSteps);
  // One grid over the whole series, phase-aligned with the origins, holds the actuals and the naive forecasts.
  const before = Math.max(0, Math.ceil((firstOriginMs - firstSample.timeMs) / stepMs)) + DAY_MS / stepMs;
  const gridStart = firstOriginMs - before * stepMs;
  const steps = Math.max(0, Math.ceil((last.timeMs + 1 - gridStart) / stepMs));
  const grid = resampleToGrid(series, gridStart + steps * stepMs, stepMs, steps, aggregate).values;
  const at = (t: number): number => {
    const k = Math.round((t - gridStart) / stepMs);
    return k >= 0 && k < grid.length ? (grid[k] as number) : Number.NaN;
  };
  const pairs = horizonsSteps.map(() => ({ model: [] as ForecastPair[], yesterday: [] as ForecastPair[], persistence: [] as ForecastPair[], inside: 0 }));
  let origins = 0;
  for (let t = firstOriginMs; t + stepMs <= last.timeMs + 1; t += every) {
    const f = forecastUsage(series, { ...options.forecast, horizonSteps: maxH, stepMs, now: t, aggregate });
    if (!f.points.length) continue;
    origins++;
    const lastObserved = at(t - stepMs);
    horizonsSteps.forEach((h, k) => {
      const p = f.points[h - 1];
      const target = t + (h - 1) * stepMs;
      const actual = at(target);
      const yesterday = at(target - DAY_MS);
      if (!p || Number.isNaN(actual) || Number.isNaN(yesterday) || Number.isNaN(lastObserved)) return;
      const bucket = pairs[k] as (typeof pairs)[number];
      bucket.model.push({ actual, predicted: p.value });
      bucket.yesterday.push({ actual, predicted: yesterday });
      bucket.persistence.push({ actual, predicted: lastObserved });
      if (actual >= p.lower && actual <= p.upper) bucket.inside++;
    });
  }
  const opts = { minActual: options.minActual ?? 0 };
  return {
    origins,
    horizons: horizonsSteps.map((h, k) => {
      const b = pairs[k] as (typeof pairs)[number];
      return {
        horizonSteps: h,
        model: evaluateForecast(b.model, opts),
        sameTimeYesterday: evaluateForecast(b.yesterday, opts),
        persistence: evaluateForecast(b.persistence, opts),
        intervalCoverage: b.model.length ? b.inside / b.model.length : null,
      };
    }),
  };
}

function emptyScore(h: number): HorizonScore {
  const e = evaluateForecast([]);
  return { horizonSteps: h, model: e, sameTimeYesterday: e, persistence: e, intervalCoverage: null };
}
