/**
 * What the AWS endpoint's SDK-driven tests share: the error of a call that must fail, and endpoints that are
 * stopped after every test of the file. Test-only; not exported from the package.
 */
import { afterEach } from 'vitest';
import type { AwsEndpoint } from './aws-endpoint.ts';

/** An AWS SDK v3 service exception as the tests inspect it. */
export type SdkError = Error & { Code?: string; $fault?: string; $metadata: { httpStatusCode?: number } };

/** The SDK error of a call that must fail (fails the test when it succeeds). */
export async function sdkFailure(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

/**
 * Call once at a test file's top level: returns `track(endpoint)`, and every endpoint tracked during a test is
 * stopped after it, so a failed assertion never leaves a server listening.
 */
export function stopEndpointsAfterEach(): (endpoint: AwsEndpoint) => AwsEndpoint {
  const open: AwsEndpoint[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.stop()));
  });
  return (endpoint) => {
    open.push(endpoint);
    return endpoint;
  };
}
