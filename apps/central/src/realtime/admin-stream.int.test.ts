import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AdminStreamEvent } from '@cloudoptim/contracts';
import { createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

function stateChanged(clusterId: string, id: string): AdminStreamEvent {
  return { type: 'cluster_state_changed', v: 1, id, sent_at: new Date().toISOString(), cluster_id: clusterId, health_status: 'GREEN', changed: [] } as unknown as AdminStreamEvent;
}

async function connect(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; frames: AdminStreamEvent[] }> {
  const ws = new WebSocket(url, { headers });
  const frames: AdminStreamEvent[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as AdminStreamEvent));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('WS /api/v1/admin/stream', () => {
  let central: TestCentral;
  let a: TestCustomer;
  let b: TestCustomer;
  let url: string;
  beforeAll(async () => {
    central = await createTestCentral();
    a = await central.createCustomer();
    b = await central.createCustomer();
    await central.app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(central.app.server.address() as AddressInfo).port}/api/v1/admin/stream`;
  });
  afterAll(async () => central?.close());

  it('refuses the upgrade without a valid session (401, no socket)', async () => {
    for (const headers of [{}, { authorization: 'Bearer cos_not-a-session' }]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
      });
      expect(status).toBe(401);
    }
  });

  it("delivers a customer's events to its users and to operators, never to another customer", async () => {
    const clusterA = await central.registerCluster(a.customerId);
    const viewerA = await connect(url, { authorization: `Bearer ${a.viewer.token}` });
    const adminB = await connect(url, { cookie: `cloudoptim_session=${b.admin.token}` });
    const operator = await connect(url, { authorization: `Bearer ${central.operator.token}` });
    await central.ctx.realtime.publishToAdmins(a.customerId, stateChanged(clusterA.clusterId, 'evt-1'));
    await until(() => viewerA.frames.length === 1 && operator.frames.length === 1);
    expect(viewerA.frames.map((f) => f.id)).toEqual(['evt-1']);
    expect(operator.frames.map((f) => f.id)).toEqual(['evt-1']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(adminB.frames).toEqual([]);
    for (const c of [viewerA, adminB, operator]) c.ws.close();
  });
});
