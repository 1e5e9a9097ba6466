import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type InstanceOffer, type InstanceRequirement, loadMarket, type Market } from './index.ts';

let market: Market;
beforeAll(() => {
  market = loadMarket();
});

/** Independent restatement of the fit rules (not the indexed implementation). */
function satisfies(o: InstanceOffer, r: InstanceRequirement): boolean {
  const t = o.instance;
  if (t.vcpu === null || t.memoryGib === null || t.architecture === null) return false;
  if (r.minVcpu !== undefined && t.vcpu < r.minVcpu) return false;
  if (r.maxVcpu !== undefined && t.vcpu > r.maxVcpu) return false;
  if (r.minMemoryGib !== undefined && t.memoryGib < r.minMemoryGib) return false;
  if (r.maxMemoryGib !== undefined && t.memoryGib > r.maxMemoryGib) return false;
  if (r.architecture !== undefined && t.architecture !== r.architecture) return false;
  const gpus = t.gpuCount ?? 0;
  const fractional = gpus === 0 && t.gpuName !== null;
  const minG = r.minGpus ?? 0;
  const maxG = r.maxGpus ?? (minG > 0 ? Infinity : 0);
  if (gpus < minG || gpus > maxG) return false;
  if (fractional && (minG > 0 || maxG < 1)) return false;
  if (r.spotOnly && !o.spotEligible) return false;
  if (r.currentGenerationOnly && t.currentGeneration !== true) return false;
  if (r.families?.length && !r.families.includes(t.family)) return false;
  if (r.excludeFamilies?.includes(t.family)) return false;
  const price = market.onDemandPrice(r.region, o.instanceType);
  return price !== undefined && price.usdPerHour === o.onDemand.usdPerHour && o.region === r.region;
}

const families = ['m5', 'c5', 'r5', 'm6g', 'c7g', 't3', 'p4de', 'g5', 'm7i', 'x2gd'];

describe('findInstanceTypes (property)', () => {
  it('every offer satisfies the requirement; offers are sorted by price; nothing that fits is left out', () => {
    const regions = market.regions();
    const req = fc.record(
      {
        region: fc.constantFrom(...regions),
        minVcpu: fc.integer({ min: 0, max: 64 }),
        maxVcpu: fc.integer({ min: 0, max: 256 }),
        minMemoryGib: fc.double({ min: 0, max: 256, noNaN: true }),
        maxMemoryGib: fc.double({ min: 0, max: 2048, noNaN: true }),
        architecture: fc.constantFrom('x86_64' as const, 'arm64' as const),
        minGpus: fc.integer({ min: 0, max: 8 }),
        maxGpus: fc.integer({ min: 0, max: 16 }),
        spotOnly: fc.boolean(),
        families: fc.uniqueArray(fc.constantFrom(...families), { maxLength: 4 }),
        excludeFamilies: fc.uniqueArray(fc.constantFrom(...families), { maxLength: 3 }),
        currentGenerationOnly: fc.boolean(),
      },
      { requiredKeys: ['region'] },
    ).filter((r) => (r.minVcpu ?? 0) <= (r.maxVcpu ?? Infinity) && (r.minMemoryGib ?? 0) <= (r.maxMemoryGib ?? Infinity) && (r.minGpus ?? 0) <= (r.maxGpus ?? Infinity));

    fc.assert(
      fc.property(req, (r) => {
        const offers = market.findInstanceTypes(r);
        for (const o of offers) expect(satisfies(o, r), `${o.instanceType} vs ${JSON.stringify(r)}`).toBe(true);
        for (let i = 1; i < offers.length; i++) expect((offers[i] as InstanceOffer).onDemand.usdPerHour).toBeGreaterThanOrEqual((offers[i - 1] as InstanceOffer).onDemand.usdPerHour);
        // completeness: every priced catalog type that satisfies the rules is returned
        if (market.onDemandPrices(r.region).size === 0) return;
        const names = new Set(offers.map((o) => o.instanceType));
        const unfiltered = market.findInstanceTypes({ region: r.region, maxGpus: 1000 });
        for (const o of unfiltered) if (satisfies(o, r)) expect(names.has(o.instanceType), o.instanceType).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
