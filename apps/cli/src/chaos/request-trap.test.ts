import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trapRequests } from './request-trap.ts';

describe('trapRequests', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  async function listening(): Promise<string> {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(`handled ${req.url}`));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('passes other requests on, holds the matching one until killed, and the client sees the connection die', async () => {
    const url = await listening();
    const trap = trapRequests(server!, (req) => req.url === '/slow', (body) => body.includes('"who":"me"'));
    expect(await (await fetch(`${url}/fast`)).text()).toBe('handled /fast');

    const other = fetch(`${url}/slow`, { method: 'POST', body: '{"who":"worker"}' }).then(() => 'answered', (e: Error) => e.message);
    while (trap.held < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const mine = fetch(`${url}/slow`, { method: 'POST', body: '{"who":"me"}' }).then(() => 'answered', (e: Error) => e.message);
    expect(await trap.received).toBe('POST /slow');
    expect(trap.held).toBe(2);

    await trap.kill(() => new Promise<void>((resolve) => server!.close(() => resolve())));
    expect(await mine).toBe('fetch failed');
    expect(await other).toBe('fetch failed');
    // Gone: nothing listens on the port any more.
    await expect(fetch(`${url}/fast`)).rejects.toThrow('fetch failed');
  });
});
