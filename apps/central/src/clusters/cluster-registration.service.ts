/**
 * Registering a cluster: the cluster row and its first agent key in one transaction, so a cluster never exists
 * without a way for its agent to connect (and a failed key leaves no cluster behind).
 */
import { ClustersRepository, type Cluster, type Database, type NewCluster } from '@cloudoptim/db';
import type { AgentKeysService, IssuedAgentKey } from '../auth/agent-keys.service.ts';

export interface RegisteredCluster extends IssuedAgentKey {
  cluster: Cluster;
}

/** @throws NOT_FOUND (unknown customer), CONFLICT (the customer has a cluster of that name), VALIDATION_FAILED. */
export function registerCluster(db: Database, keys: AgentKeysService, customerId: string, input: NewCluster): Promise<RegisteredCluster> {
  return db.transaction(async (scope) => {
    const cluster = await new ClustersRepository(scope.db).create(customerId, input);
    return { cluster, ...(await keys.issue(customerId, cluster.id, scope)) };
  });
}
