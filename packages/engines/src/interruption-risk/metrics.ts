/** Scores of probabilistic binary predictions: discrimination (AUC), accuracy (Brier, log loss), calibration. */

/** Area under the ROC curve (Mann–Whitney U with average ranks for ties); 0.5 when a class is absent. */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[(order[k] as readonly [number, number])[1]] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      rankSum += ranks[i] as number;
    }
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared error of the probabilities. */
export function brier(probabilities: readonly number[], labels: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += ((probabilities[i] as number) - (labels[i] as number)) ** 2;
  return labels.length ? sum / labels.length : 0;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-6, 1 − 1e-6]. */
export function logLoss(probabilities: readonly number[], labels: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-6, Math.max(1e-6, probabilities[i] as number));
    sum += labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return labels.length ? sum / labels.length : 0;
}

export interface CalibrationBin {
  /** Predicted probability range [from, to). */
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability table: predictions grouped into `bins` equal-width bins, mean prediction vs observed rate. */
export function calibrationTable(probabilities: readonly number[], labels: readonly number[], bins = 10): CalibrationBin[] {
  const table = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, count: 0, sumP: 0, sumY: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i] as number;
    const bin = table[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))] as (typeof table)[number];
    bin.count++;
    bin.sumP += p;
    bin.sumY += labels[i] as number;
  }
  return table.map((b) => ({
    from: b.from,
    to: b.to,
    count: b.count,
    meanPredicted: b.count ? b.sumP / b.count : Number.NaN,
    observedRate: b.count ? b.sumY / b.count : Number.NaN,
  }));
}

/** Expected calibration error: the count-weighted mean |predicted − observed| over the table's bins. */
export function expectedCalibrationError(table: readonly CalibrationBin[]): number {
  const total = table.reduce((s, b) => s + b.count, 0);
  return total ? table.reduce((s, b) => s + (b.count ? (b.count / total) * Math.abs(b.meanPredicted - b.observedRate) : 0), 0) : 0;
}

export interface BinaryScores {
  auc: number;
  brier: number;
  logLoss: number;
  ece: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

export function scoreBinary(probabilities: readonly number[], labels: readonly number[]): BinaryScores {
  const n = labels.length;
  return {
    auc: auc(probabilities, labels),
    brier: brier(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    ece: expectedCalibrationError(calibrationTable(probabilities, labels)),
    meanPredicted: n ? probabilities.reduce((s, p) => s + p, 0) / n : 0,
    observedRate: n ? labels.reduce((s, y) => s + y, 0) / n : 0,
    count: n,
  };
}
