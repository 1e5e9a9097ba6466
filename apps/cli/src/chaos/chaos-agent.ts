/**
 * An agent for the demo's cluster whose link to central can be cut: its CentralClient goes through a transport
 * that, while partitioned, fails every HTTP request as an unreachable host does and refuses (and ends) the
 * stream — the agent keeps running against Kubernetes, as a real agent behind a broken network does. "Killing"
 * an agent is cutting its link first (nothing more reaches central, as after kill -9) and then stopping it.
 */
import { CentralClient, type StreamSocket, type StreamSocketFactory } from '@cloudoptim/api-client';
import { startAgent, wsSocketFactory, type RunningAgent } from '@cloudoptim/agent';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { silentLogger } from '@cloudoptim/runtime';
import type { SteppedDemo } from '../demo/stepped-demo.test-support.ts';

export class PartitionableTransport {
  private cut = false;
  private readonly open = new Set<StreamSocket>();
  refusedRequests = 0;

  readonly fetch: typeof fetch = (input, init) => {
    if (this.cut) {
      this.refusedRequests++;
      return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ETIMEDOUT (chaos: partitioned)'), { code: 'ETIMEDOUT' }) }));
    }
    return fetch(input, init);
  };

  readonly socketFactory: StreamSocketFactory = (url, headers, handlers) => {
    if (this.cut) {
      this.refusedRequests++;
      setImmediate(() => {
        handlers.error(new Error('connect ETIMEDOUT (chaos: partitioned)'));
        handlers.close(1006, 'partitioned');
      });
      return { send: () => undefined, close: () => undefined };
    }
    const socket = wsSocketFactory(url, headers, {
      ...handlers,
      close: (code, reason) => {
        this.open.delete(socket);
        handlers.close(code, reason);
      },
    });
    this.open.add(socket);
    return socket;
  };

  partition(): void {
    this.cut = true;
    for (const s of [...this.open]) s.close(1001, 'partitioned');
    this.open.clear();
  }

  heal(): void {
    this.cut = false;
  }
}

/** Replaces the demo's running agent with one on a partitionable link (the old one is stopped first). */
export async function replaceAgent(demo: SteppedDemo, options: { kill?: boolean; oldTransport?: PartitionableTransport } = {}): Promise<{ agent: RunningAgent; transport: PartitionableTransport }> {
  const { cluster, clock } = demo;
  if (options.kill) options.oldTransport?.partition();
  await cluster.agent.stop();
  const config = cluster.agentConfig;
  const log = demo.errors.wrap(silentLogger).child({ component: 'agent-chaos' });
  const transport = new PartitionableTransport();
  const kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: config.kubeconfig ?? '' }, clock, log: log.child({ component: 'kube' }) });
  const central = new CentralClient({ baseUrl: config.centralUrl, apiKey: config.apiKey, timeoutMs: config.centralTimeoutMs, fetch: transport.fetch, socketFactory: transport.socketFactory, userAgent: 'cloudoptim-agent/chaos' });
  const agent = await startAgent({ config, kube, central, clock, log });
  cluster.agent = agent;
  return { agent, transport };
}
