/** @cloudoptim/ml-server — the ML server: `buildApp` (no listening, for tests), `startMlServer`, its config. */
export { buildApp, ML_SERVER_VERSION, type MlServerDeps } from './app.ts';
export { loadMlServerConfig, MlServerConfigSchema, type MlServerConfig } from './config.ts';
export { readRiskModelFile, startMlServer, type StartedMlServer } from './server.ts';
