/**
 * Production credentials for a customer's cluster: STS AssumeRole into the role the customer created for
 * CloudOptim, always with the external id CloudOptim issued them (external-id.ts: the confused-deputy guard),
 * refreshed by the SDK before expiry. The caller's own identity is the server's (default chain, or the static
 * keys of the config).
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialsOption } from '@cloudoptim/cloud';
import type { CentralConfig } from '../config.ts';
import type { AssumeRoleInput } from './configured-cloud-access.ts';

export function stsAssumeRole(config: Pick<CentralConfig, 'AWS_ENDPOINT_URL' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>): (input: AssumeRoleInput) => AwsCredentialsOption {
  const masterCredentials = config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY } : undefined;
  return (input) =>
    fromTemporaryCredentials({
      params: { RoleArn: input.roleArn, RoleSessionName: input.sessionName, DurationSeconds: 3600, ExternalId: input.externalId },
      ...(masterCredentials && { masterCredentials }),
      clientConfig: { region: input.region, ...(config.AWS_ENDPOINT_URL && { endpoint: config.AWS_ENDPOINT_URL }) },
    });
}
