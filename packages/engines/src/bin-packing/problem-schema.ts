/**
 * The wire format of a bin-packing problem (snake_case, docs/binpack-format.md) as a zod schema that maps to
 * the camelCase domain `BinPackProblem`, with cross-reference checks (unique names, known instance types and
 * nodes), and the snake_case view of a plan.
 */
import { z } from 'zod';
import type { BinPackProblem, BinPackResult, PodOwner } from './problem.ts';

const name = z.string().min(1, 'must not be empty');
const quantity = (what: string) => z.number({ message: `${what} must be a number` }).finite().nonnegative(`${what} must be ≥ 0`);
const count = (what: string) => z.number({ message: `${what} must be a number` }).int(`${what} must be an integer`).nonnegative(`${what} must be ≥ 0`);
const labels = z.record(z.string(), z.string({ message: 'label values must be strings' }));
const intOrPercent = z.union([count('value'), z.string().regex(/^\d+(\.\d+)?%$/, 'expected a count or a percentage such as "10%"')]);
const effect = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

const TaintSchema = z.object({ key: name, value: z.string().optional(), effect });
const TolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().optional(),
  effect: effect.optional(),
});
const RequirementSchema = z.object({
  key: name,
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).default([]),
});
const OverheadSchema = z.object({ cpu_milli: quantity('cpu_milli').default(0), memory_mib: quantity('memory_mib').default(0), pods: count('pods').default(0) });
const toOverhead = (o: z.output<typeof OverheadSchema>) => ({ cpuMillis: o.cpu_milli, memoryMib: o.memory_mib, pods: o.pods });

const InstanceTypeSchema = z.object({
  name,
  cpu_milli: quantity('cpu_milli'),
  memory_mib: quantity('memory_mib'),
  pods: count('pods'),
  gpu: count('gpu').default(0),
  price_usd_hour: quantity('price_usd_hour'),
  zones: z.array(name).min(1, 'an instance type needs at least one zone'),
  capacity_type: z.string().min(1).default('on-demand'),
  architecture: z.string().optional(),
  labels: labels.default({}),
  taints: z.array(TaintSchema).default([]),
  daemonset_overhead: OverheadSchema.optional(),
});

const NodeSchema = z.object({
  name,
  instance_type: name,
  zone: name,
  capacity_type: z.string().min(1).default('on-demand'),
  labels: labels.default({}),
  taints: z.array(TaintSchema).default([]),
  annotations: labels.default({}),
  price_usd_hour: quantity('price_usd_hour').optional(),
});

const OwnerSchema = z.union([
  z.string().regex(/^[A-Za-z]+\/.+$/, 'owner must be "Kind/name" (e.g. "ReplicaSet/web-5d8f") or {kind, name}'),
  z.object({ kind: name, name }),
]);

const PodSchema = z.object({
  name,
  namespace: z.string().min(1).default('default'),
  cpu_milli: quantity('cpu_milli').default(0),
  memory_mib: quantity('memory_mib').default(0),
  gpu: count('gpu').default(0),
  node_selector: labels.default({}),
  node_affinity: z.array(RequirementSchema).default([]),
  tolerations: z.array(TolerationSchema).default([]),
  labels: labels.default({}),
  annotations: labels.default({}),
  owner: OwnerSchema.nullable().default(null),
  node: z.string().min(1).nullable().default(null),
});

const PdbSchema = z
  .object({
    name,
    namespace: z.string().min(1).default('default'),
    selector: z.union([z.object({ match_labels: labels }), labels]).optional(),
    owner: z.string().min(1).optional(),
    min_available: intOrPercent.optional(),
    max_unavailable: intOrPercent.optional(),
  })
  .superRefine((pdb, ctx) => {
    if ((pdb.min_available === undefined) === (pdb.max_unavailable === undefined)) ctx.addIssue({ code: 'custom', message: 'set exactly one of min_available and max_unavailable' });
    if (pdb.selector === undefined && pdb.owner === undefined) ctx.addIssue({ code: 'custom', message: 'set selector or owner' });
  });

const OptionsSchema = z.object({
  mode: z.enum(['pack', 'consolidate']).default('pack'),
  max_disrupted_nodes: intOrPercent.default('10%'),
  daemonset_overhead: OverheadSchema.default({ cpu_milli: 0, memory_mib: 0, pods: 0 }),
  evict_unowned_pods: z.boolean().default(false),
  allow_replacement: z.boolean().default(true),
});

