/**
 * Spot price points the gap filler stored (`ml_spot_prices`): per series (region, AZ, instance type, product)
 * the changes EC2 reported (`observed`) and the price in force at the start of each day without a change
 * (`carried_forward`), so that coverage can be read per day. Times in ms since the epoch, prices USD/hour.
 */
import type { DbScope } from '@cloudoptim/db';

export type PriceProvenance = 'observed' | 'carried_forward' | 'filled';

export interface StoredPricePoint {
  region: string;
  availabilityZone: string;
  instanceType: string;
  product: string;
  timestampMs: number;
  priceUsdPerHour: number;
  provenance: PriceProvenance;
}

/** A series of a region: AZ × instance type (product Linux/UNIX). */
export interface SeriesKey {
  availabilityZone: string;
  instanceType: string;
}

export const DAY_MS = 86_400_000;
/** Rows per INSERT statement. */
const CHUNK = 5000;

export class SpotPricesRepository {
  constructor(private readonly scope: DbScope) {}

  /**
   * Stores points; a point whose series and timestamp are already stored is skipped (the stored one wins).
   * @returns how many were inserted.
   */
  async insert(points: readonly StoredPricePoint[], jobId: string | null): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < points.length; i += CHUNK) {
      const chunk = points.slice(i, i + CHUNK);
      // One JSON parameter: raw queries expand JS arrays into lists, and 8 × 5000 placeholders would be worse.
      const rows = await this.scope.query<{ n: number | string }>(
        `WITH ins AS (
           INSERT INTO ml_spot_prices (region, az, instance_type, product, ts, price, provenance, job_id)
           SELECT r, a, t, p, ts, pr, pv, $2::uuid FROM json_to_recordset($1::json) AS u(r text, a text, t text, p text, ts timestamptz, pr numeric, pv text)
           ON CONFLICT (region, az, instance_type, product, ts) DO NOTHING
           RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        [JSON.stringify(chunk.map((p) => ({ r: p.region, a: p.availabilityZone, t: p.instanceType, p: p.product, ts: new Date(p.timestampMs).toISOString(), pr: p.priceUsdPerHour.toFixed(6), pv: p.provenance }))), jobId],
      );
      inserted += Number(rows[0]?.n ?? 0);
    }
    return inserted;
  }

  /** The series of a region that have any stored point. */
  async series(region: string): Promise<SeriesKey[]> {
    const rows = await this.scope.query<{ az: string; instance_type: string }>('SELECT DISTINCT az, instance_type FROM ml_spot_prices WHERE region = $1 ORDER BY az, instance_type', [region]);
    return rows.map((r) => ({ availabilityZone: r.az, instanceType: r.instance_type }));
  }

  /**
   * Per series of the region, the UTC days (`floor(ms / DAY_MS)`) in [fromMs, toMs] that hold at least one point.
   * Keyed `az|type`.
   */
  async coveredDays(region: string, fromMs: number, toMs: number): Promise<Map<string, Set<number>>> {
    const rows = await this.scope.query<{ az: string; instance_type: string; day: number | string }>(
      `SELECT az, instance_type, floor(extract(epoch FROM ts) / 86400)::integer AS day
       FROM ml_spot_prices WHERE region = $1 AND ts >= $2 AND ts <= $3 GROUP BY 1, 2, 3`,
      [region, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
    );
    const out = new Map<string, Set<number>>();
    for (const r of rows) {
      const key = `${r.az}|${r.instance_type}`;
      let days = out.get(key);
      if (!days) out.set(key, (days = new Set()));
      days.add(Number(r.day));
    }
    return out;
  }

  /** The points of one series in [fromMs, toMs], oldest first. */
  async points(region: string, series: SeriesKey, fromMs: number, toMs: number): Promise<StoredPricePoint[]> {
    const rows = await this.scope.query<{ product: string; ts: string | Date; price: string | number; provenance: PriceProvenance }>(
      'SELECT product, ts, price, provenance FROM ml_spot_prices WHERE region = $1 AND az = $2 AND instance_type = $3 AND ts >= $4 AND ts <= $5 ORDER BY ts',
      [region, series.availabilityZone, series.instanceType, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
    );
    return rows.map((r) => ({ region, ...series, product: r.product, timestampMs: new Date(r.ts).getTime(), priceUsdPerHour: Number(r.price), provenance: r.provenance }));
  }
}
