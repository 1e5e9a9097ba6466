/**
 * The latest Spot Advisor snapshot indexed for feature building: what every model-based score of a pool reads
 * (its bucket now and before, the snapshot's aggregates, the instance shape). Model-independent, so it is built
 * once per process (~1 s) and shared by every model the registry loads.
 */
import { AppError } from '@cloudoptim/contracts';
import { type AdvisorSnapshot, advisorSnapshots, catalogShapes, poolFeatures, type ShapeLookup, type SnapshotContext, snapshotContext } from '@cloudoptim/engines';
import type { Market } from '@cloudoptim/market';

export class AdvisorIndex {
  private constructor(
    private readonly market: Market,
    /** Every snapshot, oldest first (evaluations build transitions from them). */
    readonly snapshots: readonly AdvisorSnapshot[],
    readonly latest: AdvisorSnapshot,
    private readonly previousDate: string | null,
    private readonly ctx: SnapshotContext,
    readonly shapes: ShapeLookup,
  ) {}

  /** @throws AppError DATA_CORRUPT when the history has no snapshot. */
  static build(market: Market): AdvisorIndex {
    const snapshots = advisorSnapshots(market);
    const latest = snapshots[snapshots.length - 1];
    if (!latest) throw new AppError('DATA_CORRUPT', 'the Spot Advisor history has no snapshot; a risk model cannot build features', { file: 'spot-advisor-history.csv.gz' });
    const shapes = catalogShapes(market);
    return new AdvisorIndex(market, snapshots, latest, snapshots[snapshots.length - 2]?.date ?? null, snapshotContext(latest, shapes), shapes);
  }

  /**
   * The feature row of a pool at the latest snapshot for a horizon (hours; at least a day), or null when that
   * snapshot does not list the pool (a model has no bucket to start from).
   */
  features(region: string, instanceType: string, horizonHours: number): number[] | null {
    const history = this.market.spotAdvisorHistory(region, instanceType);
    const last = history[history.length - 1];
    if (!last || last.snapshotDate !== this.latest.date) return null;
    const earlier = history.slice(0, -1);
    const prevEntry = earlier[earlier.length - 1];
    const previous = prevEntry && prevEntry.snapshotDate === this.previousDate ? { date: prevEntry.snapshotDate, bucket: prevEntry.interruptionBucket, savingsPct: prevEntry.savingsPct } : undefined;
    return poolFeatures(
      { region, instanceType, bucket: last.interruptionBucket, savingsPct: last.savingsPct },
      { ...(previous && { previous }), buckets: earlier.map((e) => e.interruptionBucket) },
      this.ctx,
      this.shapes,
      Math.max(1, horizonHours / 24),
    );
  }
}
