/**
 * @cloudoptim/cloud — the CloudProvider and InterruptionSource interfaces, their AWS SDK v3 implementations
 * (`AwsCloudProvider` over EC2, `SqsInterruptionSource` over SQS + EventBridge), the in-memory fakes for
 * tests of the logic above them, and the shared contract suite. See ../README.md.
 */
export * from './cloud-provider.ts';
export * from './interruption-source.ts';
export { type AwsClientOptions, type AwsCredentialsOption } from './aws-client-options.ts';
export { AwsCloudProvider, type AwsCloudProviderOptions } from './aws-cloud-provider.ts';
export { SqsInterruptionSource, type SqsInterruptionSourceOptions } from './sqs-interruption-source.ts';
export { FakeCloudProvider, type FakeCloudCall, type FakeCloudProviderOptions } from './fake-cloud-provider.ts';
export { FakeInterruptionSource } from './fake-interruption-source.ts';
export { parseInterruptionMessage, SPOT_WARNING_LEAD_MS } from './eventbridge-messages.ts';
export { CAPACITY_ERROR_CODES, classifyAwsError, translateAwsError } from './aws-errors.ts';
