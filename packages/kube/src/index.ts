/**
 * @cloudoptim/kube — the KubeGateway interface (what CloudOptim reads from and does to a Kubernetes
 * cluster), its @kubernetes/client-node implementation, an in-memory recording fake, and drainNode, the
 * drain logic above the gateway.
 */
export * from './kube-types.ts';
export type { KubeGateway, ListPodsOptions, TaintRef, ScaleRequest, PatchResourcesRequest, ContainerResourcesChange } from './kube-gateway.ts';
export { ClientNodeKubeGateway, type ClientNodeKubeGatewayOptions, type KubeConnection } from './client-node-kube-gateway.ts';
export { FakeKubeGateway, fakeNode, fakePod, fakeContainer, type FakeKubeGatewayOptions, type FakePdbSpec, type FakeKubeCall } from './fake-kube-gateway.ts';
export { drainNode, type DrainOptions, type DrainResult, type DrainStatus, type DrainPodOutcome, type DrainPodOutcomeKind, type DrainProgress } from './drain-node.ts';
export { toAppError, type KubeCallContext } from './kube-errors.ts';
export { selectorMatches, pdbSelects } from './label-selector.ts';
export { parseQuantity, cpuMillicores, memoryBytes, formatCpuMillicores, formatMemoryBytes } from './quantity.ts';
