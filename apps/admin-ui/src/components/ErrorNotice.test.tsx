// @vitest-environment jsdom
import '../testing/browser-shims.ts';
import { cleanup, render, screen } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

afterEach(cleanup);

const show = (error: unknown) => render(<MantineProvider><ErrorNotice error={error} action="Could not save" feature="The backtest" /></MantineProvider>);

describe('<ErrorNotice>', () => {
  it('says a missing endpoint is not available on this server (never fakes data)', () => {
    show(new ApiError(404, 'NOT_FOUND', 'no route POST /api/v1/admin/backtest'));
    expect(screen.getByRole('status').textContent).toContain('The backtest is not available on this server');
  });

  it('shows the message, each bad field and the request id', () => {
    show(new ApiError(400, 'VALIDATION_FAILED', 'request body is invalid', { issues: [{ path: 'region', message: 'unknown region' }] }, 'req-42'));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Could not save: some values are not valid');
    expect(alert.textContent).toContain('region: unknown region');
    expect(alert.textContent).toContain('Request id req-42');
  });
});
