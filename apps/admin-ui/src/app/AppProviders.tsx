/** Everything a page needs around it: the theme, the query cache and the API client. */
import { MantineProvider, createTheme } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { ApiClient } from '../api/api-client.ts';
import { ApiProvider } from '../api/api-context.tsx';

const theme = createTheme({
  primaryColor: 'blue',
  // Darker shades keep text on light fills above WCAG AA contrast.
  primaryShade: 7,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
});

/** `env="test"` (component tests) turns Mantine's transitions and portals off. */
export function AppProviders({ api, queryClient, env = 'default', children }: { api: ApiClient; queryClient: QueryClient; env?: 'default' | 'test'; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" env={env}>
      <QueryClientProvider client={queryClient}>
        <ApiProvider client={api}>{children}</ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
