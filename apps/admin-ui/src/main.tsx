/** Entry of the admin UI bundle (index.html loads it). */
import '@mantine/core/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/api-client.ts';
import { createQueryClient } from './api/query-client.ts';
import { App } from './app/App.tsx';
import { AppProviders } from './app/AppProviders.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <AppProviders api={new ApiClient()} queryClient={createQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
