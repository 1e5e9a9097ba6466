import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { it } from 'vitest';
it('probe', async () => {
  const g = new ClientNodeKubeGateway({ connection: { kubeconfigPath: '/tmp/simlarge/state/kubeconfig' } });
  const t = async (name: string, f: () => Promise<unknown>) => { const s = performance.now(); await f(); console.log(name, (performance.now() - s).toFixed(1), 'ms'); };
  const nodes = await g.listNodes();
  const node = nodes[5]!.name;
  for (let i = 0; i < 3; i++) {
    await t('getNode', () => g.getNode(node));
    await t('listPods(nodeName)', () => g.listPods({ nodeName: node }));
    await t('listPodDisruptionBudgets', () => g.listPodDisruptionBudgets());
  }
  await t('listPods(all)', () => g.listPods());
  const mu = process.memoryUsage(); console.log('mem', (mu.rss/2**20).toFixed(0), (mu.heapUsed/2**20).toFixed(0));
}, 60000);
