import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import { AppError } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { users } from '../schema.ts';
import { found, isUuid, listLimit, requireUuid } from './repository-helpers.ts';

export type UserRole = 'operator' | 'customer_admin' | 'customer_viewer';

/** A person who signs in. `customerId` is null exactly for operators. */
export interface User {
  id: string;
  email: string;
  role: UserRole;
  customerId: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
}

/** Input of {@link UsersRepository.create}; `passwordHash` is an argon2id PHC string, never a password. */
export interface NewUser {
  email: string;
  passwordHash: string;
  role: UserRole;
  /** Required for customer roles, null for operators. */
  customerId: string | null;
  createdAt: Date;
}

/** A user with the stored password hash, for the login check only. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
}

/** E-mail addresses are stored and compared lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toUser(row: typeof users.$inferSelect): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    customerId: row.customerId,
    createdAt: row.createdAt,
    lastLoginAt: row.lastLoginAt,
    disabledAt: row.disabledAt,
  };
}

/**
 * Users. Lookups by e-mail and id are global (sign-in happens before a customer is known); listings are scoped
 * by customer. Errors are AppErrors: CONFLICT (e-mail taken, case-insensitive), NOT_FOUND (unknown customer),
 * VALIDATION_FAILED (operator with a customer, customer role without one, malformed e-mail).
 */
export class UsersRepository {
  constructor(private readonly db: DrizzleDb) {}

  async create(input: NewUser): Promise<User> {
    if ((input.role === 'operator') !== (input.customerId === null)) {
      throw new AppError('VALIDATION_FAILED', 'operators have no customer; customer users need one', { issues: [{ path: 'customer_id', message: 'does not fit the role' }] });
    }
    if (input.customerId !== null) requireUuid(input.customerId, 'customer_id');
    return withDbErrors('create user', async () => {
      const [row] = await this.db
        .insert(users)
        .values({ email: normalizeEmail(input.email), passwordHash: input.passwordHash, role: input.role, customerId: input.customerId, createdAt: input.createdAt })
        .returning();
      return toUser(row!);
    });
  }

  /** The user by id, or null. */
  async find(userId: string): Promise<User | null> {
    if (!isUuid(userId)) return null;
    return withDbErrors('find user', async () => {
      const [row] = await this.db.select().from(users).where(eq(users.id, userId));
      return row ? toUser(row) : null;
    });
  }

  /** The user of `customerId` (null: an operator); AppError NOT_FOUND otherwise. */
  async get(customerId: string | null, userId: string): Promise<User> {
    const user = await this.find(userId);
    return found(user && user.customerId === customerId ? user : null, 'user', userId);
  }

  /** The user with that e-mail (any case) and its password hash, or null. */
  async findCredentials(email: string): Promise<UserCredentials | null> {
    return withDbErrors('find user', async () => {
      const [row] = await this.db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`);
      return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
    });
  }

  /** The customer's users by e-mail. */
  async list(customerId: string, options: { limit?: number; offset?: number } = {}): Promise<User[]> {
    if (!isUuid(customerId)) return [];
    return withDbErrors('list users', async () => {
      const rows = await this.db
        .select()
        .from(users)
        .where(and(isNotNull(users.customerId), eq(users.customerId, customerId)))
        .orderBy(asc(users.email))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toUser);
    });
  }

  /** True when any user exists (bootstrap creates the first operator only on an empty table). */
  async any(): Promise<boolean> {
    return withDbErrors('count users', async () => {
      const rows = await this.db.select({ id: users.id }).from(users).limit(1);
      return rows.length > 0;
    });
  }

  async recordLogin(userId: string, at: Date): Promise<void> {
    if (!isUuid(userId)) return;
    await withDbErrors('record login', () => this.db.update(users).set({ lastLoginAt: at }).where(eq(users.id, userId)));
  }
}
