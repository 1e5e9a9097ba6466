/**
 * `cloudoptim agent exec` against the simulator's Kubernetes API (a kubeconfig it wrote), and `cloudoptim agent`
 * refusing to start without its configuration.
 */
import { ManualClock } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { bufferIo } from '../testing/buffer-io.ts';

const now = Date.now();
const task = (type: string, parameters: Record<string, unknown>) => ({
  task_id: `cli-${type}`, cluster_id: 'cl-cli', task_type: type, parameters, priority: 5,
  deadline: new Date(now + 600_000).toISOString(), created_at: new Date(now).toISOString(), created_by: 'cli-test',
});

describe('cloudoptim agent', () => {
  let c: kubeApi.TestCluster;
  beforeAll(async () => {
    c = await kubeApi.startTestCluster({ clock: new ManualClock(now) });
    c.store.nodes.create(kubeApi.nodeFixture('n1'));
  });
  afterAll(() => c?.close());

  it('exec runs one task and prints its TaskResult', async () => {
    const io = bufferIo();
    const code = await main(['agent', 'exec', '--kubeconfig', c.kubeconfig, '--task', JSON.stringify(task('cordon_node', { node_name: 'n1', reason: 'debugging' }))], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ task_id: 'cli-cordon_node', status: 'success', cluster_id: 'cl-cli', logs: ['cordoned n1'], error: null });
    expect(c.store.nodes.get('n1')?.spec?.unschedulable).toBe(true);
  });

  it('exec prints a failed TaskResult and exits non-zero for an invalid task, an unknown type or text that is not JSON', async () => {
    const cases: Array<[string, RegExp, string]> = [
      [JSON.stringify(task('label_node', { node_name: 'n1', labels: {} })), /parameters.labels: at least one label/, 'cli-label_node'],
      [JSON.stringify(task('reboot_node', { node_name: 'n1' })), /unknown task type "reboot_node"/, 'cli-reboot_node'],
      ['{not json', /the task is not JSON/, 'invalid-task'],
    ];
    for (const [json, error, id] of cases) {
      const io = bufferIo();
      const code = await main(['agent', 'exec', '--kubeconfig', c.kubeconfig, '--task', json], io);
      expect(code).not.toBe(0);
      const result = JSON.parse(io.out());
      expect(result).toMatchObject({ task_id: id, status: 'failed', error_code: 'VALIDATION_FAILED' });
      expect(result.error).toMatch(error);
      expect(io.err()).toMatch(/ended failed/);
    }
  });

  it('exec exits non-zero with the task failure when the cluster refuses it', async () => {
    const io = bufferIo();
    const code = await main(['agent', 'exec', '--kubeconfig', c.kubeconfig, '--task', JSON.stringify(task('uncordon_node', { node_name: 'ghost' }))], io);
    expect(code).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ status: 'failed', error_code: 'NOT_FOUND', error: 'node ghost does not exist' });
  });

  it('refuses to start without its configuration, naming every missing variable', async () => {
    const io = bufferIo({});
    expect(await main(['agent', '--health-port', '0'], io)).toBe(2);
    expect(io.err()).toMatch(/CONFIG_INVALID/);
    for (const v of ['CENTRAL_SERVER_URL', 'CLUSTER_ID', 'CENTRAL_API_KEY']) expect(io.err()).toContain(v);
  });
});
