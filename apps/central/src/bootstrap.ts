/**
 * The first operator: on a start with CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL and _PASSWORD set and no users at all,
 * create that operator. Safe to run on every start of every replica: it does nothing once any user exists, and
 * replicas racing on an empty table meet at the unique e-mail (the loser sees CONFLICT and stands down).
 */
import { isAppError } from '@cloudoptim/contracts';
import { UsersRepository } from '@cloudoptim/db';
import { hashPassword } from './auth/passwords.ts';
import type { CentralContext } from './context.ts';

export type BootstrapOutcome = 'created' | 'users-exist' | 'not-configured';

export async function ensureBootstrapAdmin(ctx: Pick<CentralContext, 'db' | 'clock' | 'log' | 'config' | 'audit'>): Promise<BootstrapOutcome> {
  const email = ctx.config.CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL;
  const password = ctx.config.CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD;
  if (!email || !password) return 'not-configured';
  const users = new UsersRepository(ctx.db.db);
  if (await users.any()) return 'users-exist';
  try {
    const user = await users.create({ email, passwordHash: await hashPassword(password), role: 'operator', customerId: null, createdAt: new Date(ctx.clock.now()) });
    await ctx.audit.record({ customerId: null, actor: 'system:bootstrap', action: 'user.bootstrap_operator', target: `user/${user.id}`, details: { email: user.email } });
    ctx.log.info({ email: user.email }, 'created the bootstrap operator');
    return 'created';
  } catch (error) {
    if (isAppError(error) && error.code === 'CONFLICT') return 'users-exist';
    throw error;
  }
}
