// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer } from '../../testing/fake-server.ts';
import { CLUSTER_ID, clusterSummary } from '../../testing/fixtures.ts';
import { renderWithApp } from '../../testing/render.tsx';
import { BacktestPage } from './BacktestPage.tsx';

afterEach(cleanup);

const COVERAGE = {
  max_days: 31,
  regions: [
    { region: 'sa-east-1', first: '2019-12-31T00:10:00.000Z', last: '2020-06-23T23:50:00.000Z', availability_zones: ['sa-east-1a'] },
    { region: 'us-east-1', first: '2021-03-02T00:05:00.000Z', last: '2021-05-31T23:55:00.000Z', availability_zones: ['us-east-1a', 'us-east-1b'] },
  ],
};
const stat = (mean: number) => ({ mean, std: 0, min: mean, max: mean });
const strategy = (name: string, cost: number, savings: number) => ({ name, description: `${name} strategy`, cost_usd: stat(cost), savings_pct: stat(savings), interruptions: stat(0), interruptions_per_node_month: stat(0), pod_disruption_minutes: stat(0), node_hours: stat(336), spot_share_pct: stat(name === 'on-demand' ? 0 : 100), daily_cost_usd: [cost / 2, cost / 2], top_pools: [] });
const ANSWER = {
  region: 'us-east-1',
  workload: { name: 'prod-eu', node: { vcpu: 3.92, memoryGib: 15, architecture: 'x86_64' }, nodeCount: 2, podsPerNode: 2 },
  workload_source: { kind: 'cluster', cluster_id: CLUSTER_ID, metrics_at: '2026-01-01T00:00:00.000Z' },
  from: '2021-05-24T00:00:00.000Z',
  to: '2021-05-31T00:00:00.000Z',
  effective_from: '2021-05-24T00:00:00.000Z',
  effective_to: '2021-05-31T00:00:00.000Z',
  days: 7,
  seeds: [1],
  zones: ['us-east-1a', 'us-east-1b'],
  strategies: [strategy('on-demand', 64.5, 0), strategy('cloudoptim', 20.25, 68.6)],
  rationale: { summary: 'most savings: cloudoptim (68.6% vs on-demand)', data_sources: [], assumptions: [] },
};

async function runFor(server: FakeServer) {
  renderWithApp(<BacktestPage />, { server });
  fireEvent.click(screen.getAllByLabelText(/^Cluster/)[0]!);
  fireEvent.click(await screen.findByRole('option', { name: 'prod-eu (us-east-1)' }));
  fireEvent.click(screen.getByRole('button', { name: 'Run backtest' }));
}

describe('<BacktestPage>', () => {
  it("runs the chosen cluster over its region's latest week and compares the strategies", async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [clusterSummary({ region: 'us-east-1' })] }).on('GET /api/v1/admin/backtest/coverage', COVERAGE).on('POST /api/v1/admin/backtest', ANSWER);
    await runFor(server);
    await screen.findByText('Strategies compared');
    expect(server.calls('POST /api/v1/admin/backtest')[0]!.body).toEqual({ cluster_id: CLUSTER_ID, region: 'us-east-1', from: '2021-05-24T00:00:00Z', to: '2021-05-31T00:00:00Z' });
    expect(screen.getByText(/prod-eu: 2 nodes of 3.92 vCPU \/ 15 GiB in us-east-1/)).toBeTruthy();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]!.textContent)).toEqual(['on-demandon-demand strategy', 'cloudoptimcloudoptim strategy']);
    expect(within(rows[1]!).getByText('68.6 %')).toBeTruthy();
    expect(screen.getByText(/most savings: cloudoptim/)).toBeTruthy();
    expect(screen.getByText(/us-east-1 2021-03-02 … 2021-05-31/)).toBeTruthy();
  });

  it('says so when the server has no backtest', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [clusterSummary({ region: 'us-east-1' })] });
    await runFor(server);
    expect((await screen.findAllByText(/The backtest is not available on this server/)).length).toBeGreaterThan(0);
  });
});
