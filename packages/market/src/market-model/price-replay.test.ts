import { describe, expect, it } from 'vitest';
import { SpotPriceHistory } from '../spot-price-history.ts';
import { createPriceReplay } from './price-replay.ts';

const H = 3_600_000;
const h0 = Date.UTC(2021, 2, 1);
const history = new SpotPriceHistory(
  [
    {
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      instanceType: 'm5.large',
      timesMs: Float64Array.of(h0 - H, h0 + 5 * H, h0 + 8 * H),
      pricesUsdPerHour: Float64Array.of(0.04, 0.05, 0.03),
    },
  ],
  3,
);
const sim0 = Date.UTC(2030, 0, 1);
const replay = createPriceReplay(history, { historyStartMs: h0, historyEndMs: h0 + 10 * H, simStartMs: sim0 });

describe('price replay', () => {
  it('maps simulated time onto the history window and wraps around at its end', () => {
    expect(replay.priceAt('us-east-1a', 'm5.large', sim0)).toBe(0.04);
    expect(replay.priceAt('us-east-1a', 'm5.large', sim0 + 6 * H)).toBe(0.05);
    expect(replay.priceAt('us-east-1a', 'm5.large', sim0 + 9 * H)).toBe(0.03);
    expect(replay.priceAt('us-east-1a', 'm5.large', sim0 + 11 * H)).toBe(0.04); // wrapped: history h0 + 1 h
    expect(replay.toHistoryTime(sim0 + 25 * H)).toBe(h0 + 5 * H);
    expect(replay.toHistoryTime(sim0 - H)).toBe(h0 + 9 * H);
    expect(replay.priceAt('us-east-1a', 'c5.large', sim0)).toBeUndefined();
  });

  it('replays at a speed and returns series across the wrap in simulated time', () => {
    const fast = createPriceReplay(history, { historyStartMs: h0, historyEndMs: h0 + 10 * H, simStartMs: sim0, speed: 10 });
    expect(fast.priceAt('us-east-1a', 'm5.large', sim0 + 0.6 * H)).toBe(0.05);
    const s = replay.series('us-east-1a', 'm5.large', sim0 + 7 * H, sim0 + 16 * H);
    expect(s).toEqual([
      { timeMs: sim0 + 7 * H, usdPerHour: 0.05 },
      { timeMs: sim0 + 8 * H, usdPerHour: 0.03 },
      { timeMs: sim0 + 10 * H, usdPerHour: 0.04 },
      { timeMs: sim0 + 15 * H, usdPerHour: 0.05 },
    ]);
  });
});
