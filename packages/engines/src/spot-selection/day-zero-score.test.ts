import { INTERRUPTION_BUCKETS } from '@cloudoptim/market';
import { describe, expect, it } from 'vitest';
import { dayZeroSafety, dayZeroScore, hourlyRateFromMonthly, hourlyRateFromProbability, monthlyRateFromHourly, probabilityWithin, riskClassOf } from './day-zero-score.ts';
import { priceFeatures } from './price-features.ts';
import { localTimeOf } from './time-of-day.ts';

const base = { interruptionNote: 'test', volatilityCv: 0.01, volatilityCvAtFullRisk: 0.1, neutralVolatilityRisk: 0.5, spotToOnDemandRatio: 0.35, localHour: 11, timeOfDayRisk: 1, businessHours: true };

describe('day-zero score', () => {
  it.each([
    // bucket, expected class for a typical us-east-1 pool (CV 0.01, spot at 35% of on-demand, business hours)
    // safety = 1 − (0.6·r + 0.25·0.1 + 0.1·0.35 + 0.05·1) with r = 0.1 / 0.3 / 0.5 / 0.7 / 1.0
    [0, 'safe', 0.83],
    [1, 'safe', 0.71],
    [2, 'caution', 0.59],
    [3, 'caution', 0.47],
    [4, 'avoid', 0.29],
  ] as const)('bucket %i → %s (safety %f)', (bucket, cls, safety) => {
    const info = INTERRUPTION_BUCKETS[bucket]!;
    const r = dayZeroScore({ ...base, monthlyInterruptionRate: info.midpointRate });
    expect(r.safetyScore).toBeCloseTo(safety, 10);
    expect(riskClassOf(r.safetyScore)).toBe(cls);
    expect(r.components.map((c) => c.weight)).toEqual([0.6, 0.25, 0.1, 0.05]);
    expect(1 - r.components.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(r.safetyScore, 12);
    expect(dayZeroSafety({ ...base, monthlyInterruptionRate: info.midpointRate })).toBe(r.safetyScore);
  });

  it('uses the neutral volatility when there is no history and says so', () => {
    const r = dayZeroScore({ ...base, monthlyInterruptionRate: 0.025, volatilityCv: null });
    const vol = r.components.find((c) => c.name === 'price_volatility')!;
    expect(vol.risk).toBe(0.5);
    expect(vol.note).toMatch(/neutral/);
  });

  it('classifies on the seed thresholds', () => {
    expect(riskClassOf(0.651)).toBe('safe');
    expect(riskClassOf(0.65)).toBe('caution');
    expect(riskClassOf(0.4)).toBe('caution');
    expect(riskClassOf(0.399)).toBe('avoid');
  });

  it('converts monthly rates, hazards and horizon probabilities consistently', () => {
    const h = hourlyRateFromMonthly(0.05);
    expect(monthlyRateFromHourly(h)).toBeCloseTo(0.05, 12);
    expect(probabilityWithin(h, 730)).toBeCloseTo(0.05, 12);
    expect(hourlyRateFromProbability(probabilityWithin(h, 24), 24)).toBeCloseTo(h, 15);
  });
});

describe('time of day', () => {
  it.each([
    ['2021-04-14T15:00:00Z', 'us-east-1', 11, true, 1], // Wednesday 11:00 EDT
    ['2021-04-14T02:00:00Z', 'us-east-1', 22, false, 0.3], // Tuesday 22:00 EDT
    ['2021-04-17T15:00:00Z', 'us-east-1', 11, false, 0], // Saturday
    ['2021-01-13T14:00:00Z', 'us-east-1', 9, true, 1], // EST in winter
    ['2021-04-14T15:00:00Z', 'eu-west-3', 17, true, 1], // Paris, CEST
    ['2021-04-14T15:00:00Z', 'xx-nowhere-1', 15, true, 1], // unknown region: UTC
  ] as const)('%s in %s → %ih local', (iso, region, hour, business, risk) => {
    const t = localTimeOf(region, Date.parse(iso));
    expect(t.hour).toBe(hour);
    expect(t.businessHours).toBe(business);
    expect(t.risk).toBe(risk);
  });
});

describe('price features', () => {
  it('a flat price has no volatility', () => {
    const f = priceFeatures([{ timeMs: 0, usdPerHour: 0.04 }], 1000, 5000)!;
    expect(f.cv).toBe(0);
    expect(f.trend).toBeCloseTo(0, 12);
    expect(f.changeCount).toBe(0);
  });

  it('weights steps by how long they held', () => {
    // 0.02 for 3/4 of the window then 0.06: mean 0.03, variance 3/4·1e-4 + 1/4·9e-4 = 3e-4 → σ ≈ 0.01732.
    const f = priceFeatures(
      [
        { timeMs: -500, usdPerHour: 0.02 },
        { timeMs: 3000, usdPerHour: 0.06 },
      ],
      0,
      4000,
    )!;
    expect(f.cv).toBeCloseTo(Math.sqrt(3e-4) / 0.03, 9);
    expect(f.trend).toBeCloseTo(1, 9);
    expect(f.changeCount).toBe(1);
    expect(f.lastStepMs).toBe(3000);
  });

  it('is null without steps', () => {
    expect(priceFeatures([], 0, 10)).toBeNull();
  });
});
