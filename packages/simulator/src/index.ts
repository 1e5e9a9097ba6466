/**
 * @cloudoptim/simulator — a local AWS region (EC2 query/XML, SQS JSON, EventBridge interruption events) and a
 * local Kubernetes cluster (the real REST API, scheduler, controllers, kubelet, metrics) driven by real spot
 * price data, for the demo, the tests and the benchmarks. Only the CLI's `sim` and `demo` commands import it.
 */
export * from './simulation/index.ts';
export * as kubeApi from './kube-api/index.ts';
export * as aws from './aws/index.ts';
export * as cluster from './cluster/index.ts';
export * from './scenarios/index.ts';
