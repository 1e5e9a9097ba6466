import { asc, eq } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { customers } from '../schema.ts';
import { found, isUuid, listLimit } from './repository-helpers.ts';

/** A tenant of the control plane. */
export interface Customer {
  id: string;
  name: string;
  contactEmail: string | null;
  status: 'active' | 'suspended';
  createdAt: Date;
  updatedAt: Date;
}

/** Input of {@link CustomersRepository.create}. */
export interface NewCustomer {
  name: string;
  contactEmail?: string | null;
}

function toCustomer(row: typeof customers.$inferSelect): Customer {
  return { id: row.id, name: row.name, contactEmail: row.contactEmail, status: row.status, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/**
 * Customers. Unlike the other repositories this one is not customer-scoped: `list` is for the operator.
 * Errors are AppErrors: CONFLICT (a customer with that name, case-insensitive, exists), VALIDATION_FAILED.
 */
export class CustomersRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Creates a customer. */
  async create(input: NewCustomer): Promise<Customer> {
    return withDbErrors('create customer', async () => {
      const [row] = await this.db.insert(customers).values({ name: input.name, contactEmail: input.contactEmail ?? null }).returning();
      return toCustomer(row!);
    });
  }

  /** The customer, or null. */
  async find(customerId: string): Promise<Customer | null> {
    if (!isUuid(customerId)) return null;
    return withDbErrors('find customer', async () => {
      const [row] = await this.db.select().from(customers).where(eq(customers.id, customerId));
      return row ? toCustomer(row) : null;
    });
  }

  /** The customer; AppError NOT_FOUND when absent. */
  async get(customerId: string): Promise<Customer> {
    return found(await this.find(customerId), 'customer', customerId);
  }

  /** All customers by name (operator view). */
  async list(options: { limit?: number; offset?: number } = {}): Promise<Customer[]> {
    return withDbErrors('list customers', async () => {
      const rows = await this.db
        .select()
        .from(customers)
        .orderBy(asc(customers.name), asc(customers.id))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toCustomer);
    });
  }
}
