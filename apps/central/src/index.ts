/** @cloudoptim/central — the control plane: `buildApp` (no listening, for tests), `startCentral`, its config. */
export { buildApp, CENTRAL_VERSION } from './app.ts';
export { CentralConfigSchema, defaultCentralConfig, loadCentralConfig, type CentralConfig } from './config.ts';
export type { CentralContext, CentralDeps, WorkerSpec } from './context.ts';
export { startCentral, type StartCentralOptions, type StartedCentral } from './server.ts';
export type { CloudAccess, ClusterCloud, ClusterCloudTarget } from './cloud/cloud-access.ts';
export { ConfiguredCloudAccess, type ConfiguredCloudAccessOptions } from './cloud/configured-cloud-access.ts';
export type { ClusterSettingsReader } from './settings/cluster-settings.ts';
