import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuMillis, formatCpuMillis, formatMemoryBytes, isQuantity, memoryBytes, parseQuantity } from './quantity.ts';

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['2e3', 2000],
    ['1E-3', 0.001],
    ['1Ki', 1024],
    ['1Gi', 2 ** 30],
    ['128M', 128e6],
    ['100n', 1e-7],
    ['.5', 0.5],
    ['+3', 3],
  ])('parses %s', (s, v) => {
    expect(parseQuantity(s)).toBeCloseTo(v, 12);
  });

  it.each(['', '1x', 'Gi', '1.2.3', '1 Gi', '--1', 'abc', '1iB'])('rejects %j', (s) => {
    expect(isQuantity(s)).toBe(false);
    expect(() => parseQuantity(s)).toThrow(/quantities must match/);
  });

  it('converts to millicores and bytes, rounding up like MilliValue', () => {
    expect(cpuMillis('1.5')).toBe(1500);
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis('100u')).toBe(1);
    expect(memoryBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(formatCpuMillis(2000)).toBe('2');
    expect(formatCpuMillis(1500)).toBe('1500m');
    expect(formatMemoryBytes(2 ** 30)).toBe('1Gi');
    expect(formatMemoryBytes(1536 * 2 ** 20)).toBe('1536Mi');
  });

  it('round-trips formatted values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (m) => cpuMillis(formatCpuMillis(m)) === m),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (b) => memoryBytes(formatMemoryBytes(b)) === b),
    );
  });
});
