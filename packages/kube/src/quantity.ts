/**
 * Kubernetes resource quantities (`500m`, `1.5`, `2Gi`, `123456n`, `1e3`) to numbers, and back for patches.
 * Parsed to float64 then rounded up to whole millicores / bytes, as the apiserver rounds requests up.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The value of a quantity string (or a number), or undefined when it is not a quantity. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIX[m[3] ?? ''] ?? 1);
}

/** Rounds up, ignoring float noise below 1e-6 of a unit. */
function ceilUnits(value: number): number {
  return Math.max(0, Math.ceil(value - 1e-6));
}

/** CPU quantity → millicores (rounded up); undefined when unparseable. */
export function cpuMillicores(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : ceilUnits(q * 1000);
}

/** Memory (or any byte) quantity → bytes (rounded up); undefined when unparseable. */
export function memoryBytes(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : ceilUnits(q);
}

/** A count quantity (`pods`, `nvidia.com/gpu`) → integer (rounded down); undefined when unparseable. */
export function countOf(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : Math.max(0, Math.floor(q + 1e-9));
}

/** Millicores as a quantity string for a patch (`250m`). */
export function formatCpuMillicores(millicores: number): string {
  return `${Math.round(millicores)}m`;
}

/** Bytes as a quantity string for a patch (`268435456`, or `256Mi` when it divides exactly). */
export function formatMemoryBytes(bytes: number): string {
  const b = Math.round(bytes);
  for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (b >= size && b % size === 0) return `${b / size}${suffix}`;
  }
  return String(b);
}
