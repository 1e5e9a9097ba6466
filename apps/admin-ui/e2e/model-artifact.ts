/**
 * A small native interruption-risk model for the upload flow, trained like the ML server's own test artifacts
 * (every 10th Spot Advisor transition up to 2024-02-28, a few trees: seconds), so the ML server can validate and
 * evaluate it on the shipped history after that date.
 */
import { advisorSnapshots, buildTransitions, catalogShapes, createRng, regionLevels, trainRiskModel } from '@cloudoptim/engines';
import { loadMarket } from '@cloudoptim/market';

const TRAIN_END = '2024-02-28';

export function trainSmallModel(version: string): string {
  const market = loadMarket();
  const snapshots = advisorSnapshots(market).filter((s) => s.date <= TRAIN_END);
  const transitions = buildTransitions(snapshots, catalogShapes(market)).filter((_, i) => i % 10 === 0);
  return JSON.stringify(trainRiskModel(transitions, regionLevels(snapshots), createRng(11), { version, createdAt: '2024-03-01T00:00:00Z', gbt: { trees: 6 } }));
}
