import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('customer and user routes on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
  });
  afterAll(() => central?.close());

  const inject = (method: 'GET' | 'POST', url: string, token?: string, payload?: Record<string, unknown>) =>
    central.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload && { payload }) });
  const count = async (table: string) => (await central.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  describe('POST /api/v1/admin/customers', () => {
    it('creates a customer for an operator and records it', async () => {
      const res = await inject('POST', '/api/v1/admin/customers', central.operator.token, { company_name: '  Initech ', email: 'Billing@Initech.example' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({ customer_id: expect.any(String), company_name: 'Initech', email: 'billing@initech.example', status: 'active', created_at: expect.any(String) });
      const audit = await central.db.query("SELECT actor FROM audit_log WHERE action = 'customer.create' AND customer_id = $1", [body.customer_id]);
      expect(audit).toEqual([{ actor: 'user:operator@example.test' }]);
    });

    it('refuses a duplicate company name with 409', async () => {
      expectError(await inject('POST', '/api/v1/admin/customers', central.operator.token, { company_name: 'acme', email: 'x@y.example' }), 409, 'CONFLICT');
    });

    it('rejects invalid input and creates nothing', async () => {
      const before = await count('customers');
      expectError(await inject('POST', '/api/v1/admin/customers', central.operator.token, { company_name: '', email: 'nope' }), 400, 'VALIDATION_FAILED');
      expectError(await inject('POST', '/api/v1/admin/customers', central.operator.token, {}), 400, 'VALIDATION_FAILED');
      expect(await count('customers')).toBe(before);
    });

    it('is for operators only', async () => {
      const payload = { company_name: 'Sneaky', email: 's@s.example' };
      expectError(await inject('POST', '/api/v1/admin/customers', undefined, payload), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', '/api/v1/admin/customers', acme.admin.token, payload), 403, 'FORBIDDEN');
      expectError(await inject('POST', '/api/v1/admin/customers', acme.viewer.token, payload), 403, 'FORBIDDEN');
    });
  });

  describe('GET /api/v1/admin/customers', () => {
    it('lists every customer for operators, paged', async () => {
      const names = (await inject('GET', '/api/v1/admin/customers', central.operator.token)).json().customers.map((c: { company_name: string }) => c.company_name);
      expect(names).toEqual(expect.arrayContaining(['Acme', 'Globex']));
      const page = (await inject('GET', '/api/v1/admin/customers?limit=1&offset=1', central.operator.token)).json().customers;
      expect(page).toHaveLength(1);
      expectError(await inject('GET', '/api/v1/admin/customers?limit=0', central.operator.token), 400, 'VALIDATION_FAILED');
    });

    it('is for operators only', async () => {
      expectError(await inject('GET', '/api/v1/admin/customers'), 401, 'UNAUTHENTICATED');
      expectError(await inject('GET', '/api/v1/admin/customers', acme.admin.token), 403, 'FORBIDDEN');
    });
  });

  describe('GET /api/v1/admin/customers/:customer_id', () => {
    it('shows operators any customer and customer users their own', async () => {
      expect((await inject('GET', `/api/v1/admin/customers/${globex.customerId}`, central.operator.token)).json().company_name).toBe('Globex');
      expect((await inject('GET', `/api/v1/admin/customers/${acme.customerId}`, acme.viewer.token)).json().company_name).toBe('Acme');
    });

    it('answers 404 for another customer, an unknown id and a malformed id', async () => {
      expectError(await inject('GET', `/api/v1/admin/customers/${globex.customerId}`, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', '/api/v1/admin/customers/00000000-0000-4000-8000-000000000000', central.operator.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', '/api/v1/admin/customers/not-a-uuid', central.operator.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/customers/${acme.customerId}`), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /api/v1/admin/customers/:customer_id/users', () => {
    const newUser = (email: string, role = 'customer_viewer') => ({ email, password: 'a long enough password', role });

    it('lets an operator add users to any customer; they can sign in', async () => {
      const res = await inject('POST', `/api/v1/admin/customers/${globex.customerId}/users`, central.operator.token, newUser('Ann@Globex.example', 'customer_admin'));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ id: expect.any(String), email: 'ann@globex.example', role: 'customer_admin', customer_id: globex.customerId, created_at: expect.any(String), last_login_at: null, disabled: false });
      expect(JSON.stringify(res.json())).not.toContain('password');
      const login = await central.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ann@globex.example', password: 'a long enough password' } });
      expect(login.statusCode).toBe(200);
      const audit = await central.db.query<{ details: Record<string, unknown> }>("SELECT details FROM audit_log WHERE action = 'user.create' AND target = $1", [`user/${res.json().id}`]);
      expect(audit).toEqual([{ details: { email: 'ann@globex.example', role: 'customer_admin' } }]);
    });

    it('lets a customer admin add users to its own customer only', async () => {
      expect((await inject('POST', `/api/v1/admin/customers/${acme.customerId}/users`, acme.admin.token, newUser('bob@acme.example'))).statusCode).toBe(201);
      const before = await count('users');
      expectError(await inject('POST', `/api/v1/admin/customers/${globex.customerId}/users`, acme.admin.token, newUser('mole@globex.example')), 404, 'NOT_FOUND');
      expect(await count('users')).toBe(before);
    });

    it('refuses viewers, anonymous callers, operator roles, weak passwords and taken e-mails', async () => {
      const url = `/api/v1/admin/customers/${acme.customerId}/users`;
      const before = await count('users');
      expectError(await inject('POST', url, acme.viewer.token, newUser('v2@acme.example')), 403, 'FORBIDDEN');
      expectError(await inject('POST', url, undefined, newUser('v2@acme.example')), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', url, acme.admin.token, newUser('boss@acme.example', 'operator')), 400, 'VALIDATION_FAILED');
      expectError(await inject('POST', url, acme.admin.token, { email: 'short@acme.example', password: 'short', role: 'customer_viewer' }), 400, 'VALIDATION_FAILED');
      expect(await count('users')).toBe(before);
      expectError(await inject('POST', url, acme.admin.token, newUser('BOB@acme.example')), 409, 'CONFLICT');
      expect(await count('users')).toBe(before);
    });
  });

  describe('GET /api/v1/admin/customers/:customer_id/users', () => {
    it('lists the customer’s own users to its users and to operators', async () => {
      const emails = (await inject('GET', `/api/v1/admin/customers/${acme.customerId}/users`, acme.viewer.token)).json().users.map((u: { email: string }) => u.email);
      expect(emails).toEqual(expect.arrayContaining([acme.admin.email, acme.viewer.email, 'bob@acme.example']));
      expect(emails).not.toContain('ann@globex.example');
      expect((await inject('GET', `/api/v1/admin/customers/${globex.customerId}/users`, central.operator.token)).json().users.length).toBeGreaterThan(0);
    });

    it('answers 404 for another customer and 401 without a session', async () => {
      expectError(await inject('GET', `/api/v1/admin/customers/${globex.customerId}/users`, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/customers/${acme.customerId}/users`), 401, 'UNAUTHENTICATED');
    });
  });
});
