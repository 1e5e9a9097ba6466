/**
 * Launches the replacement of an interrupted (or at-risk) Spot node: one node of the same shape, in a Spot pool
 * the ML server rates safe other than the interrupted pool, or on-demand when no safe Spot pool is left (or the
 * ML server cannot be asked). Idempotent per spot event: the EC2 client token is `spot-<event id>` and a
 * replacement already launched for the event (found by its tag) is returned instead of launching again, so a
 * redelivered message never doubles capacity.
 */
import { createHash } from 'node:crypto';
import { DecisionRequestSchema, type ClusterStateDetail, type DecisionRequest, type DecisionResponse } from '@cloudoptim/contracts';
import type { CloudInstance, CloudProvider, LaunchPool } from '@cloudoptim/cloud';
import type { Cluster, Node } from '@cloudoptim/db';
import type { Market } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { clusterStateOf } from '../cluster-data/cluster-state.ts';
import type { MlGateway } from '../ml/ml-gateway.ts';
import type { ClusterSettings } from '../settings/cluster-settings.ts';

/** Tag naming the spot event a replacement was launched for. */
export const SPOT_EVENT_TAG = 'cloudoptim:spot-event-id';
export const CLUSTER_TAG = 'cloudoptim:cluster-id';
const GB_PER_GIB = 1024 ** 3 / 1e9;
/** Most instance types offered to the engine when the interrupted pool's type must be left out. */
const MAX_ALTERNATIVE_TYPES = 30;

/** What to launch and why. */
export interface ReplacementChoice {
  capacityType: 'spot' | 'on-demand';
  /** Pools in order of preference. */
  pools: LaunchPool[];
  reason: string;
  /** The ML request id, when the ML server was asked. */
  requestId: string | null;
}

/** A launched (or found) replacement. */
export interface LaunchedReplacement {
  instance: CloudInstance;
  choice: ReplacementChoice;
  /** False when the replacement was already there (a redelivery). */
  launchedNow: boolean;
}

export interface ReplacementRequest {
  cluster: Cluster;
  settings: ClusterSettings;
  provider: CloudProvider;
  /** The interrupted node. */
  node: Node;
  /** The cluster's other nodes (their zones are where the replacement may go). */
  clusterNodes: readonly Node[];
  /** The EventBridge event id. */
  eventId: string;
  /** Why: 'interruption' (a 2-minute warning) or 'rebalance'. */
  trigger: 'interruption' | 'rebalance';
}

export interface ReplacementLauncherDeps {
  ml: MlGateway;
  market: Market;
  clock: Clock;
  log: Logger;
}

/** `spot-<event id>`, or a digest of the id when that would not fit EC2's 64-character client token. */
export function replacementClientToken(eventId: string): string {
  const token = `spot-${eventId}`;
  return token.length <= 60 && /^[\x21-\x7e]+$/.test(token) ? token : `spot-${createHash('sha256').update(eventId).digest('hex').slice(0, 40)}`;
}

export class ReplacementLauncher {
  constructor(private readonly deps: ReplacementLauncherDeps) {}

  /**
   * Finds the replacement already launched for the event, or chooses and launches one.
   * @throws AppError CAPACITY_UNAVAILABLE when nothing could be launched, or the provider's other errors.
   */
  async launch(req: ReplacementRequest): Promise<LaunchedReplacement> {
    const existing = await req.provider.describeInstances({ tags: { [SPOT_EVENT_TAG]: req.eventId } });
    const live = existing.find((i) => i.state !== 'terminated' && i.state !== 'shutting-down');
    if (live) return { instance: live, choice: { capacityType: live.capacityType, pools: [{ instanceType: live.instanceType, availabilityZone: live.availabilityZone }], reason: 'already launched for this event', requestId: null }, launchedNow: false };

    const choice = await this.choose(req);
    const result = await req.provider.launchCapacity({
      pools: choice.pools,
      capacityType: choice.capacityType,
      count: 1,
      allocationStrategy: choice.capacityType === 'spot' ? 'capacity-optimized-prioritized' : 'lowest-price',
      onDemandFallback: choice.capacityType === 'spot',
      clientToken: replacementClientToken(req.eventId),
      tags: { [SPOT_EVENT_TAG]: req.eventId, [CLUSTER_TAG]: req.cluster.id, 'cloudoptim:replaces': req.node.instanceId },
      ...(req.settings.launch_template_id !== null && { launchTemplate: { launchTemplateId: req.settings.launch_template_id } }),
    });
    const instance = result.instances[0] as CloudInstance; // launchCapacity throws when nothing was launched
    return { instance, choice, launchedNow: true };
  }

