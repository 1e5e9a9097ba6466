// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, FakeServer } from '../../testing/fake-server.ts';
import { CLUSTER_ID, clusterSummary } from '../../testing/fixtures.ts';
import { renderWithApp } from '../../testing/render.tsx';
import { ClustersPage } from './ClustersPage.tsx';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const registered = { ...clusterSummary({ cluster_name: 'staging', health_status: null }), api_key: 'coa_secret_key_123', key: { key_id: 'k1', prefix: 'coa_secr', created_at: '2026-01-01T00:00:00.000Z', revoked_at: null, last_used_at: null, active: true }, install_command: 'scripts/install-agent.sh …', install_commands: { script: "scripts/install-agent.sh --api-key 'coa_secret_key_123'", kubectl: 'kubectl apply -k deploy/agent' } };

function fillAndSubmit(name: string) {
  fireEvent.click(screen.getByRole('button', { name: 'Register a cluster' }));
  fireEvent.change(screen.getByLabelText(/Cluster name/), { target: { value: name } });
  fireEvent.click(screen.getByRole('button', { name: 'Register' }));
}

describe('<ClustersPage>', () => {
  it('lists clusters and registers one, showing its key and install commands once', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [clusterSummary()] }).on('POST /api/v1/admin/clusters', { status: 201, body: registered });
    renderWithApp(<ClustersPage />, { server });
    expect((await screen.findByRole('link', { name: 'prod-eu' })).getAttribute('href')).toBe(`/clusters/${CLUSTER_ID}`);

    fillAndSubmit('staging');
    expect(await screen.findByText('Copy the agent key now')).toBeTruthy();
    expect(screen.getByLabelText('Agent API key').textContent).toBe('coa_secret_key_123');
    expect(screen.getByLabelText('Install with the script').textContent).toContain('--api-key');
    expect(server.calls('POST /api/v1/admin/clusters')[0]!.body).toEqual({ cluster_name: 'staging', region: 'us-east-1' });

    fireEvent.click(screen.getByRole('button', { name: 'I have copied the key' }));
    await waitFor(() => expect(screen.queryByText('coa_secret_key_123')).toBeNull());
  });

  it('shows the server’s refusal field by field', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [] }).on('POST /api/v1/admin/clusters', envelope(400, 'VALIDATION_FAILED', 'request body is invalid: region: unknown', { issues: [{ path: 'region', message: 'not an AWS region' }] }));
    renderWithApp(<ClustersPage />, { server });
    await screen.findByText(/No clusters yet/);
    fillAndSubmit('x');
    expect((await screen.findByRole('alert')).textContent).toContain('region: not an AWS region');
  });

  it('offers viewers no registration', async () => {
    renderWithApp(<ClustersPage />, { server: new FakeServer().on('GET /api/v1/admin/clusters', { clusters: [clusterSummary()] }), role: 'customer_viewer' });
    await screen.findByRole('link', { name: 'prod-eu' });
    expect(screen.queryByRole('button', { name: 'Register a cluster' })).toBeNull();
  });
});
