// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, FakeServer } from '../../testing/fake-server.ts';
import { planView } from '../../testing/fixtures.ts';
import { renderWithApp } from '../../testing/render.tsx';
import { PlanPage } from './OptimizationsPage.tsx';

afterEach(cleanup);

const plan = planView();
const path = `/api/v1/admin/optimizations/${plan.plan_id}`;

describe('plan review', () => {
  it('shows steps, rationale, chosen pools and savings, and approves the plan', async () => {
    const server = new FakeServer().on(`GET ${path}`, plan).on(`POST ${path}/approve`, { ...plan, status: 'approved', approved_by: 'user:customer_admin@example.test' });
    renderWithApp(<PlanPage planId={plan.plan_id} />, { server });
    await screen.findByText('Launch 2 × m5.large spot in eu-west-1a');
    expect(screen.getByTestId('stat-estimated-savings').textContent).toBe('$412.50/mo');
    expect(screen.getByText('Cheapest safe pools.')).toBeTruthy();
    expect(screen.getByText('m5.large')).toBeTruthy();
    expect(screen.getByText(/weighed 12 eligible pools/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Approve plan' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Approve plan' })).toBeNull());
    expect(server.calls(`POST ${path}/approve`)).toHaveLength(1);
    expect(screen.getAllByText('approved').length).toBeGreaterThan(0);
  });

  it('rejects with a reason, and says why the server refused', async () => {
    const server = new FakeServer().on(`GET ${path}`, plan).on(`POST ${path}/reject`, envelope(409, 'CONFLICT', 'the plan already started'));
    renderWithApp(<PlanPage planId={plan.plan_id} />, { server });
    fireEvent.change(await screen.findByLabelText('Reason for rejecting (optional)'), { target: { value: 'too risky' } });
    fireEvent.click(screen.getByRole('button', { name: 'Reject plan' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the plan already started');
    expect(server.calls(`POST ${path}/reject`)[0]!.body).toEqual({ reason: 'too risky' });
  });

  it('lets a viewer read but not decide', async () => {
    renderWithApp(<PlanPage planId={plan.plan_id} />, { server: new FakeServer().on(`GET ${path}`, plan), role: 'customer_viewer' });
    expect(await screen.findByText('An admin can approve or reject this plan.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approve plan' })).toBeNull();
  });
});
