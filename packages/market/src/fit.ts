/**
 * "Which instance types fit this requirement in this region, cheapest first?"
 *
 * Index: per region, the offers (types with an on-demand price there and a known vCPU, memory and
 * architecture) pre-sorted by on-demand price, with their numeric attributes in parallel typed arrays.
 * A query is one linear scan over that region's ≤ ~1,400 offers with no allocation beyond the result:
 * O(n) with a tiny constant (a few µs), and the result is already sorted.
 */
import { parseOrThrow } from '@cloudoptim/contracts';
import { z } from 'zod';
import type { Architecture, Catalog, InstanceType } from './catalog.ts';
import type { OnDemandPrice, OnDemandPriceBook } from './on-demand-prices.ts';
import type { SpotAdvisorEntry, SpotAdvisorIndex } from './spot-advisor.ts';

const count = z.number().nonnegative().finite();

/** The instance-shape fields of a requirement (everything but the region). All bounds are inclusive. */
const shapeFields = {
  /** vCPUs. */
  minVcpu: count.optional(),
  maxVcpu: count.optional(),
  /** Memory, GiB. */
  minMemoryGib: count.optional(),
  maxMemoryGib: count.optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  minGpus: z.number().int().nonnegative().optional(),
  maxGpus: z.number().int().nonnegative().optional(),
  /** Only types with Spot evidence in the region (see `findInstanceTypes`). */
  spotOnly: z.boolean().optional(),
  /** Only these families (e.g. `m5`, `c7g`). */
  families: z.array(z.string().min(1)).optional(),
  /** Never these families. */
  excludeFamilies: z.array(z.string().min(1)).optional(),
  /** Only types ec2instances.info marks current-generation (unknown = excluded). */
  currentGenerationOnly: z.boolean().optional(),
};

type Bounds = { [K in 'minVcpu' | 'maxVcpu' | 'minMemoryGib' | 'maxMemoryGib' | 'minGpus' | 'maxGpus']?: number | undefined };

/** Every max at or above its min; an issue on the max otherwise. */
function checkBounds(r: Bounds, ctx: z.RefinementCtx): void {
  const pairs = [
    ['minVcpu', 'maxVcpu'],
    ['minMemoryGib', 'maxMemoryGib'],
    ['minGpus', 'maxGpus'],
  ] as const;
  for (const [lo, hi] of pairs) {
    const a = r[lo];
    const b = r[hi];
    if (a !== undefined && b !== undefined && a > b) ctx.addIssue({ code: 'custom', path: [hi], message: `${hi} (${b}) is below ${lo} (${a})` });
  }
}

/**
 * Schema of an instance shape a workload needs, without the region (the spot selector takes the region apart).
 * See `InstanceRequirementSchema` for the meaning of each bound.
 */
export const InstanceShapeRequirementSchema = z.strictObject(shapeFields).superRefine(checkBounds);

/**
 * Schema of a fit requirement. All bounds are inclusive. `maxGpus` defaults to 0 (GPU types excluded) unless
 * `minGpus > 0`, in which case it defaults to no limit. GPUs are `gpuCount`; Inferentia/Trainium
 * accelerators are not GPUs and are not filtered by these bounds. Fractional-GPU types (g6f, gr6f: a slice
 * of an L4, `gpuCount` 0 with a `gpuName`) count as "more than 0, less than 1" GPU: they match only when
 * `minGpus` is 0 and `maxGpus >= 1`.
 */
export const InstanceRequirementSchema = z
  .strictObject({
    /** AWS region code. */
    region: z.string().min(1),
    ...shapeFields,
  })
  .superRefine(checkBounds);

/** A fit requirement (see `InstanceRequirementSchema`). */
export type InstanceRequirement = z.input<typeof InstanceRequirementSchema>;

/** One instance type that fits, with its prices in the region. */
export interface InstanceOffer {
  /** e.g. `m5.large`. */
  instanceType: string;
  region: string;
  /** The catalog entry. */
  instance: InstanceType;
  /** On-demand price in the region (the newest list that has one). */
  onDemand: OnDemandPrice;
  /** Latest Spot Advisor entry in the region, or null when the advisor does not list the type there. */
  spotAdvisor: SpotAdvisorEntry | null;
  /**
   * Spot evidence in the region: an advisor entry there; for a region the advisor does not cover at all
   * (GovCloud), the catalog's global `spotSupported`.
   */
  spotEligible: boolean;
}

/** The precomputed offers of one region. */
export class RegionFitIndex {
  private readonly vcpu: Float64Array;
  private readonly mem: Float64Array;
  private readonly gpus: Float64Array;
  private readonly arm: Uint8Array;
  private readonly spot: Uint8Array;
  private readonly current: Uint8Array;

