/**
 * The local AWS region of the simulator: EC2 (query/XML) and SQS (JSON 1.0) on one HTTP server, the instance
 * model with node hooks, the replayed spot market and the interruption driver. See ./README.md.
 */
export { createAwsEndpoint, DEFAULT_EVENT_QUEUE, DEFAULT_SIM_CREDENTIALS, type AwsEndpoint, type AwsEndpointOptions } from './aws-endpoint.ts';
export { Ec2InstanceModel, INSTANCE_STATE_CODES, type DelayRange, type InstanceInfo, type InstanceLifecycle, type InstanceState, type TerminationCause } from './ec2-instances.model.ts';
export { InterruptionDriver } from './interruptions.driver.ts';
export { SqsModel, type ReceivedMessage, type SqsDeliveryFaults } from './sqs-queues.model.ts';
export { SpotMarket, type PriceReplayConfig } from './spot-market.ts';
export { type AwsEvent, type AwsEventKind } from './event-log.ts';
export { type EventBridgeEvent } from './eventbridge-events.ts';
export { type AwsCredentials, verifySigV4 } from './sigv4.ts';
export { md5Hex, md5OfMessageAttributes } from './sqs-md5.ts';
export { type RegionTopology, type Zone } from './region-topology.ts';
