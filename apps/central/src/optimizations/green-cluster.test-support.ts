/** A registered cluster that the periodic optimizers act on: fresh metrics and a GREEN state (or another health). */
import { exampleClusterMetrics } from '@cloudoptim/contracts';
import { ClusterMetricsRepository, ClustersRepository, type Cluster } from '@cloudoptim/db';
import type { TestCentral } from '../testing/test-central.ts';

export async function setHealth(central: TestCentral, customerId: string, clusterId: string, healthStatus: 'GREEN' | 'RED'): Promise<Cluster> {
  const state = { healthStatus, totalNodes: 2, spotNodes: 1, onDemandNodes: 1, totalCpuCores: 5.85, totalMemoryGb: 19.33, allocatedCpuCores: 2, allocatedMemoryGb: 3.76, totalPods: 4, runningPods: 3, pendingPods: 1, currentCostPerHour: 0.14, baselineCostPerHour: 0.26 };
  return new ClustersRepository(central.db.db).updateState(customerId, clusterId, { ...state, lastUpdated: new Date(central.clock.now()) });
}

export async function freshMetrics(central: TestCentral, customerId: string, clusterId: string): Promise<void> {
  const now = new Date(central.clock.now());
  await new ClusterMetricsRepository(central.db.db).storeLatest(customerId, clusterId, exampleClusterMetrics({ cluster_id: clusterId, timestamp: now.toISOString() }), now);
}

export async function greenCluster(central: TestCentral): Promise<Cluster> {
  const { customerId } = await central.createCustomer();
  const { clusterId } = await central.registerCluster(customerId);
  await freshMetrics(central, customerId, clusterId);
  return setHealth(central, customerId, clusterId, 'GREEN');
}
