/**
 * The scenario file: a cluster's starting nodes, its workloads (with usage profiles, PDBs, DaemonSets) and
 * the market conditions, as JSON. Validated with zod; a bad file is refused with the path of each problem.
 */
import { z } from 'zod';

const fraction = z.number().min(0).max(4);
const dns1123 = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lowercase letters, digits, "-")').max(63);

export const UsageProfileSchema = z.discriminatedUnion('profile', [
  z.object({ profile: z.literal('constant'), cpu_fraction: fraction, memory_fraction: fraction }),
  z.object({
    profile: z.literal('daily'),
    base_fraction: fraction,
    peak_fraction: fraction,
    peak_hour: z.number().min(0).max(24),
    utc_offset_hours: z.number().min(-12).max(14).default(0),
    weekend_factor: z.number().min(0).max(2).default(1),
    memory_fraction: fraction,
    noise: z.number().min(0).max(1).default(0.1),
  }),
  z.object({
    profile: z.literal('spiky'),
    base_fraction: fraction,
    spike_fraction: fraction,
    spike_probability: z.number().min(0).max(1),
    spike_minutes: z.number().positive().default(15),
    memory_fraction: fraction,
  }),
  z.object({
    profile: z.literal('office_hours'),
    busy_fraction: fraction,
    idle_fraction: fraction,
    start_hour: z.number().min(0).max(24),
    end_hour: z.number().min(0).max(24),
    utc_offset_hours: z.number().min(-12).max(14).default(0),
    memory_fraction: fraction,
  }),
  z.object({ profile: z.literal('trace'), vm_id: z.number().int().positive(), scale: z.number().positive().default(1) }),
]);
export type UsageProfile = z.infer<typeof UsageProfileSchema>;

const QuantitySchema = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity such as 500m or 1Gi');

export const ContainerSpecSchema = z.object({
  name: dns1123,
  image: z.string().default('registry.k8s.io/pause:3.9'),
  cpu_request: QuantitySchema,
  memory_request: QuantitySchema,
  cpu_limit: QuantitySchema.optional(),
  memory_limit: QuantitySchema.optional(),
  usage: UsageProfileSchema,
});

const TolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

export const WorkloadSpecSchema = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  namespace: dns1123,
  name: dns1123,
  replicas: z.number().int().min(0).max(10_000).default(1),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  node_selector: z.record(z.string(), z.string()).default({}),
  tolerations: z.array(TolerationSchema).default([]),
  termination_grace_period_seconds: z.number().int().min(0).max(3600).default(30),
  containers: z.array(ContainerSpecSchema).min(1),
  pdb: z
    .object({ min_available: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]).optional(), max_unavailable: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]).optional() })
    .refine((p) => (p.min_available === undefined) !== (p.max_unavailable === undefined), { message: 'set exactly one of min_available and max_unavailable' })
    .optional(),
});
export type WorkloadSpec = z.infer<typeof WorkloadSpecSchema>;

export const NodeGroupSchema = z.object({
  instance_type: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'must be an instance type such as m5.large'),
  capacity_type: z.enum(['spot', 'on-demand']),
  zone: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be an availability zone such as us-east-1a'),
  count: z.number().int().min(1).max(5_000),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) })).default([]),
});
export type NodeGroup = z.infer<typeof NodeGroupSchema>;

export const ScenarioSchema = z
  .object({
    name: dns1123,
    description: z.string().default(''),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1'),
    /** Where simulated time starts in the real spot price history (ISO date-time). */
    history_start: z.iso.datetime({ offset: true }),
    seed: z.number().int().default(1),
    nodes: z.array(NodeGroupSchema).min(1),
    workloads: z.array(WorkloadSpecSchema).default([]),
    market: z
      .object({
        /** Multiplies every pool's interruption hazard (a spot storm is 20–50×). */
        hazard_multiplier: z.number().min(0).max(1000).default(1),
        /** From this many simulated hours after the start, for `duration_hours`, the multiplier applies. */
        storm: z.object({ after_hours: z.number().min(0), duration_hours: z.number().positive(), hazard_multiplier: z.number().min(1).max(1000) }).optional(),
        boot_delay_seconds: z.object({ min: z.number().min(0), max: z.number().min(0) }).default({ min: 30, max: 90 }),
      })
      .default({ hazard_multiplier: 1, boot_delay_seconds: { min: 30, max: 90 } }),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.workloads.forEach((w, i) => {
      const id = `${w.namespace}/${w.name}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['workloads', i, 'name'], message: `duplicate workload ${id}` });
      seen.add(id);
    });
    s.nodes.forEach((n, i) => {
      if (!n.zone.startsWith(s.region)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'zone'], message: `${n.zone} is not in ${s.region}` });
    });
  });
export type Scenario = z.infer<typeof ScenarioSchema>;
