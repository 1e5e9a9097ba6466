/**
 * Usage for metrics.k8s.io (`kubectl top`, the agent's rightsizing): each container uses its profile's
 * fraction of its request at the current simulated time (`usageAt`), the profile read from the pod's
 * `sim.cloudoptim.io/usage-profile` annotation so it follows the pod through re-creations. Node usage is the
 * sum of its running pods plus the system's own (kubelet, containerd, OS): 40m + 1% of the node's CPU and
 * 350 MiB + 2% of its memory, about what a fresh EKS node shows in `kubectl top nodes`.
 */
import type { Clock } from '@cloudoptim/runtime';
import type { ContainerUsage, Node, Pod, UsageProvider } from '../kube-api/index.ts';
import { UsageProfileSchema, type UsageProfile } from '../scenarios/scenario.schema.ts';
import { usageAt, type UsageTrace } from '../scenarios/usage-profiles.ts';
import { cpuMillis, units } from './quantity.ts';
import { USAGE_PROFILE_ANNOTATION } from './workload-manifests.ts';

/** Profile of a container without an annotation: a quiet steady service. */
const DEFAULT_PROFILE: UsageProfile = { profile: 'constant', cpu_fraction: 0.1, memory_fraction: 0.5 };
/** What a container without requests is taken to ask for (for its usage only). */
const NO_REQUEST_CPU_MILLIS = 10;
const NO_REQUEST_MEMORY_BYTES = 32 * 2 ** 20;

export interface ProfileUsageProviderOptions {
  clock: Clock;
  traces?: ReadonlyMap<number, UsageTrace>;
}

export class ProfileUsageProvider implements UsageProvider {
  private readonly clock: Clock;
  private readonly traces: ReadonlyMap<number, UsageTrace>;
  /** Annotation text → parsed profiles (pods of one workload share the same text). */
  private readonly parsed = new Map<string, ParsedProfiles | null>();

  constructor(options: ProfileUsageProviderOptions) {
    this.clock = options.clock;
    this.traces = options.traces ?? new Map();
  }

  /** The profile of one of a pod's containers (the default one when the annotation is absent or unreadable). */
  profileOf(pod: Pod, container: string): UsageProfile {
    const p = this.profilesOf(pod);
    return p?.containers[container] ?? p?.all ?? DEFAULT_PROFILE;
  }

  private profilesOf(pod: Pod): ParsedProfiles | null {
    const text = pod.metadata.annotations?.[USAGE_PROFILE_ANNOTATION];
    if (text === undefined) return null;
    let out = this.parsed.get(text);
    if (out === undefined) {
      out = parseProfiles(text);
      if (this.parsed.size > 10_000) this.parsed.clear();
      this.parsed.set(text, out);
    }
    return out;
  }

  podUsage(pod: Pod): ContainerUsage[] | undefined {
    if (!pod.spec.nodeName || pod.status?.phase !== 'Running') return undefined;
    const now = this.clock.now();
    return pod.spec.containers.map((c) => {
      const req = c.resources?.requests ?? {};
      const cpuReq = req.cpu !== undefined ? cpuMillis(req.cpu) : NO_REQUEST_CPU_MILLIS;
      const memReq = req.memory !== undefined ? units(req.memory) : NO_REQUEST_MEMORY_BYTES;
      const profile = this.profileOf(pod, c.name);
      const f = usageAt(profile, now, `${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`, this.traces);
      // A container cannot use more memory than its limit (it would be OOM-killed), nor more CPU (throttled).
      const lim = c.resources?.limits ?? {};
      let cpu = Math.max(1, Math.round(f.cpu * cpuReq));
      let mem = Math.max(1024 * 1024, Math.round(f.memory * memReq));
      if (lim.cpu !== undefined) cpu = Math.min(cpu, cpuMillis(lim.cpu));
      if (lim.memory !== undefined) mem = Math.min(mem, units(lim.memory));
      return { name: c.name, cpuMillis: cpu, memoryBytes: mem };
    });
  }

  nodeUsage(node: Node, pods: Pod[]): { cpuMillis: number; memoryBytes: number } {
    const capacity = node.status?.capacity ?? {};
    let cpu = 40 + 0.01 * cpuMillis(capacity.cpu);
    let mem = 350 * 2 ** 20 + 0.02 * units(capacity.memory);
    for (const pod of pods) {
      for (const c of this.podUsage(pod) ?? []) {
        cpu += c.cpuMillis;
        mem += c.memoryBytes;
      }
    }
    return { cpuMillis: Math.round(cpu), memoryBytes: Math.round(mem) };
  }
}

interface ParsedProfiles {
  /** A single profile for every container (`{"profile":"constant",…}`). */
  all?: UsageProfile;
  /** Per container (`{"app":{"profile":…}}`). */
  containers: Record<string, UsageProfile>;
}

function parseProfiles(text: string): ParsedProfiles | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  const single = UsageProfileSchema.safeParse(json);
  if (single.success) return { all: single.data, containers: {} };
  const containers: Record<string, UsageProfile> = {};
  for (const [name, value] of Object.entries(json)) {
    const r = UsageProfileSchema.safeParse(value);
    if (r.success) containers[name] = r.data;
  }
  return { containers };
}
