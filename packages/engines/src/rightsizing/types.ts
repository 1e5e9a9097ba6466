/** Inputs and outputs shared by the two recommenders (VPA baseline and CloudOptim). */
import type { Rationale } from '@cloudoptim/contracts';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** One usage sample of a container. */
export interface ContainerUsageSample {
  /** Epoch ms (UTC), start of the measurement window. */
  timeMs: number;
  /** CPU used, millicores (≥ 0). */
  cpuMillicores: number;
  /** Memory used (working set), bytes (≥ 0). */
  memoryBytes: number;
  /**
   * CPU request in force when the sample was taken, millicores; VPA weighs CPU samples by it. Default: the
   * container's current request.
   */
  cpuRequestMillicores?: number;
}

/** An OOM kill of the container. */
export interface OomEvent {
  timeMs: number;
  /** Memory request (or limit) in force when it happened, bytes. Default: the current request. */
  memoryRequestBytes?: number;
}

/** Requests and limits of a container (null limit = none). */
export interface ContainerResources {
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  cpuLimitMillicores: number | null;
  memoryLimitBytes: number | null;
}

/** What a recommender needs about one container. */
export interface ContainerUsageInput {
  /** Free-form id (e.g. `namespace/deployment/container`); echoed in the result. */
  containerId: string;
  /** Samples sorted by time; only those before `now` are read. */
  samples: readonly ContainerUsageSample[];
  oomEvents?: readonly OomEvent[];
  current: ContainerResources;
}

/** A CPU / memory pair. */
export interface ResourceAmounts {
  cpuMillicores: number;
  memoryBytes: number;
}

/** A per-container recommendation (same shape for both recommenders). */
export interface ContainerRightsizing {
  containerId: string;
  recommender: 'vpa' | 'cloudoptim';
  /** `ok`, or `no-data` (no samples before `now`: the current requests are echoed with confidence 0). */
  status: 'ok' | 'no-data';
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  limits: { cpuMillicores: number | null; memoryBytes: number | null };
  lowerBound: ResourceAmounts;
  upperBound: ResourceAmounts;
  /** 0..1; grows with the length of the history (and, for CloudOptim, with the forecast's fit). */
  confidence: number;
  rationale: Rationale;
}

/** Minimum requests (VPA defaults: 25 millicores, 250 MiB per pod). */
export interface RightsizingFloors {
  cpuMillicores: number;
  memoryBytes: number;
}

export const VPA_DEFAULT_FLOORS: RightsizingFloors = { cpuMillicores: 25, memoryBytes: 250 * MIB };
