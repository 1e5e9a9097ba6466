/**
 * "Why not m5.large?": for instance types the caller names that are not candidates, which part of the
 * requirement (or of the data) rules them out. Mirrors the bounds of packages/market's fit index.
 */
import { effectiveGpuCount, type Market } from '@cloudoptim/market';
import type { RejectedPool, SpotRequirement } from './types.ts';

/** Type-level rejections (`availabilityZone: '*'`) for `names` that are not in `candidates`. */
export function explainUnfitTypes(market: Market, region: string, requirement: SpotRequirement, names: readonly string[], candidates: ReadonlySet<string>): RejectedPool[] {
  const out: RejectedPool[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (candidates.has(name)) continue;
    const t = market.instanceType(name);
    if (!t) {
      out.push({ instanceType: name, availabilityZone: '*', reason: 'unknown_type', detail: 'not in the instance catalog' });
      continue;
    }
    const why: string[] = [];
    const r = requirement;
    if (t.vcpu === null || t.memoryGib === null || t.architecture === null) why.push('vCPU, memory or architecture unknown in the catalog');
    else {
      if (r.minVcpu !== undefined && t.vcpu < r.minVcpu) why.push(`${t.vcpu} vCPU < min ${r.minVcpu}`);
      if (r.maxVcpu !== undefined && t.vcpu > r.maxVcpu) why.push(`${t.vcpu} vCPU > max ${r.maxVcpu}`);
      if (r.minMemoryGib !== undefined && t.memoryGib < r.minMemoryGib) why.push(`${t.memoryGib} GiB < min ${r.minMemoryGib}`);
      if (r.maxMemoryGib !== undefined && t.memoryGib > r.maxMemoryGib) why.push(`${t.memoryGib} GiB > max ${r.maxMemoryGib}`);
      if (r.architecture !== undefined && t.architecture !== r.architecture) why.push(`architecture ${t.architecture} ≠ ${r.architecture}`);
    }
    const gpus = effectiveGpuCount(t);
    const minG = r.minGpus ?? 0;
    const maxG = r.maxGpus ?? (minG > 0 ? Infinity : 0);
    if (gpus < minG) why.push(`${gpus} GPU < min ${minG}`);
    if (gpus > maxG) why.push(`${gpus} GPU > max ${maxG}`);
    if (r.families && r.families.length > 0 && !r.families.includes(t.family)) why.push(`family ${t.family} not in the allowed families`);
    if (r.excludeFamilies?.includes(t.family)) why.push(`family ${t.family} is excluded`);
    if (r.currentGenerationOnly && t.currentGeneration !== true) why.push('not current generation');
    if (market.onDemandPrice(region, name) === undefined) why.push(`no on-demand price in ${region}`);
    out.push({ instanceType: name, availabilityZone: '*', reason: 'does_not_fit', detail: why.join('; ') || 'does not fit the requirement' });
  }
  return out;
}
