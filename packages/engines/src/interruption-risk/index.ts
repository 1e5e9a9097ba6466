/**
 * Interruption-risk model: the calibrated probability of each Spot Advisor interruption bucket for a pool
 * (region × instance type) at the next snapshot, from public data.
 *
 * Algorithm: features of the pool at a snapshot (its bucket and savings, their change since the previous
 * snapshot, its bucket history, the snapshot's region/family/type aggregates, the instance's shape, the
 * horizon) → four gradient-boosted tree classifiers P(next ≥ k), k = 1…4 (gbt.ts: histogram GBT, logistic
 * loss), made monotone in k → bucket probabilities → expected monthly interruption rate. A per-classifier
 * level offset, learned online from observed outcomes under a horizon-wide prior, absorbs market-wide drift.
 *
 * Assumptions: Spot Advisor buckets are AWS's monthly interruption-frequency bands for the region's pool of
 * that type (not per AZ); a snapshot's aggregates are known at prediction time; the future market level is a
 * random walk (its variance per day estimated from the training snapshots).
 *
 * Complexity: training O(T · depth · n · f) for T trees, n transitions, f features (~90k × 22 here: seconds);
 * prediction O(T · depth) per pool per classifier.
 */
export * from './features.ts';
export * from './dataset.ts';
export * from './gbt.ts';
export * from './metrics.ts';
export * from './baselines.ts';
export * from './model.ts';
export * from './evaluation.ts';
