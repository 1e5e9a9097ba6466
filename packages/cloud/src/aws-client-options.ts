/**
 * How the AWS adapters reach AWS: region, an optional endpoint override (the simulator, LocalStack, a VPC
 * endpoint), credentials and retries. Packages never read the environment: the app's composition root
 * builds these options from its config.
 */
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

/**
 * Static credentials or a provider function the SDK calls (and re-calls before expiry). This is the hook for
 * per-customer role assumption (SPEC §7): pass `fromTemporaryCredentials({ params: { RoleArn, ExternalId } })`
 * from `@aws-sdk/credential-providers`, or any function returning `{accessKeyId, secretAccessKey, sessionToken?, expiration?}`.
 */
export type AwsCredentialsOption = NonNullable<EC2ClientConfig['credentials']>;

/** Options shared by `AwsCloudProvider` and `SqsInterruptionSource`. */
export interface AwsClientOptions {
  region: string;
  /** Endpoint override (`http://127.0.0.1:4566`); absent: the regional AWS endpoint. */
  endpoint?: string;
  /** Absent: the SDK's default chain (env, shared config/SSO, web identity/IRSA, ECS/IMDS). */
  credentials?: AwsCredentialsOption;
  /** SDK attempts per call including the first (default 3, standard retry mode with backoff). */
  maxAttempts?: number;
}

/** The SDK client config for these options (without undefined keys, so SDK defaults apply). */
export function sdkClientConfig(options: AwsClientOptions): EC2ClientConfig {
  return {
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
  };
}
