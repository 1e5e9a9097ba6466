// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, FakeServer } from '../testing/fake-server.ts';
import { renderWithApp, userOf } from '../testing/render.tsx';
import { App } from './App.tsx';

afterEach(cleanup);

function signIn(email: string, password: string) {
  fireEvent.change(screen.getByLabelText(/E-mail/), { target: { value: email } });
  fireEvent.change(screen.getByLabelText(/Password/), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('<App>', () => {
  it('asks to sign in, says when the credentials are wrong, and opens the console for the right ones', async () => {
    const server = new FakeServer()
      .on('GET /api/v1/auth/me', envelope(401, 'UNAUTHENTICATED', 'sign in first'))
      .on('POST /api/v1/auth/login', (r: { body: { password: string } }) => (r.body.password === 'correct horse battery' ? { token: 't', user: userOf('customer_viewer'), expires_at: '2026-01-02T00:00:00.000Z' } : envelope(401, 'UNAUTHENTICATED', 'wrong e-mail or password')))
      .on('GET /api/v1/admin/clusters', { clusters: [] });
    renderWithApp(<App />, { server, role: null });

    await screen.findByRole('heading', { name: 'Sign in to CloudOptim' });
    signIn('viewer@example.test', 'nope');
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'The e-mail or the password is wrong.');

    signIn('viewer@example.test', 'correct horse battery');
    await screen.findByRole('heading', { name: 'Overview' });
    expect(server.calls('POST /api/v1/auth/login').at(-1)!.body).toEqual({ email: 'viewer@example.test', password: 'correct horse battery' });
    expect(await screen.findByText(/No clusters yet/)).toBeTruthy();
  });

  it('says in words when the server cannot be reached', async () => {
    const server = new FakeServer().on('GET /api/v1/auth/me', envelope(503, 'UNAVAILABLE', 'the database is not reachable'));
    renderWithApp(<App />, { server, role: null });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('the database is not reachable'));
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
