/**
 * Quantities as controllers read them: the API layer's parser (kube-api/quantity.ts), made total — a
 * malformed value counts as 0 instead of throwing, because the API validates what it stores and a controller
 * must never crash on an odd value a client slipped in.
 */
import { cpuMillis as strictCpuMillis, formatCpuMillis, memoryBytes } from '../kube-api/quantity.ts';

/** CPU in millicores (`"250m"` → 250, `"2"` → 2000); 0 when absent or malformed. */
export function cpuMillis(q: string | number | undefined | null): number {
  try {
    return q === null ? 0 : strictCpuMillis(q);
  } catch {
    return 0;
  }
}

/** Whole units (bytes for memory, a count for pods/GPUs); 0 when absent or malformed. */
export function units(q: string | number | undefined | null): number {
  try {
    return q === null ? 0 : memoryBytes(q);
  } catch {
    return 0;
  }
}

/** Millicores as the apiserver prints them: whole cores without suffix, otherwise `m`. */
export const formatCpu = formatCpuMillis;

/** Bytes as the kubelet reports memory: `Ki` (what `kubectl describe node` shows for real nodes). */
export function formatMemoryKi(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

export const MIB = 2 ** 20;
