/**
 * @cloudoptim/ml-server — the ML server: `buildApp` (no listening, for tests), `startMlServer`, its config, and
 * its own store (`openMlStore`).
 */
export { buildApp, ML_SERVER_VERSION, type MlServerDeps } from './app.ts';
export { loadMlServerConfig, MlServerConfigSchema, type MlServerConfig } from './config.ts';
export { readRiskModelFile, startMlServer, type StartedMlServer } from './server.ts';
export { DEFAULT_ML_SCHEMA, ML_MIGRATIONS_DIR, openMlStore, type MlStoreOptions } from './store/ml-store.ts';
export { MlStreamEventSchema, type MlStreamEvent } from './stream/ml-event-bus.ts';
