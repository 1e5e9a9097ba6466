/**
 * Kubernetes resource quantities (`500m`, `1.5`, `2Gi`, `123456n`, `1e3`) to numbers, and back for patches.
 * Parsed to float64 then rounded up to whole millicores / bytes, as the apiserver rounds requests up.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/**
 * The value of a quantity string (or a number), or undefined when it is not a quantity — or not a finite one:
 * `1e999` (and 400 nines) overflow float64 to Infinity, which no count of anything can be.
 */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const v = m[2] !== undefined ? base * 10 ** Number(m[2].slice(1)) : base * (SUFFIX[m[3] ?? ''] ?? 1);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * A whole number of units, or undefined beyond 2^53: the contracts carry integers, and a larger float is not
 * one exactly (no node has 9 PB of memory or 9 × 10^12 cores: such a quantity is garbage, not a size).
 */
function whole(value: number): number | undefined {
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Rounds up, ignoring float noise below 1e-6 of a unit. */
function ceilUnits(value: number): number | undefined {
  return whole(Math.max(0, Math.ceil(value - 1e-6)));
}

/** CPU quantity → millicores (rounded up); undefined when unparseable or beyond 2^53 millicores. */
export function cpuMillicores(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : ceilUnits(q * 1000);
}

/** Memory (or any byte) quantity → bytes (rounded up); undefined when unparseable or beyond 2^53 bytes. */
export function memoryBytes(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : ceilUnits(q);
}

/** A count quantity (`pods`, `nvidia.com/gpu`) → integer (rounded down); undefined when unparseable or beyond 2^53. */
export function countOf(value: string | number): number | undefined {
  const q = parseQuantity(value);
  return q === undefined ? undefined : whole(Math.max(0, Math.floor(q + 1e-9)));
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
