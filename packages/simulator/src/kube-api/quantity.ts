/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `1.5`, `2e3`, `1Gi`, `128M`.
 * Values are parsed to plain numbers in base units (cores, bytes, counts); that loses the exactness of the
 * apiserver's decimal arithmetic beyond ~15 significant digits, which no simulated workload gets near.
 */

const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** True if `s` is a syntactically valid quantity. */
export function isQuantity(s: unknown): s is string | number {
  if (typeof s === 'number') return Number.isFinite(s);
  return typeof s === 'string' && QUANTITY_RE.test(s.trim()) && s.trim() === s;
}

/**
 * Parses a quantity to base units (`"500m"` → 0.5, `"1Gi"` → 1073741824, `"2e3"` → 2000).
 * Numbers (as YAML may give them) are accepted as is.
 * @throws Error `quantities must match the regular expression …` on bad input (the apiserver's message).
 */
export function parseQuantity(s: string | number): number {
  if (typeof s === 'number') {
    if (!Number.isFinite(s)) throw new Error('quantities must be finite');
    return s;
  }
  const m = QUANTITY_RE.exec(s);
  if (!m) throw new Error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix.startsWith('e') || suffix.startsWith('E')) return value * 10 ** Number(suffix.slice(1));
  return value * MULTIPLIERS[suffix]!;
}

/** CPU quantity → millicores, rounded up as the apiserver's `MilliValue` does (`"1.5"` → 1500, `"100m"` → 100). */
export function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return Math.ceil(Math.round(parseQuantity(q) * 1e9) / 1e6);
}

/** Memory (or any integer) quantity → bytes, rounded up (`"1Gi"` → 1073741824). */
export function memoryBytes(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return Math.ceil(parseQuantity(q));
}

/** Millicores → the canonical string (`1500` → `"1500m"`, `2000` → `"2"`). */
export function formatCpuMillis(millis: number): string {
  const m = Math.max(0, Math.round(millis));
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Bytes → the canonical binary string (`1073741824` → `"1Gi"`, else the largest exact binary unit, else bytes). */
export function formatMemoryBytes(bytes: number): string {
  const b = Math.max(0, Math.round(bytes));
  if (b === 0) return '0';
  for (const [suffix, mult] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (b % mult === 0) return `${b / mult}${suffix}`;
  }
  return String(b);
}
