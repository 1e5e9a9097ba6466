// @vitest-environment jsdom
import { exampleClusterState } from '@cloudoptim/contracts';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { applyAdminEvent } from '../../api/admin-stream.ts';
import { FakeServer } from '../../testing/fake-server.ts';
import { CLUSTER_ID, clusterSummary, savingsOverview } from '../../testing/fixtures.ts';
import { renderWithApp } from '../../testing/render.tsx';
import { OverviewPage } from './OverviewPage.tsx';

afterEach(cleanup);

describe('<OverviewPage>', () => {
  it('shows cost vs baseline, savings, the mix and the clusters — and moves with the live stream', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [clusterSummary()] }).on('GET /api/v1/admin/savings', savingsOverview(123.45));
    const { queryClient } = renderWithApp(<OverviewPage />, { server });

    const cost = await screen.findByTestId('stat-cost-now');
    expect(cost.textContent).toBe('$1.00/h');
    expect(screen.getByTestId('stat-savings-now').textContent).toBe('50.0 %');
    expect(screen.getByTestId('stat-projected-monthly-savings').textContent).toBe('$730.00/mo');
    expect((await screen.findByText('$123.45')).textContent).toBe('$123.45');
    expect(screen.getByTestId('capacity-mix').textContent).toContain('3 Spot (75 %)');
    const row = screen.getByRole('link', { name: 'prod-eu' }).closest('tr')!;
    expect(within(row).getByText('Healthy (GREEN)')).toBeTruthy();

    // A new metrics report: central sends cluster_state_changed and the numbers move without a reload.
    act(() => applyAdminEvent(queryClient, { type: 'cluster_state_changed', v: 1, id: 'e1', sent_at: '2026-01-01T00:01:00.000Z', cluster_id: CLUSTER_ID, state: exampleClusterState({ cluster_id: CLUSTER_ID, current_cost_per_hour: 0.5, baseline_cost_per_hour: 2 }) }));
    await waitFor(() => expect(screen.getByTestId('stat-cost-now').textContent).toBe('$0.5000/h'));
    expect(screen.getByTestId('stat-savings-now').textContent).toBe('75.0 %');
  });

  it('invites registering a first cluster when there is none', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [] });
    renderWithApp(<OverviewPage />, { server });
    expect((await screen.findByRole('link', { name: 'Register your first cluster' })).getAttribute('href')).toBe('/clusters?register=1');
  });
});