const WireSchema = z
  .object({
    instance_types: z.array(InstanceTypeSchema).min(1, 'at least one instance type is needed'),
    nodes: z.array(NodeSchema).default([]),
    pods: z.array(PodSchema).default([]),
    pdbs: z.array(PdbSchema).default([]),
    options: OptionsSchema.default({ mode: 'pack', max_disrupted_nodes: '10%', daemonset_overhead: { cpu_milli: 0, memory_mib: 0, pods: 0 }, evict_unowned_pods: false, allow_replacement: true }),
  })
  .superRefine((p, ctx) => {
    const duplicates = (items: { key: string }[], path: (i: number) => (string | number)[], what: string) => {
      const seen = new Map<string, number>();
      items.forEach((item, i) => {
        const first = seen.get(item.key);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${item.key} (first at index ${first})` });
        else seen.set(item.key, i);
      });
    };
    duplicates(p.instance_types.map((t) => ({ key: `${t.name}/${t.capacity_type}` })), (i) => ['instance_types', i, 'name'], 'instance type');
    duplicates(p.nodes.map((n) => ({ key: n.name })), (i) => ['nodes', i, 'name'], 'node');
    duplicates(p.pods.map((x) => ({ key: x.name })), (i) => ['pods', i, 'name'], 'pod name (pod names must be unique across namespaces)');
    const types = new Set(p.instance_types.map((t) => t.name));
    p.nodes.forEach((n, i) => {
      if (!types.has(n.instance_type)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'instance_type'], message: `${n.instance_type} is not in instance_types` });
    });
    if (p.options.mode === 'consolidate') {
      const nodes = new Set(p.nodes.map((n) => n.name));
      p.pods.forEach((pod, i) => {
        if (pod.node !== null && !nodes.has(pod.node)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'node'], message: `node ${pod.node} is not in nodes` });
      });
    }
  });

function toOwner(owner: z.output<typeof OwnerSchema> | null): PodOwner | null {
  if (owner === null) return null;
  if (typeof owner !== 'string') return owner;
  const slash = owner.indexOf('/');
  return { kind: owner.slice(0, slash), name: owner.slice(slash + 1) };
}

/** The problem file schema: snake_case JSON in, camelCase `BinPackProblem` out. */
export const BinPackProblemSchema = WireSchema.transform(
  (p): BinPackProblem => ({
    instanceTypes: p.instance_types.map((t) => ({
      name: t.name,
      cpuMillis: t.cpu_milli,
      memoryMib: t.memory_mib,
      pods: t.pods,
      gpus: t.gpu,
      priceUsdPerHour: t.price_usd_hour,
      zones: t.zones,
      capacityType: t.capacity_type,
      ...(t.architecture !== undefined && { architecture: t.architecture }),
      labels: t.labels,
      taints: t.taints,
      ...(t.daemonset_overhead && { daemonsetOverhead: toOverhead(t.daemonset_overhead) }),
    })),
    nodes: p.nodes.map((n) => ({
      name: n.name,
      instanceType: n.instance_type,
      zone: n.zone,
      capacityType: n.capacity_type,
      labels: n.labels,
      taints: n.taints,
      annotations: n.annotations,
      ...(n.price_usd_hour !== undefined && { priceUsdPerHour: n.price_usd_hour }),
    })),
    pods: p.pods.map((x) => ({
      name: x.name,
      namespace: x.namespace,
      cpuMillis: x.cpu_milli,
      memoryMib: x.memory_mib,
      gpus: x.gpu,
      nodeSelector: x.node_selector,
      nodeAffinity: x.node_affinity,
      tolerations: x.tolerations,
      labels: x.labels,
      annotations: x.annotations,
      owner: toOwner(x.owner),
      node: p.options.mode === 'pack' ? null : x.node,
    })),
    pdbs: p.pdbs.map((d) => ({
      name: d.name,
      namespace: d.namespace,
      ...(d.selector !== undefined && { selector: 'match_labels' in d.selector && typeof d.selector.match_labels === 'object' ? (d.selector.match_labels as Record<string, string>) : (d.selector as Record<string, string>) }),
      ...(d.owner !== undefined && { owner: d.owner }),
      ...(d.min_available !== undefined && { minAvailable: d.min_available }),
      ...(d.max_unavailable !== undefined && { maxUnavailable: d.max_unavailable }),
    })),
    options: {
      mode: p.options.mode,
      maxDisruptedNodes: p.options.max_disrupted_nodes,
      daemonsetOverhead: toOverhead(p.options.daemonset_overhead),
      evictUnownedPods: p.options.evict_unowned_pods,
      allowReplacement: p.options.allow_replacement,
    },
  }),
);
export type BinPackProblemInput = z.input<typeof BinPackProblemSchema>;

/** The snake_case plan printed by `cloudoptim binpack --json`. */
export function toWirePlan(plan: BinPackResult, solveMs: number) {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    mode: plan.mode,
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      instance_type: n.instanceType,
      zone: n.zone,
      capacity_type: n.capacityType,
      price_usd_hour: n.priceUsdPerHour,
      new: n.isNew,
      utilisation: n.utilisation,
      pods: n.pods,
    })),
    unplaced: plan.unplaced,
    removed_nodes: plan.removedNodes.map((r) => ({ name: r.name, instance_type: r.instanceType, price_usd_hour: r.priceUsdPerHour, action: r.action })),
    moves: plan.moves,
    steps: plan.steps,
    candidates: plan.candidates.map((c) => ({ node: c.node, action: c.action, savings_usd_hour: round(c.savingsUsdPerHour), ...(c.replacement && { replacement: c.replacement }), reason: c.reason })),
    initial_cost_usd_hour: round(plan.initialCostUsdPerHour),
    cost_usd_hour: round(plan.costUsdPerHour),
    savings_usd_hour: round(plan.savingsUsdPerHour),
    lower_bound_usd_hour: plan.lowerBound.valueUsdPerHour,
    gap_to_bound: finite(plan.gap),
    bound: {
      method: plan.lowerBound.method,
      lp_objective_usd_hour: plan.lowerBound.lpObjectiveUsdPerHour,
      lp_columns: plan.lowerBound.lpColumns,
      lp_rows: plan.lowerBound.lpRows,
    },
    disruption_budget: plan.disruptionBudget,
    solve_ms: Math.round(solveMs * 10) / 10,
    rationale: { factors: plan.rationale.factors, groups: plan.rationale.groups, node_classes: plan.rationale.nodeClasses, utilisation: plan.rationale.utilisation, notes: plan.rationale.notes },
  };
}
export type BinPackPlanWire = ReturnType<typeof toWirePlan>;

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
