// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer } from '../../testing/fake-server.ts';
import { CLUSTER_ID, settingsView } from '../../testing/fixtures.ts';
import { CUSTOMER_ID, renderWithApp } from '../../testing/render.tsx';
import { ClusterSettingsPanel } from './ClusterSettingsForm.tsx';

afterEach(cleanup);

const path = `/api/v1/admin/clusters/${CLUSTER_ID}/settings`;

describe('<ClusterSettingsPanel>', () => {
  it('sends only what changed and confirms the new version', async () => {
    const view = settingsView();
    const server = new FakeServer().on(`GET ${path}`, view).on(`PATCH ${path}`, (r: { body: object }) => ({ ...view, version: 4, settings: { ...view.settings, ...r.body } }));
    renderWithApp(<ClusterSettingsPanel clusterId={CLUSTER_ID} />, { server });
    const share = await screen.findByLabelText(/Spot share cap/);
    expect((share as HTMLInputElement).value).toBe('80');
    expect((screen.getByRole('button', { name: 'Save settings' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(share, { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((await screen.findByRole('status')).textContent).toContain('Saved as version 4');
    expect(server.calls(`PATCH ${path}`)[0]!.body).toEqual({ max_spot_share: 0.5 });
  });

  it('shows the issued external id read-only, with where it goes, and never sends it', async () => {
    const view = settingsView();
    const server = new FakeServer().on(`GET ${path}`, view).on(`PATCH ${path}`, (r: { body: object }) => ({ ...view, version: 4, settings: { ...view.settings, ...r.body } }));
    renderWithApp(<ClusterSettingsPanel clusterId={CLUSTER_ID} />, { server });
    const externalId = (await screen.findByLabelText(/External id/)) as HTMLInputElement;
    expect(externalId.value).toBe(`cloudoptim-${CUSTOMER_ID}`);
    expect(externalId.readOnly).toBe(true);
    expect(screen.getByText(/put it in your role's trust policy/)).toBeTruthy();

    fireEvent.change(externalId, { target: { value: 'chosen-by-me' } });
    fireEvent.change(screen.getByLabelText(/IAM role ARN/), { target: { value: 'arn:aws:iam::123456789012:role/cloudoptim' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((await screen.findByRole('status')).textContent).toContain('Saved as version 4');
    expect(server.calls(`PATCH ${path}`)[0]!.body).toEqual({ aws_role_arn: 'arn:aws:iam::123456789012:role/cloudoptim' });
  });

  it('is read-only for viewers', async () => {
    renderWithApp(<ClusterSettingsPanel clusterId={CLUSTER_ID} />, { server: new FakeServer().on(`GET ${path}`, settingsView()), role: 'customer_viewer' });
    expect((await screen.findByLabelText(/Spot share cap/)).closest('fieldset[disabled]')).not.toBeNull();
    expect(screen.queryByRole('button', { name: 'Save settings' })).toBeNull();
    expect(screen.getByText('Your role can read these settings but not change them.')).toBeTruthy();
  });
});
