/**
 * Who is calling: a person (session token or cookie) or an agent (per-cluster API key). Route handlers get the
 * principal from `defineRoute` and scope every query by it: a user of customer A asking for B's objects gets
 * 404 (not 403), so ids of other tenants cannot be probed.
 */
import { AppError } from '@cloudoptim/contracts';

export const ROLES = ['operator', 'customer_admin', 'customer_viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  role: Role;
  /** null for operators (they see every customer). */
  customerId: string | null;
  sessionId: string;
}

export interface AgentPrincipal {
  kind: 'agent';
  clusterId: string;
  customerId: string;
  keyId: string;
}

export type Principal = UserPrincipal | AgentPrincipal;

/** The customer a user's queries are limited to; undefined = all (operator). */
export function customerScope(user: UserPrincipal): string | undefined {
  return user.role === 'operator' ? undefined : (user.customerId ?? undefined);
}

/**
 * Throws NOT_FOUND unless `user` may see objects of `customerId` (what = how the object is named in the message).
 * Use it after loading an object by id without a customer filter; prefer filtering in the query.
 */
export function assertCustomerVisible(user: UserPrincipal, customerId: string, what: string): void {
  if (user.role !== 'operator' && user.customerId !== customerId) throw new AppError('NOT_FOUND', `${what} not found`);
}

/** Throws FORBIDDEN when a viewer tries to change something (customer_admin and operator may). */
export function assertCanWrite(user: UserPrincipal): void {
  if (user.role === 'customer_viewer') throw new AppError('FORBIDDEN', 'this account can only read (role customer_viewer)');
}
