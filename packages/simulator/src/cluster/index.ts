/**
 * Cluster behaviour for the simulator's Kubernetes API: nodes from the instance catalog, a scheduler,
 * kubelets, node lifecycle, workload controllers (Deployment, ReplicaSet, StatefulSet, DaemonSet), usage for
 * metrics.k8s.io from the scenario's usage profiles, and applying a scenario's workloads.
 */
export { createCluster, type Cluster, type ClusterOptions, type ClusterStats } from './cluster.ts';
export { applyScenario, scenarioNodeRegistrations, type AppliedScenario } from './apply-scenario.ts';
export { buildNode, capacityTypeLabels, nodeResources, privateDnsNameFor, regionOfZone, KUBELET_VERSION, type NodeManifest, type NodeRegistration } from './node-factory.ts';
export { ProfileUsageProvider, type ProfileUsageProviderOptions } from './usage-provider.ts';
export { USAGE_PROFILE_ANNOTATION, pdbManifest, workloadManifest, workloadSelectorLabels } from './workload-manifests.ts';
export { fitFailures, podRequests, unschedulableMessage, type Resources } from './scheduler-fit.ts';
export type { Binding } from './scheduler.ts';
export type { KubeletOptions } from './kubelet.ts';
export { createTestCluster, type TestCluster, type TestClusterOptions } from './cluster-fixtures.ts';
