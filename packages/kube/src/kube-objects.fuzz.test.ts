/**
 * The gateway's mapping of raw Kubernetes objects (kube-objects.ts) fed hostile objects (testing/hostile-objects.ts).
 * Property: a mapper either returns or throws MalformedObject naming the kind (which `mapAll` turns into a skipped
 * object and a log line) — never a TypeError or RangeError from inside — and what it returns holds no
 * impossible number: every quantity is a finite, non-negative safe integer, an instance id is read only from an
 * aws:// providerID.
 *
 * FUZZ_RUNS scales the generated clusters (default 6 → 60); FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@cloudoptim/runtime';
import { MalformedObject, mapAll, ownerIndexOf, toKubeEvent, toKubeNode, toKubePdb, toKubePod, toKubeWorkload, toNodeUsage, toPodUsage } from './kube-objects.ts';
import { cpuMillicores, memoryBytes, parseQuantity } from './quantity.ts';
import { absurdQuantity, hostileCluster, type HostileCluster } from './testing/hostile-objects.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 10;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const FC = { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) };

const quantity = (v: number | null) => v === null || (Number.isSafeInteger(v) && v >= 0);

/** What is impossible in a mapped object: quantities that are not non-negative safe integers, a bad instance id. */
function impossible(kind: string, out: unknown): string[] {
  const problems: string[] = [];
  const check = (what: string, v: number | null) => {
    if (!quantity(v)) problems.push(`${kind} ${what} = ${v}`);
  };
  const o = out as Record<string, unknown>;
  for (const res of ['allocatable', 'capacity'] as const) {
    const r = o[res] as Record<string, number> | undefined;
    if (r) for (const k of ['cpuMillicores', 'memoryBytes', 'pods', 'gpus']) check(`${res}.${k}`, r[k] as number);
  }
  if ('instanceId' in o && o.instanceId !== null) {
    if (!/^aws:\/\//.test(String(o.providerId)) || !/^i-[0-9a-z-]+$/.test(String(o.instanceId))) problems.push(`${kind} instanceId ${String(o.instanceId)} from providerID ${String(o.providerId)}`);
  }
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of (o[list] as Record<string, number | null>[] | undefined) ?? []) {
      for (const k of ['cpuRequestMillicores', 'memoryRequestBytes', 'cpuLimitMillicores', 'memoryLimitBytes', 'gpuRequest']) if (k in c) check(`${list}.${k}`, c[k] as number | null);
      if ('restartCount' in c && !Number.isFinite(c.restartCount)) problems.push(`${kind} restartCount = ${c.restartCount}`);
    }
  }
  if (kind === 'NodeMetrics') for (const k of ['cpuMillicores', 'memoryBytes']) check(k, o[k] as number);
  for (const ms of ['createdAtMs', 'startedAtMs', 'timestampMs', 'firstTimestampMs', 'lastTimestampMs']) {
    if (ms in o && o[ms] !== null && !Number.isFinite(o[ms])) problems.push(`${kind} ${ms} = ${String(o[ms])}`);
  }
  return problems;
}

/** Maps one object; returns the problems (empty: fine, or refused with MalformedObject). */
function mapOne(kind: string, map: (raw: unknown) => unknown, raw: unknown): string[] {
  try {
    return impossible(kind, map(raw));
  } catch (error) {
    if (error instanceof MalformedObject && error.kind.length > 0 && error.message.startsWith(`malformed ${error.kind}`)) return [];
    return [`${kind}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`];
  }
}

function problemsOf(c: HostileCluster): string[] {
  const owners = ownerIndexOf('Job', c.jobs, ownerIndexOf('ReplicaSet', c.replicaSets));
  return [
    ...c.nodes.flatMap((n) => mapOne('Node', toKubeNode, n)),
    ...c.pods.flatMap((p) => mapOne('Pod', (raw) => toKubePod(raw, owners), p)),
    ...c.pdbs.flatMap((b) => mapOne('PodDisruptionBudget', toKubePdb, b)),
    ...c.deployments.flatMap((d) => mapOne('Deployment', (raw) => toKubeWorkload('Deployment', raw), d)),
    ...c.replicaSets.flatMap((d) => mapOne('ReplicaSet', (raw) => toKubeWorkload('ReplicaSet', raw), d)),
    ...c.events.flatMap((e) => mapOne('Event', toKubeEvent, e)),
    ...c.nodeMetrics.flatMap((m) => mapOne('NodeMetrics', toNodeUsage, m)),
    ...c.podMetrics.flatMap((m) => mapOne('PodMetrics', toPodUsage, m)),
  ];
}

describe('Kubernetes objects mapped under fuzzing', () => {
  // Found by this suite: "1e999" parsed as Infinity, and "1e300" as a number no contract field can hold.
  it.each(['1e999', '-1e999', '1e300', '9'.repeat(400), '8Ei'])('refuses the quantity %s instead of mapping it to an impossible number', (q) => {
    expect(quantity(cpuMillicores(q) ?? null)).toBe(true);
    expect(quantity(memoryBytes(q) ?? null)).toBe(true);
    const node = { metadata: { name: 'n1' }, status: { allocatable: { cpu: q, memory: '1Gi' } } };
    expect(() => toKubeNode(node)).toThrow(MalformedObject);
  });

  // Found by this suite: the id after the last "/" of any providerID was taken as an EC2 instance id.
  it.each(['gce://project/us-central1-a/i-0123456789abcdef0', 'azure:///x/i-0123456789abcdef0', 'i-0123456789abcdef0'])('reads no EC2 instance id from the providerID %s', (providerID) => {
    expect(toKubeNode({ metadata: { name: 'n1' }, spec: { providerID } }).instanceId).toBeNull();
  });

  it('reads every quantity as a finite number or not at all', () => {
    fc.assert(
      fc.property(absurdQuantity, (q) => {
        if (typeof q !== 'string' && typeof q !== 'number') return;
        const v = parseQuantity(q);
        expect(v === undefined || Number.isFinite(v), `${q} → ${v}`).toBe(true);
        expect(quantity(cpuMillicores(q) ?? null), `${q} → ${cpuMillicores(q)} millicores`).toBe(true);
        expect(quantity(memoryBytes(q) ?? null), `${q} → ${memoryBytes(q)} bytes`).toBe(true);
      }),
      { ...FC, numRuns: RUNS * 10 },
    );
  });

  it('maps each hostile object or refuses it as malformed, never with another error or an impossible number', () => {
    fc.assert(
      fc.property(hostileCluster, (c) => {
        expect(problemsOf(c)).toEqual([]);
      }),
      FC,
    );
  }, 120_000);

  it('skips what is malformed in a list and keeps the rest', () => {
    fc.assert(
      fc.property(hostileCluster, (c) => {
        const nodes = mapAll(c.nodes, toKubeNode, silentLogger);
        const mapped = (raw: unknown) => {
          try {
            toKubeNode(raw);
            return true;
          } catch {
            return false;
          }
        };
        expect(nodes.length).toBe(c.nodes.filter(mapped).length);
      }),
      FC,
    );
  }, 120_000);
});
