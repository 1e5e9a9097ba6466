/**
 * Customers (tenants): operators create and list them; a customer's own users may read their customer.
 */
import { z } from 'zod';
import { IsoDateTimeSchema } from '@cloudoptim/contracts';
import { CustomersRepository, type Customer } from '@cloudoptim/db';
import { EmailSchema } from '../auth/user-view.ts';
import { visibleCustomer } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';

export const CustomerViewSchema = z.object({
  customer_id: z.uuid(),
  company_name: z.string(),
  email: z.string().nullable(),
  status: z.enum(['active', 'suspended']),
  created_at: IsoDateTimeSchema,
});

function toCustomerView(customer: Customer): z.input<typeof CustomerViewSchema> {
  return { customer_id: customer.id, company_name: customer.name, email: customer.contactEmail, status: customer.status, created_at: customer.createdAt.toISOString() };
}

const CreateCustomerBodySchema = z.object({ company_name: z.string().trim().min(1).max(200), email: EmailSchema });
export const PageQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });
const CustomerParamsSchema = z.object({ customer_id: z.string().min(1).max(128) });

export const customersFeature: Feature = (routes, _app, ctx) => {
  const customers = new CustomersRepository(ctx.db.db);

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/customers',
    summary: 'Create a customer (operators)',
    tag: 'customers',
    auth: 'user',
    roles: ['operator'],
    body: CreateCustomerBodySchema,
    response: CustomerViewSchema,
    status: 201,
    async handler({ req, principal, body }) {
      const customer = await customers.create({ name: body.company_name, contactEmail: body.email });
      await ctx.audit.record({ customerId: customer.id, actor: `user:${principal.email}`, action: 'customer.create', target: `customer/${customer.id}`, details: { company_name: customer.name }, requestId: req.id });
      return toCustomerView(customer);
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/customers',
    summary: 'Every customer, by name (operators)',
    tag: 'customers',
    auth: 'user',
    roles: ['operator'],
    query: PageQuerySchema,
    response: z.object({ customers: z.array(CustomerViewSchema) }),
    async handler({ query }) {
      return { customers: (await customers.list(query)).map(toCustomerView) };
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/customers/:customer_id',
    summary: 'One customer (operators: any; customer users: their own)',
    tag: 'customers',
    auth: 'user',
    params: CustomerParamsSchema,
    response: CustomerViewSchema,
    async handler({ principal, params }) {
      return toCustomerView(await visibleCustomer(ctx.db, principal, params.customer_id));
    },
  });
};
