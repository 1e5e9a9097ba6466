export * from './simulator.ts';
export * from './storm.ts';
export * from './kube-cluster.ts';
