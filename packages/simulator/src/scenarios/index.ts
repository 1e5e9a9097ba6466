/**
 * Scenarios: the starting cluster, its workloads with usage profiles (daily cycles, spikes, office hours,
 * replays of a real VM trace), PDBs and DaemonSets, and the market conditions. Named scenarios live in
 * `packages/simulator/scenarios/`: steady, spiky, spot-storm, office-hours.
 */
export * from './scenario.schema.ts';
export * from './usage-profiles.ts';
export * from './load-scenario.ts';
