/** The gap filler's EC2 access from the ML server's config: the simulator or LocalStack via AWS_ENDPOINT_URL. */
import { AwsCloudProvider } from '@cloudoptim/cloud';
import type { Logger } from '@cloudoptim/runtime';
import type { MlServerConfig } from '../config.ts';
import type { CloudFactory } from './gap-filler.ts';

export type AwsConfig = Partial<Pick<MlServerConfig, 'AWS_ENDPOINT_URL' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>>;

/** A provider per region; static keys when both are configured, else the SDK's default credential chain. */
export function awsCloudFactory(config: AwsConfig, log: Logger): CloudFactory {
  const credentials = config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY } : undefined;
  return (region) => {
    const provider = new AwsCloudProvider({ region, log, ...(config.AWS_ENDPOINT_URL !== undefined && { endpoint: config.AWS_ENDPOINT_URL }), ...(credentials && { credentials }) });
    return { provider, close: () => provider.close() };
  };
}
