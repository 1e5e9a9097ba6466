// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer } from '../testing/fake-server.ts';
import { renderWithApp } from '../testing/render.tsx';
import { AppLayout } from './AppLayout.tsx';

afterEach(cleanup);

const server = () => new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [] }).on('GET /api/v1/admin/customers', { customers: [{ customer_id: 'c1', company_name: 'Acme', email: null, status: 'active', created_at: '2026-01-01T00:00:00.000Z' }] });

describe('<AppLayout> navigation', () => {
  it('shows customers their pages, without the operators’ ones or a customer switcher', async () => {
    renderWithApp(<AppLayout />, { server: server(), role: 'customer_viewer' });
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    const links = within(nav).getAllByRole('link').map((a) => a.textContent);
    expect(links).toEqual(['Overview', 'Clusters', 'Optimizations', 'Spot events', 'Rightsizing', 'Office hours', 'Backtest', 'Predictions vs actual', 'Settings']);
    expect(within(nav).getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    expect(screen.queryByLabelText('Show customer')).toBeNull();
    expect(screen.getByRole('button', { name: /Account of customer_viewer@example.test/ }).textContent).toContain('Viewer');
  });

  it('gives operators the model and data pages and the customer switcher', async () => {
    renderWithApp(<AppLayout />, { server: server(), role: 'operator' });
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Models' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Gap filler' })).toBeTruthy();
    expect(screen.getAllByLabelText('Show customer')[0]!.tagName).toBe('INPUT');
  });
});
