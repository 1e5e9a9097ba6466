/**
 * A customer's users. Operators manage any customer's users; a customer_admin manages its own customer's
 * (customer roles only: operators are created at bootstrap); viewers may list them.
 */
import { z } from 'zod';
import { UsersRepository } from '@cloudoptim/db';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from '../auth/passwords.ts';
import { EmailSchema, UserViewSchema, toUserView } from '../auth/user-view.ts';
import { visibleCustomer } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { PageQuerySchema } from './customers.routes.ts';

const CreateUserBodySchema = z.object({
  email: EmailSchema,
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH),
  role: z.enum(['customer_admin', 'customer_viewer']),
});
const CustomerParamsSchema = z.object({ customer_id: z.string().min(1).max(128) });

export const usersFeature: Feature = (routes, _app, ctx) => {
  const users = new UsersRepository(ctx.db.db);

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/customers/:customer_id/users',
    summary: "Create a user of the customer (operators; the customer's admins)",
    tag: 'customers',
    auth: 'user',
    roles: ['operator', 'customer_admin'],
    params: CustomerParamsSchema,
    body: CreateUserBodySchema,
    response: UserViewSchema,
    status: 201,
    async handler({ req, principal, params, body }) {
      const customer = await visibleCustomer(ctx.db, principal, params.customer_id);
      const user = await users.create({ email: body.email, passwordHash: await hashPassword(body.password), role: body.role, customerId: customer.id, createdAt: new Date(ctx.clock.now()) });
      await ctx.audit.record({ customerId: customer.id, actor: `user:${principal.email}`, action: 'user.create', target: `user/${user.id}`, details: { email: user.email, role: user.role }, requestId: req.id });
      return toUserView(user);
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/customers/:customer_id/users',
    summary: "The customer's users, by e-mail",
    tag: 'customers',
    auth: 'user',
    params: CustomerParamsSchema,
    query: PageQuerySchema,
    response: z.object({ users: z.array(UserViewSchema) }),
    async handler({ principal, params, query }) {
      const customer = await visibleCustomer(ctx.db, principal, params.customer_id);
      return { users: (await users.list(customer.id, query)).map(toUserView) };
    },
  });
};
