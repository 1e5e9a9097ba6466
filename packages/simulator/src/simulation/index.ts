export * from './simulator.ts';
export * from './storm.ts';
