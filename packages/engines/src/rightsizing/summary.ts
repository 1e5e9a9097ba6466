/**
 * Workload-level view of per-container recommendations: requested cost now vs recommended, with the projected
 * savings at given prices (USD per vCPU-hour and per GiB-hour, passed in — the engine holds no prices), and
 * the mapping to the wire contract's `ContainerRecommendation`.
 */
import type { ContainerRecommendation, Rationale, WorkloadRef } from '@cloudoptim/contracts';
import { type ContainerResources, type ContainerRightsizing, GIB } from './types.ts';
import type { ResourcePrices } from './walk-forward.ts';

/** Hours in an average month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** One container of a workload: what it requests now and what is recommended. */
export interface WorkloadContainer {
  current: ContainerResources;
  recommendation: ContainerRightsizing;
  /** Pods running this container (default 1). */
  replicas?: number;
}

/** Requested resources and their cost for a workload. */
export interface WorkloadCost {
  cpuMillicores: number;
  memoryBytes: number;
  usdPerHour: number;
}

/** Result of `summarizeWorkload`. */
export interface WorkloadRightsizingSummary {
  containers: number;
  current: WorkloadCost;
  recommended: WorkloadCost;
  /** current − recommended, USD per hour (negative = the recommendation costs more). */
  savingsUsdPerHour: number;
  savingsUsdPerMonth: number;
  /** Savings as a share of the current cost (0 when nothing is requested). */
  savingsShare: number;
  /** Lowest confidence among the containers (a workload is as trustworthy as its weakest estimate). */
  confidence: number;
  rationale: Rationale;
}

function cost(cpuMillicores: number, memoryBytes: number, p: ResourcePrices): number {
  return (cpuMillicores / 1000) * p.cpuUsdPerVcpuHour + (memoryBytes / GIB) * p.memoryUsdPerGibHour;
}

/**
 * Sums a workload's containers (× replicas) at `prices`. Containers with `status: 'no-data'` count at their
 * current requests (no savings claimed). O(containers).
 */
export function summarizeWorkload(containers: readonly WorkloadContainer[], prices: ResourcePrices): WorkloadRightsizingSummary {
  const cur = { cpuMillicores: 0, memoryBytes: 0 };
  const rec = { cpuMillicores: 0, memoryBytes: 0 };
  let confidence = containers.length ? 1 : 0;
  let noData = 0;
  for (const c of containers) {
    const n = c.replicas ?? 1;
    cur.cpuMillicores += c.current.cpuRequestMillicores * n;
    cur.memoryBytes += c.current.memoryRequestBytes * n;
    const r = c.recommendation.status === 'ok' ? c.recommendation : { cpuRequestMillicores: c.current.cpuRequestMillicores, memoryRequestBytes: c.current.memoryRequestBytes };
    if (c.recommendation.status !== 'ok') noData++;
    rec.cpuMillicores += r.cpuRequestMillicores * n;
    rec.memoryBytes += r.memoryRequestBytes * n;
    confidence = Math.min(confidence, c.recommendation.confidence);
  }
  const current = { ...cur, usdPerHour: cost(cur.cpuMillicores, cur.memoryBytes, prices) };
  const recommended = { ...rec, usdPerHour: cost(rec.cpuMillicores, rec.memoryBytes, prices) };
  const savings = current.usdPerHour - recommended.usdPerHour;
  return {
    containers: containers.length,
    current,
    recommended,
    savingsUsdPerHour: savings,
    savingsUsdPerMonth: savings * HOURS_PER_MONTH,
    savingsShare: current.usdPerHour > 0 ? savings / current.usdPerHour : 0,
    confidence,
    rationale: {
      summary:
        `${containers.length} container(s): requests ${(current.cpuMillicores / 1000).toFixed(2)} vCPU / ${(current.memoryBytes / GIB).toFixed(2)} GiB → ` +
        `${(recommended.cpuMillicores / 1000).toFixed(2)} vCPU / ${(recommended.memoryBytes / GIB).toFixed(2)} GiB; ` +
        `${savings >= 0 ? 'saves' : 'costs'} $${Math.abs(savings * HOURS_PER_MONTH).toFixed(2)}/month at $${prices.cpuUsdPerVcpuHour}/vCPU-h and $${prices.memoryUsdPerGibHour}/GiB-h` +
        (noData ? `; ${noData} without data kept as is` : '') +
        '.',
      factors: [
        { name: 'cpu_usd_per_vcpu_hour', value: prices.cpuUsdPerVcpuHour, weight: null, contribution: null },
        { name: 'memory_usd_per_gib_hour', value: prices.memoryUsdPerGibHour, weight: null, contribution: null },
        { name: 'containers_without_data', value: noData, weight: null, contribution: null },
        { name: 'min_confidence', value: Math.round(confidence * 100) / 100, weight: null, contribution: null },
      ],
      data_sources: [],
    },
  };
}

/** Identifies a container on the wire. */
export interface ContainerRef {
  namespace: string;
  owner: WorkloadRef;
  containerName: string;
}

/** Maps a recommendation to the contract's `ContainerRecommendation` (integers, confidence clamped to [0, 1]). */
export function toContainerRecommendation(ref: ContainerRef, current: ContainerResources, rec: ContainerRightsizing): ContainerRecommendation {
  const int = (x: number): number => Math.max(0, Math.ceil(x));
  return {
    namespace: ref.namespace,
    owner: ref.owner,
    container_name: ref.containerName,
    current_cpu_request_millicores: int(current.cpuRequestMillicores),
    current_memory_request_bytes: int(current.memoryRequestBytes),
    recommended_cpu_request_millicores: int(rec.cpuRequestMillicores),
    recommended_memory_request_bytes: int(rec.memoryRequestBytes),
    recommended_cpu_limit_millicores: rec.limits.cpuMillicores === null ? null : int(rec.limits.cpuMillicores),
    recommended_memory_limit_bytes: rec.limits.memoryBytes === null ? null : int(rec.limits.memoryBytes),
    confidence: Math.min(1, Math.max(0, rec.confidence)),
  };
}
