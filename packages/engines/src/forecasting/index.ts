/**
 * Usage forecasting — per workload (or per cluster: pass the summed series) predicted usage with intervals,
 * used by rightsizing (forecast-aware requests), office-hours proposals and headroom, and shown as predicted
 * vs actual usage (`fitted`).
 *
 * Algorithm (`forecastUsage`), on the history before `now` resampled to steps of `stepMs` (mean or max):
 * 1. Daily profile: for the target step, the weighted MEDIAN of the same time of day on each of the last
 *    `historyDays` days (weight halves every `profileHalfLifeDays`, default 3).
 * 2. Weekday effect: each past 24 h block's mean minus the median day of the 7 around it; for the target,
 *    the median of that effect at the same phase of past weeks, shrunk by n/(n+1) (needs ≥ 2 weeks). A whole-day
 *    level shift (weekend dip), not a per-hour weekly shape (tried: too noisy with 4 weeks of data).
 * 3. Level correction: the mean miss of the profile over the last 3 h, added to the forecast and fading with
 *    half-life 6 h over the horizon — follows change points and today's level without trusting it for tomorrow.
 * 4. Intervals: quantiles of the profile's day-ahead misses over the last `residualDays` (centred).
 * Under one day of history: the recent mean carried forward (`persistence`); no samples: `no-data`.
 *
 * Why not Holt-Winters: usage traces have spikes, idle stretches at 0 and level shifts; a median over days is
 * robust to a spike on one day (an additive Holt-Winters seasonal state absorbs it for a whole season), needs
 * no fitted smoothing constants per series, and is cheap enough to refit at every decision. The level
 * correction plays the role of Holt's level, fading instead of persisting. No trend term: over a month of
 * business VMs a fitted linear trend extrapolates noise (the decayed median already follows slow drifts).
 *
 * Evaluation (`evaluateForecast`, `backtestForecast`): MAPE (near-zero actuals left out, count reported),
 * sMAPE, WAPE, MAE, bias; walk-forward against same-time-yesterday and persistence.
 *
 * Complexity per forecast: O(history samples) to resample + O((horizon + residualDays × steps/day) ×
 * historyDays × log historyDays) for the medians — about 1 ms for 28 days of 5-minute samples to 24 hourly
 * points. Pure: no clock (`now` is an argument), no randomness, no I/O.
 */
export { type StepAggregate, type UsagePoint } from './resample.ts';
export { forecastUsage, type FittedPoint, type ForecastOptions, type ForecastPoint, type UsageForecast } from './seasonal-forecast.ts';
export { evaluateForecast, type EvaluateForecastOptions, type ForecastErrors, type ForecastPair } from './forecast-metrics.ts';
export { backtestForecast, type BacktestForecastOptions, type ForecastBacktest, type HorizonScore } from './backtest-forecast.ts';
