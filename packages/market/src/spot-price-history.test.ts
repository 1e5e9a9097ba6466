import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES, defaultDataDir, loadSpotPriceHistory, type SpotPriceHistory } from './index.ts';

interface Row {
  timeMs: number;
  az: string;
  type: string;
  price: number;
}

let history: SpotPriceHistory;
let progress: [number, number][];
let m5a: Row[]; // m5.large in us-east-1a, as read straight from the file

beforeAll(async () => {
  progress = [];
  history = await loadSpotPriceHistory({ onProgress: (done, total) => progress.push([done, total]) });
  const text = gunzipSync(readFileSync(join(defaultDataDir(), DATA_FILES.spotPriceHistory))).toString('utf8');
  m5a = text
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[2] === 'us-east-1a' && f[3] === 'm5.large')
    .map((f) => ({ timeMs: Date.parse(f[0] as string), az: f[2] as string, type: f[3] as string, price: Number(f[5]) }));
});

describe('spot price history', () => {
  it('loads all 371,398 records and reports progress up to the total', () => {
    expect(history.recordCount).toBe(371_398);
    const last = progress.at(-1);
    expect(last).toEqual([371_398, 371_398]);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('covers us-east-1 (6 AZs) and sa-east-1 (3 AZs) over the documented windows', () => {
    const cov = history.coverage();
    expect(cov.map((c) => c.region)).toEqual(['sa-east-1', 'us-east-1']);
    const us = cov.find((c) => c.region === 'us-east-1');
    const sa = cov.find((c) => c.region === 'sa-east-1');
    expect(us?.availabilityZones).toHaveLength(6);
    expect(sa?.availabilityZones).toHaveLength(3);
    expect(us?.first.slice(0, 10)).toBe('2021-03-02');
    expect(us?.last.slice(0, 10)).toBe('2021-05-31');
    expect(sa?.first.slice(0, 10)).toBe('2019-12-31');
    expect(sa?.last.slice(0, 10)).toBe('2020-06-23');
    expect((us?.recordCount ?? 0) + (sa?.recordCount ?? 0)).toBe(371_398);
    expect(history.pools('us-east-1').some((p) => p.instanceType === 'm5.large' && p.availabilityZone === 'us-east-1a')).toBe(true);
    expect(history.pools('eu-west-1')).toEqual([]);
  });

  it('m5.large us-east-1 prices lie in 0.0375-0.0443', () => {
    const series = history.regionSeries('us-east-1', 'm5.large', 0, Date.parse('2030-01-01'));
    expect(series.map((s) => s.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']); // no m5.large in us-east-1e
    const prices = series.flatMap((s) => s.steps.map((p) => p.usdPerHour));
    expect(Math.min(...prices)).toBe(0.0375);
    expect(Math.max(...prices)).toBe(0.0443);
  });

  it('priceAt holds each change until the next one (checked against rows read from the file)', () => {
    expect(m5a.length).toBeGreaterThan(10);
    const first = m5a[0] as Row;
    expect(history.priceAt('us-east-1a', 'm5.large', first.timeMs - 1)).toBeUndefined();
    for (let i = 0; i < m5a.length; i++) {
      const r = m5a[i] as Row;
      const next = m5a[i + 1];
      expect(history.priceAt('us-east-1a', 'm5.large', r.timeMs)).toBe(r.price);
      const before = next ? next.timeMs - 1 : r.timeMs + 86_400_000;
      expect(history.priceAt('us-east-1a', 'm5.large', new Date(before))).toBe(r.price);
    }
    expect(history.priceAt('us-east-1a', 'no.such', first.timeMs)).toBeUndefined();
  });

  it('series includes the step in force at `from` and every change up to `to`', () => {
    const a = m5a[3] as Row;
    const b = m5a[4] as Row;
    const c = m5a[6] as Row;
    const from = a.timeMs + 1; // a is in force at from
    const steps = history.series('us-east-1a', 'm5.large', from, c.timeMs);
    expect(steps).toEqual(m5a.slice(3, 7).map((r) => ({ timeMs: r.timeMs, usdPerHour: r.price })));
    expect(steps[1]?.timeMs).toBe(b.timeMs);
    expect(history.series('us-east-1a', 'm5.large', c.timeMs, a.timeMs)).toEqual([]);
    expect(history.series('us-east-1a', 'm5.large', 0, first(m5a).timeMs - 1)).toEqual([]);
  });
});

function first<T>(a: readonly T[]): T {
  return a[0] as T;
}