  /** The pools to launch in: the ML server's safe Spot pools other than the interrupted one, else on-demand. */
  async choose(req: ReplacementRequest): Promise<ReplacementChoice> {
    const onDemand = (reason: string, requestId: string | null, pool?: LaunchPool): ReplacementChoice => ({
      capacityType: 'on-demand',
      pools: [pool ?? { instanceType: req.node.instanceType, availabilityZone: req.node.availabilityZone }],
      reason,
      requestId,
    });
    let request: DecisionRequest;
    let response: DecisionResponse;
    try {
      request = this.decisionRequest(req);
      response = await this.deps.ml.decide(request);
    } catch (error) {
      this.deps.log.warn({ clusterId: req.cluster.id, eventId: req.eventId, err: error instanceof Error ? error.message : String(error) }, 'spot replacement: the ML server could not be asked; replacing on-demand');
      return onDemand('the ML server could not be asked; on-demand keeps the capacity', null);
    }
    const excluded = (t: string, az: string) => t === req.node.instanceType && az === req.node.availabilityZone;
    const spot = response.recommendations.filter((r) => r.capacity_type === 'spot' && r.node_count > 0 && !excluded(r.instance_type, r.availability_zone));
    if (spot.length > 0) {
      return {
        capacityType: 'spot',
        pools: spot.map((r, i) => ({ instanceType: r.instance_type, availabilityZone: r.availability_zone, priority: i })),
        reason: `safe Spot pool ${spot[0]?.instance_type} in ${spot[0]?.availability_zone} (risk ${spot[0]?.risk_score})`,
        requestId: request.request_id,
      };
    }
    const od = response.recommendations.find((r) => r.capacity_type === 'on-demand' && r.node_count > 0);
    const why = response.outcome_reason ?? 'no Spot pool under the risk limit';
    return onDemand(`no safe Spot pool left (${why})`, request.request_id, od && { instanceType: od.instance_type, availabilityZone: od.availability_zone });
  }

  /**
   * spot_optimize for one node of the interrupted node's shape. The current state carries no nodes, so the engine
   * proposes only the new node (not a re-plan of the cluster); the Spot share and family caps are lifted because
   * a Spot node replacing a Spot node does not change either share. The interrupted pool is left out by zone
   * (another zone of the cluster when it has one) or, in a single-zone cluster, by instance type.
   */
  decisionRequest(req: ReplacementRequest): DecisionRequest {
    const { cluster, node, settings } = req;
    const type = this.deps.market.instanceType(node.instanceType);
    const vcpu = type?.vcpu ?? Math.max(1, Math.ceil(node.cpuAllocatableCores));
    const memoryGib = type?.memoryGib ?? Math.max(1, Math.ceil(node.memoryAllocatableGb / GB_PER_GIB));
    const zones = [...new Set([node.availabilityZone, ...req.clusterNodes.map((n) => n.availabilityZone)])].filter((z) => z.startsWith(cluster.region)).sort();
    const otherZones = zones.filter((z) => z !== node.availabilityZone);
    let instanceTypes: string[] = [];
    if (otherZones.length === 0 && this.deps.market.hasRegion(cluster.region)) {
      instanceTypes = this.deps.market
        .findInstanceTypes({ region: cluster.region, minVcpu: vcpu, minMemoryGib: memoryGib, spotOnly: true, ...(type?.architecture && { architecture: type.architecture }) })
        .map((o) => o.instanceType)
        .filter((t) => t !== node.instanceType)
        .slice(0, MAX_ALTERNATIVE_TYPES);
    }
    const now = new Date(this.deps.clock.now()).toISOString();
    const state: ClusterStateDetail = {
      ...clusterStateOf(cluster, cluster.healthStatus ?? 'GREEN'),
      last_updated: (cluster.lastUpdated ?? new Date(this.deps.clock.now())).toISOString(),
      nodes: [],
      pods: [],
      pending_pod_details: [],
    };
    return DecisionRequestSchema.parse({
      request_id: `spot-${createHash('sha256').update(`${cluster.id}|${req.eventId}`).digest('hex').slice(0, 32)}`,
      cluster_id: cluster.id,
      timestamp: now,
      decision_type: 'spot_optimize',
      current_state: state,
      requirements: {
        cpu_cores: vcpu,
        memory_gb: memoryGib * GB_PER_GIB,
        architectures: type?.architecture ? [type.architecture] : [],
        availability_zones: otherZones.length > 0 ? otherZones : zones,
        instance_types: instanceTypes,
      },
      constraints: {
        max_spot_share: 1,
        max_family_share: 1,
        min_pools: 1,
        max_nodes_disrupted: 1,
        allow_on_demand_fallback: true,
        excluded_namespaces: settings.excluded_namespaces,
        automation_mode: 'automate',
      },
      metadata: {
        trigger: req.trigger,
        requested_by: 'spot-handler',
        customer_id: cluster.customerId,
        node_vcpu: vcpu,
        node_memory_gib: memoryGib,
        excluded_pools: [{ instance_type: node.instanceType, availability_zone: node.availabilityZone }],
        spot_event_id: req.eventId,
      },
    });
  }
}
