/**
 * Forecast error metrics. Usage series sit near 0 for long stretches (idle VMs), where MAPE explodes, so every
 * evaluation reports MAPE (over points with a non-negligible actual only, with how many were kept) next to
 * the robust sMAPE and WAPE.
 */

/** A prediction and what happened. */
export interface ForecastPair {
  actual: number;
  predicted: number;
}

/** Errors of a set of predictions. */
export interface ForecastErrors {
  /** Number of pairs. */
  count: number;
  /** Mean |e| / |actual| over pairs with |actual| > `minActual` (null when none). */
  mape: number | null;
  /** Pairs MAPE was computed over. */
  mapeCount: number;
  /** Symmetric MAPE: mean of 2|e| / (|actual| + |predicted|), 0 when both are 0; in [0, 2]. */
  smape: number | null;
  /** Weighted APE: Σ|e| / Σ|actual| (null when Σ|actual| = 0). */
  wape: number | null;
  /** Mean absolute error, in the series' unit. */
  mae: number | null;
  /** Mean signed error (predicted − actual): > 0 means over-forecasting. */
  bias: number | null;
}

/** Options of `evaluateForecast`. */
export interface EvaluateForecastOptions {
  /** Actuals at or below this are left out of MAPE (default 0: only exact zeros are left out). */
  minActual?: number;
}

/** MAPE, sMAPE, WAPE, MAE and bias of `pairs`; non-finite pairs are ignored. O(n). */
export function evaluateForecast(pairs: readonly ForecastPair[], options: EvaluateForecastOptions = {}): ForecastErrors {
  const minActual = options.minActual ?? 0;
  let count = 0;
  let ape = 0;
  let mapeCount = 0;
  let sape = 0;
  let absErr = 0;
  let absActual = 0;
  let signed = 0;
  for (const { actual, predicted } of pairs) {
    if (!Number.isFinite(actual) || !Number.isFinite(predicted)) continue;
    count++;
    const e = Math.abs(predicted - actual);
    absErr += e;
    absActual += Math.abs(actual);
    signed += predicted - actual;
    if (Math.abs(actual) > minActual) {
      ape += e / Math.abs(actual);
      mapeCount++;
    }
    const denom = Math.abs(actual) + Math.abs(predicted);
    sape += denom === 0 ? 0 : (2 * e) / denom;
  }
  return {
    count,
    mape: mapeCount ? ape / mapeCount : null,
    mapeCount,
    smape: count ? sape / count : null,
    wape: absActual > 0 ? absErr / absActual : null,
    mae: count ? absErr / count : null,
    bias: count ? signed / count : null,
  };
}
