import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClustersRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { heartbeat, recordAdminEvents } from '../client/agent-messages.test-support.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { createClusterHealthWorker, updateClusterHealth } from './cluster-health.worker.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('cluster health worker on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let live: TestCluster;
  let silent: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    live = await central.registerCluster(acme.customerId, 'prod');
    silent = await central.registerCluster(acme.customerId, 'never-connected');
  });
  afterAll(() => central?.close());

  const healthOf = async (clusterId: string) => (await new ClustersRepository(central.db.db).get(acme.customerId, clusterId)).healthStatus;

  it('turns a silent cluster YELLOW after 2 missed heartbeats and RED after 4, publishing each change once', async () => {
    await central.app.inject({ method: 'POST', url: '/api/v1/client/heartbeat', headers: bearer(live.apiKey), payload: heartbeat(live.clusterId, new Date(central.clock.now())) });
    const recorder = recordAdminEvents(central.ctx.realtime, acme.customerId);
    const start = central.clock.now();
    expect(await updateClusterHealth(central.ctx)).toBe(0);
    expect(await healthOf(live.clusterId)).toBe('GREEN');

    await central.clock.set(start + 61_000);
    expect(await updateClusterHealth(central.ctx)).toBe(1);
    expect(await healthOf(live.clusterId)).toBe('YELLOW');
    expect(await updateClusterHealth(central.ctx)).toBe(0);
    await recorder.waitFor((e) => e.type === 'cluster_state_changed' && e.state.health_status === 'YELLOW');

    await central.clock.set(start + 121_000);
    await createClusterHealthWorker(central.ctx).tick();
    expect(await healthOf(live.clusterId)).toBe('RED');
    await recorder.waitFor((e) => e.type === 'cluster_state_changed' && e.state.health_status === 'RED');
    // The heartbeat's own GREEN change is published after its answer and may land after the recorder subscribed.
    const changes = recorder.events.flatMap((e) => (e.type === 'cluster_state_changed' && e.state.health_status !== 'GREEN' ? [e.state.health_status] : []));
    expect(changes).toEqual(['YELLOW', 'RED']);
    // A cluster whose agent never connected raises no alarm.
    expect(await healthOf(silent.clusterId)).toBeNull();
    recorder.stop();
  });

  it('runs every half heartbeat interval', () => {
    expect(createClusterHealthWorker(central.ctx)).toMatchObject({ name: 'cluster-health', intervalMs: 15_000 });
  });
});
