/**
 * The simulator's Kubernetes API: an in-memory object store usable in-process by controllers
 * ({@link ObjectStore}) and an HTTP server over it that kubectl and @kubernetes/client-node talk to.
 */
export * from './types.ts';
export * from './errors.ts';
export * from './resources.ts';
export * from './selectors.ts';
export * from './quantity.ts';
export { applyPatch, patchTypeOf, type PatchType } from './patch.ts';
export { qosClass, dns1123LabelError, dns1123SubdomainError } from './validation.ts';
export * from './object-store.ts';
export { KubeApiFaults, type KubeApiOutageStatus } from './faults.ts';
export { createKubeApiServer, type KubeApiServer, type KubeApiServerOptions, type KubeAuthOptions } from './server.ts';
export { writeKubeconfig, kubeconfigYaml, KUBECONFIG_CLUSTER_NAME } from './kubeconfig.ts';
export {
  RequestFractionUsageProvider,
  type UsageProvider,
  type ContainerUsage,
} from './metrics.ts';
export { computePdbStatus, evictionBlocker, isPodHealthy, PdbStatusController, type PdbStatus } from './disruption.ts';
export { podStatusReason, nodeStatusText } from './tables.ts';
export { nodeFixture, podFixture, startTestCluster, type TestCluster, type NodeFixtureOptions, type PodFixtureOptions } from './fixtures.ts';
