/**
 * The bin-packing problem and plan as plain data (camelCase domain types). The wire format (snake_case) is
 * parsed and mapped to these types by `BinPackProblemSchema` in problem-schema.ts.
 */

/** Index of each resource in a `ResourceVector`. */
export const CPU = 0;
export const MEMORY = 1;
export const PODS = 2;
export const GPU = 3;
/** Resource names in vector order (cpu millicores, memory MiB, pod slots, GPUs). */
export const RESOURCES = ['cpuMillis', 'memoryMib', 'pods', 'gpus'] as const;
export type ResourceName = (typeof RESOURCES)[number];
/** [cpuMillis, memoryMib, pods, gpus]. */
export type ResourceVector = [number, number, number, number];

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** A Kubernetes toleration; `operator` defaults to Equal, an empty `key` with Exists tolerates every taint. */
export interface Toleration {
  key?: string;
  operator: 'Equal' | 'Exists';
  value?: string;
  /** Omitted = every effect. */
  effect?: TaintEffect;
}

/** One requirement of a required node-affinity term (all requirements of the term must hold). */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

/** Per-node resources taken by DaemonSet pods (they run on every node, new or old). */
export interface DaemonsetOverhead {
  cpuMillis: number;
  memoryMib: number;
  pods: number;
}

/** A purchasable node offering: an instance type with one capacity type and its price. */
export interface InstanceTypeOffer {
  name: string;
  /** Allocatable CPU, millicores (after kube/system reserved, before DaemonSets). */
  cpuMillis: number;
  /** Allocatable memory, MiB. */
  memoryMib: number;
  /** Max pods. */
  pods: number;
  gpus: number;
  priceUsdPerHour: number;
  /** Zones where the offering can be launched. */
  zones: string[];
  capacityType: string;
  architecture?: string;
  /** Extra labels every node of the type carries (e.g. a NodePool label). */
  labels: Record<string, string>;
  /** Taints every new node of the type carries (e.g. `nvidia.com/gpu:NoSchedule`). */
  taints: Taint[];
  /** Overrides `options.daemonsetOverhead` for nodes of this type. */
  daemonsetOverhead?: DaemonsetOverhead;
}

/** A node that exists now (consolidate mode). */
export interface ExistingNode {
  name: string;
  instanceType: string;
  zone: string;
  capacityType: string;
  labels: Record<string, string>;
  taints: Taint[];
  annotations: Record<string, string>;
  /** Overrides the offering's price (e.g. a Savings Plan rate). */
  priceUsdPerHour?: number;
}

export interface PodOwner {
  kind: string;
  name: string;
}

export interface Pod {
  name: string;
  namespace: string;
  cpuMillis: number;
  memoryMib: number;
  gpus: number;
  nodeSelector: Record<string, string>;
  /** Required node affinity: a single term (AND of requirements). */
  nodeAffinity: NodeSelectorRequirement[];
  tolerations: Toleration[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner: PodOwner | null;
  /** The node the pod runs on now (consolidate mode); ignored in pack mode. */
  node: string | null;
}

/** A PodDisruptionBudget: pods matched by label selector or owner ("Kind/name" or name), in one namespace. */
export interface PodDisruptionBudget {
  name: string;
  namespace: string;
  selector?: Record<string, string>;
  owner?: string;
  /** Absolute count or "NN%" of matched pods. */
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

export type BinPackMode = 'pack' | 'consolidate';

export interface BinPackOptions {
  mode: BinPackMode;
  /** Disruption budget: nodes deleted or replaced by one plan; a count or "NN%" of current nodes. Default "10%" (Karpenter's default budget). */
  maxDisruptedNodes: number | string;
  /** Default DaemonSet overhead per node. */
  daemonsetOverhead: DaemonsetOverhead;
  /** Evict pods without an owner (they would not come back). Default false: their node is not disrupted. */
  evictUnownedPods: boolean;
  /** Allow consolidation to launch replacement nodes (Karpenter "replace"); default true. */
  allowReplacement: boolean;
}

/** The whole problem, the engine's input. */
export interface BinPackProblem {
  instanceTypes: InstanceTypeOffer[];
  nodes: ExistingNode[];
  pods: Pod[];
  pdbs: PodDisruptionBudget[];
  options: BinPackOptions;
}

/** A node of the plan: kept (existing) or new. */
export interface PlannedNode {
  name: string;
  instanceType: string;
  zone: string;
  capacityType: string;
  priceUsdPerHour: number;
  /** Pod names. */
  pods: string[];
  isNew: boolean;
  /** Share of usable capacity (after DaemonSets) requested by its pods, per resource, 0..1. */
  utilisation: { cpu: number; memory: number; pods: number; gpu: number };
}

export interface UnplacedPod {
  pod: string;
  reason: string;
}

export interface RemovedNode {
  name: string;
  instanceType: string;
  priceUsdPerHour: number;
  action: 'delete' | 'replace';
}

export interface PodMove {
  pod: string;
  from: string | null;
  to: string;
}

/** How a single node could be consolidated on its own (Karpenter single-node consolidation). */
export interface CandidateEvaluation {
  node: string;
  action: 'delete' | 'replace' | 'none' | 'blocked';
  savingsUsdPerHour: number;
  /** For `replace`: the cheapest node type that takes the pods that do not fit elsewhere. */
  replacement?: string;
  reason: string;
}

export interface BoundInfo {
  valueUsdPerHour: number;
  /** `lp-dual`: Lagrangian bound from the LP duals (checked here, not trusted from the solver); `single-resource`: no LP solver was given. */
  method: 'lp-dual' | 'single-resource';
  /** LP optimum as reported by the solver (null without a solver). */
  lpObjectiveUsdPerHour: number | null;
  lpColumns: number;
  lpRows: number;
}

/** One step of the plan in execution order. */
export interface PlanStep {
  order: number;
  action: 'launch' | 'drain-and-delete';
  node: string;
  /** Pods evicted (drain) or expected (launch). */
  pods: string[];
}

export interface BinPackRationale {
  factors: string[];
  groups: number;
  nodeClasses: number;
  /** Cost-weighted mean utilisation of the plan's nodes per resource. */
  utilisation: { cpu: number; memory: number; pods: number; gpu: number };
  notes: string[];
}

/** The plan. `gap` = cost / lowerBound − 1 (0 when both are 0). */
export interface BinPackResult {
  mode: BinPackMode;
  nodes: PlannedNode[];
  unplaced: UnplacedPod[];
  removedNodes: RemovedNode[];
  moves: PodMove[];
  steps: PlanStep[];
  candidates: CandidateEvaluation[];
  initialCostUsdPerHour: number;
  costUsdPerHour: number;
  savingsUsdPerHour: number;
  lowerBound: BoundInfo;
  gap: number;
  disruptionBudget: number;
  rationale: BinPackRationale;
}
