/** Small native risk-model artifacts trained on the shipped Spot Advisor history (a few trees: seconds). */
import { advisorSnapshots, buildTransitions, catalogShapes, createRng, regionLevels, type RiskModelArtifact, trainRiskModel } from '@cloudoptim/engines';
import type { Market } from '@cloudoptim/market';

/** The time split: training sees transitions ending on or before this date. */
export const TRAIN_END = '2024-02-28';

/** Artifacts named `versions`, trained on every 10th transition up to TRAIN_END with different seeds. */
export function trainArtifacts(market: Market, versions: readonly string[]): RiskModelArtifact[] {
  const snapshots = advisorSnapshots(market).filter((s) => s.date <= TRAIN_END);
  const transitions = buildTransitions(snapshots, catalogShapes(market)).filter((_, i) => i % 10 === 0);
  return versions.map((version, i) => trainRiskModel(transitions, regionLevels(snapshots), createRng(11 + i), { version, createdAt: '2024-03-01T00:00:00Z', gbt: { trees: 6 } }));
}
