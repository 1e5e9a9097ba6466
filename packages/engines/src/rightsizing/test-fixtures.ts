/** Builders for rightsizing tests (not exported from the package). */
import type { ContainerResources, ContainerUsageSample } from './types.ts';

export const T0 = Date.UTC(2024, 0, 1);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** 5-minute samples over `days` days; `cpu(t)` millicores and `mem(t)` bytes. */
export function usage(days: number, cpu: (t: number) => number, mem: (t: number) => number, start = T0): ContainerUsageSample[] {
  const out: ContainerUsageSample[] = [];
  for (let t = start; t < start + days * DAY; t += 5 * 60_000) out.push({ timeMs: t, cpuMillicores: cpu(t), memoryBytes: mem(t) });
  return out;
}

export const current = (cpu = 2000, mem = 4 * GIB, limits = false): ContainerResources => ({
  cpuRequestMillicores: cpu,
  memoryRequestBytes: mem,
  cpuLimitMillicores: limits ? cpu * 2 : null,
  memoryLimitBytes: limits ? mem * 2 : null,
});

/** Office hours (08:00–18:00 UTC) high, night low. */
export const officeHours =
  (night: number, day: number) =>
  (t: number): number => {
    const h = (t % DAY) / HOUR;
    return h >= 8 && h < 18 ? day : night;
  };
