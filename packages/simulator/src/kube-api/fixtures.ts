/**
 * Builders for tests (and the demo's empty cluster): ready nodes and running pods with sensible defaults,
 * plus a started server with a kubeconfig. Without the cluster-behaviour controllers nothing schedules or
 * starts pods, so these builders write the state a running cluster would have.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger, type Clock, type Logger } from '@cloudoptim/runtime';
import { writeKubeconfig } from './kubeconfig.ts';
import type { UsageProvider } from './metrics.ts';
import { ObjectStore } from './object-store.ts';
import { createKubeApiServer, type KubeApiServer, type KubeAuthOptions } from './server.ts';
import type { Node, Pod, OwnerReference } from './types.ts';

export interface NodeFixtureOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  ready?: boolean;
  unschedulable?: boolean;
  internalIp?: string;
}

/** A Ready node as a kubelet would register it. */
export function nodeFixture(name: string, o: NodeFixtureOptions = {}): Omit<Node, 'metadata'> & { metadata: { name: string; labels: Record<string, string> } } {
  const capacity = { cpu: o.cpu ?? '4', memory: o.memory ?? '16Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'm5.xlarge',
        'topology.kubernetes.io/zone': 'us-east-1a',
        ...o.labels,
      },
    },
    spec: { providerID: `aws:///us-east-1a/i-${name}`, ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: o.internalIp ?? '10.0.0.1' }, { type: 'Hostname', address: name }],
      nodeInfo: {
        kubeletVersion: 'v1.32.0-eks',
        osImage: 'Amazon Linux 2023',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'containerd://1.7.0',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}

export interface PodFixtureOptions {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  cpu?: string;
  memory?: string;
  /** Running and Ready (default true when nodeName is set). */
  running?: boolean;
  ownerReferences?: OwnerReference[];
  emptyDir?: boolean;
}

/** A pod; with `nodeName` it is Running and Ready, as after the kubelet started it. */
export function podFixture(name: string, o: PodFixtureOptions = {}): Pod {
  const running = o.running ?? o.nodeName !== undefined;
  const t = '2026-01-01T00:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: o.labels ?? {},
      ...(o.ownerReferences ? { ownerReferences: o.ownerReferences } : {}),
    } as Pod['metadata'],
    spec: {
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: o.cpu ?? '100m', memory: o.memory ?? '128Mi' } } }],
      ...(o.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
    status: running
      ? {
          phase: 'Running',
          podIP: '10.1.0.1',
          hostIP: '10.0.0.1',
          startTime: t,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
            { type: 'Ready', status: 'True', lastTransitionTime: t },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
          ],
          containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, image: 'nginx:1.27', state: { running: { startedAt: t } } }],
        }
      : { phase: 'Pending' },
  };
}

export interface TestCluster {
  store: ObjectStore;
  clock: Clock;
  server: KubeApiServer;
  url: string;
  kubeconfig: string;
  dir: string;
  close(): Promise<void>;
}

/** Starts a store and server on a free port and writes a kubeconfig into a temp dir. */
export async function startTestCluster(o: { clock?: Clock; log?: Logger; usage?: UsageProvider; auth?: KubeAuthOptions; historyLimit?: number } = {}): Promise<TestCluster> {
  const clock = o.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const log = o.log ?? silentLogger;
  const store = new ObjectStore({ clock, log, historyLimit: o.historyLimit });
  const server = createKubeApiServer({ store, clock, log, usage: o.usage, auth: o.auth });
  const { url } = await server.start(0);
  const dir = await mkdtemp(join(tmpdir(), 'kube-api-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, url, 'test-token');
  return {
    store,
    clock,
    server,
    url,
    kubeconfig,
    dir,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
