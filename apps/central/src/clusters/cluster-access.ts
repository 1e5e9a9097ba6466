/**
 * Which customer and cluster a person may reach. Another customer's objects answer NOT_FOUND, exactly like ids
 * that do not exist, so tenants cannot probe each other's ids.
 */
import { AppError } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, type Cluster, type Customer, type Database } from '@cloudoptim/db';
import { customerScope, type UserPrincipal } from '../auth/principal.ts';

/** The cluster if `user` may see it. @throws NOT_FOUND otherwise. */
export async function visibleCluster(db: Database, user: UserPrincipal, clusterId: string): Promise<Cluster> {
  const repo = new ClustersRepository(db.db);
  const scope = customerScope(user);
  const cluster = scope === undefined ? await repo.findById(clusterId) : await repo.find(scope, clusterId);
  if (!cluster) throw new AppError('NOT_FOUND', `cluster ${clusterId} not found`, { id: clusterId });
  return cluster;
}

/** The customer if `user` may see it (operators: any; others: their own). @throws NOT_FOUND otherwise. */
export async function visibleCustomer(db: Database, user: UserPrincipal, customerId: string): Promise<Customer> {
  const scope = customerScope(user);
  const customer = scope === undefined || scope === customerId ? await new CustomersRepository(db.db).find(customerId) : null;
  if (!customer) throw new AppError('NOT_FOUND', `customer ${customerId} not found`, { id: customerId });
  return customer;
}

/**
 * The customer a user's write is for: operators must name it; customer users act for their own customer, and
 * naming another is NOT_FOUND. @throws VALIDATION_FAILED (operator without `customer_id`), NOT_FOUND.
 */
export async function targetCustomer(db: Database, user: UserPrincipal, requested: string | undefined): Promise<Customer> {
  const scope = customerScope(user);
  if (scope === undefined && requested === undefined) {
    throw new AppError('VALIDATION_FAILED', 'operators must name the customer: customer_id is required', { issues: [{ path: 'customer_id', message: 'required for operators' }] });
  }
  return visibleCustomer(db, user, requested ?? scope!);
}
