/**
 * Renders UI under test with the real providers over a FakeServer: the real ApiClient and query cache, a
 * signed-in session of the given role. Import it before the component under test (its shims must come first).
 */
import './browser-shims.ts';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { ApiClient } from '../api/api-client.ts';
import { createQueryClient } from '../api/query-client.ts';
import type { Role, UserView } from '../api/wire-types.ts';
import { AppProviders } from '../app/AppProviders.tsx';
import { SessionProvider } from '../app/session.tsx';
import { FakeServer } from './fake-server.ts';

export const CUSTOMER_ID = '11111111-1111-4111-8111-111111111111';

export function userOf(role: Role): UserView {
  return { id: `00000000-0000-4000-8000-00000000000${role.length % 10}`, email: `${role}@example.test`, role, customer_id: role === 'operator' ? null : CUSTOMER_ID, created_at: '2026-01-01T00:00:00.000Z', last_login_at: null, disabled: false };
}

export interface Rendered extends RenderResult {
  server: FakeServer;
  queryClient: ReturnType<typeof createQueryClient>;
}

/** Renders `ui` signed in as `role` (null: no session provider, e.g. for <App/>). */
export function renderWithApp(ui: ReactNode, options: { server?: FakeServer; role?: Role | null } = {}): Rendered {
  const server = options.server ?? new FakeServer();
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } });
  const role = options.role === undefined ? 'customer_admin' : options.role;
  const tree = role === null ? ui : <SessionProvider user={userOf(role)}>{ui}</SessionProvider>;
  const result = render(
    <AppProviders api={new ApiClient({ fetch: server.fetch })} queryClient={queryClient} env="test">
      {tree}
    </AppProviders>,
  );
  return { ...result, server, queryClient };
}