  /** @param offers offers sorted by on-demand price ascending (ties by name). */
  constructor(readonly offers: readonly InstanceOffer[]) {
    const n = offers.length;
    this.vcpu = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.gpus = new Float64Array(n);
    this.arm = new Uint8Array(n);
    this.spot = new Uint8Array(n);
    this.current = new Uint8Array(n);
    offers.forEach((o, i) => {
      this.vcpu[i] = o.instance.vcpu ?? 0;
      this.mem[i] = o.instance.memoryGib ?? 0;
      this.gpus[i] = effectiveGpuCount(o.instance);
      this.arm[i] = o.instance.architecture === 'arm64' ? 1 : 0;
      this.spot[i] = o.spotEligible ? 1 : 0;
      this.current[i] = o.instance.currentGeneration === true ? 1 : 0;
    });
  }

  /** Offers that satisfy an already-validated requirement, cheapest first. */
  find(r: z.output<typeof InstanceRequirementSchema>): InstanceOffer[] {
    const minV = r.minVcpu ?? 0;
    const maxV = r.maxVcpu ?? Infinity;
    const minM = r.minMemoryGib ?? 0;
    const maxM = r.maxMemoryGib ?? Infinity;
    const minG = r.minGpus ?? 0;
    const maxG = r.maxGpus ?? (minG > 0 ? Infinity : 0);
    const arch = r.architecture === undefined ? -1 : r.architecture === 'arm64' ? 1 : 0;
    const spotOnly = r.spotOnly === true;
    const currentOnly = r.currentGenerationOnly === true;
    const only = r.families && r.families.length > 0 ? new Set(r.families) : undefined;
    const except = r.excludeFamilies && r.excludeFamilies.length > 0 ? new Set(r.excludeFamilies) : undefined;
    const out: InstanceOffer[] = [];
    const { vcpu, mem, gpus, arm, spot, current, offers } = this;
    for (let i = 0; i < offers.length; i++) {
      const v = vcpu[i] as number;
      if (v < minV || v > maxV) continue;
      const m = mem[i] as number;
      if (m < minM || m > maxM) continue;
      const g = gpus[i] as number;
      if (g < minG || g > maxG) continue;
      if (arch !== -1 && arm[i] !== arch) continue;
      if (spotOnly && spot[i] === 0) continue;
      if (currentOnly && current[i] === 0) continue;
      const o = offers[i] as InstanceOffer;
      if (only && !only.has(o.instance.family)) continue;
      if (except?.has(o.instance.family)) continue;
      out.push(o);
    }
    return out;
  }
}

/** GPUs of a type for fit bounds: `gpuCount` (null = 0), or 0.5 for a fractional-GPU type (gpuCount 0 with a GPU name). */
export function effectiveGpuCount(t: InstanceType): number {
  const n = t.gpuCount ?? 0;
  return n === 0 && t.gpuName !== null ? 0.5 : n;
}

/** True when a catalog entry can take part in fit queries (vCPU, memory and architecture known). */
export function isFittable(t: InstanceType): t is InstanceType & { vcpu: number; memoryGib: number; architecture: Architecture } {
  return t.vcpu !== null && t.memoryGib !== null && t.architecture !== null;
}

/** Builds the fit index of every region that has on-demand prices. */
export function buildFitIndexes(catalog: Catalog, prices: OnDemandPriceBook, advisor: SpotAdvisorIndex): Map<string, RegionFitIndex> {
  const out = new Map<string, RegionFitIndex>();
  for (const [region, regionPrices] of prices.byRegion) {
    const regionAdvisor = advisor.get(region);
    const offers: InstanceOffer[] = [];
    for (const [name, onDemand] of regionPrices) {
      const instance = catalog.byName.get(name);
      if (!instance || !isFittable(instance)) continue;
      const spotAdvisor = regionAdvisor?.get(name) ?? null;
      const spotEligible = regionAdvisor ? spotAdvisor !== null : instance.spotSupported === true;
      offers.push(Object.freeze({ instanceType: name, region, instance, onDemand, spotAdvisor, spotEligible }));
    }
    offers.sort((a, b) => a.onDemand.usdPerHour - b.onDemand.usdPerHour || (a.instanceType < b.instanceType ? -1 : 1));
    out.set(region, new RegionFitIndex(offers));
  }
  return out;
}

/** Validates a requirement. @throws AppError VALIDATION_FAILED with `details.issues[].path`. */
export function parseRequirement(input: unknown): z.output<typeof InstanceRequirementSchema> {
  return parseOrThrow(InstanceRequirementSchema, input, 'Instance requirement');
}
