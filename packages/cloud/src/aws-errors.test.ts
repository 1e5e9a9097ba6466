import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { AppError } from '@cloudoptim/contracts';
import { describe, expect, it } from 'vitest';
import { callAws, classifyAwsError, translateAwsError } from './aws-errors.ts';

function ec2Error(name: string, httpStatusCode: number, message = `${name} happened`): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode, requestId: 'req-1' } });
}

describe('translateAwsError', () => {
  it.each([
    ['InsufficientInstanceCapacity', 500, 'CAPACITY_UNAVAILABLE'],
    ['MaxSpotInstanceCountExceeded', 400, 'CAPACITY_UNAVAILABLE'],
    ['InvalidInstanceID.NotFound', 400, 'NOT_FOUND'],
    ['InvalidSubnetID.NotFound', 400, 'NOT_FOUND'],
    ['InvalidInstanceID.Malformed', 400, 'VALIDATION_FAILED'],
    ['RequestLimitExceeded', 503, 'RATE_LIMITED'],
    ['AuthFailure', 401, 'UNAUTHENTICATED'],
    ['SignatureDoesNotMatch', 403, 'UNAUTHENTICATED'],
    ['UnauthorizedOperation', 403, 'FORBIDDEN'],
    ['InternalError', 500, 'UNAVAILABLE'],
    ['Unsupported', 400, 'UNPROCESSABLE'],
    ['SomethingNew', 418, 'INTERNAL'],
    ['SomethingNew', 429, 'RATE_LIMITED'],
    ['SomethingNew', 502, 'UNAVAILABLE'],
  ] as const)('EC2 %s (HTTP %i) → %s', (name, status, code) => {
    const cause = ec2Error(name, status);
    const err = translateAwsError(cause, 'EC2 CreateFleet');
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(code);
    expect(err.details).toEqual({ operation: 'EC2 CreateFleet', aws_code: name, http_status: status, aws_request_id: 'req-1' });
    expect(err.cause).toBe(cause);
  });

  it('keeps AWS messages for capacity/not-found errors and fixed messages for auth, throttling and unknown errors', () => {
    expect(translateAwsError(ec2Error('InsufficientInstanceCapacity', 500, 'no c5.large in us-east-1a'), 'EC2 RunInstances').message).toBe('EC2 RunInstances: no c5.large in us-east-1a');
    const auth = translateAwsError(ec2Error('AuthFailure', 401, 'key AKIA… secret=hunter2 is wrong'), 'EC2 DescribeInstances');
    expect(auth.message).toBe('EC2 DescribeInstances: AWS rejected the credentials (AuthFailure)');
    expect(translateAwsError(ec2Error('Weird', 400, 'leaky detail'), 'EC2 X').message).toBe('EC2 X: unexpected AWS failure (Weird)');
  });

  it('uses the SQS query-compatible code when present', () => {
    const e = new SQSServiceException({ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    (e as unknown as { Code: string }).Code = 'AWS.SimpleQueueService.NonExistentQueue';
    expect(translateAwsError(e, 'SQS ReceiveMessage')).toMatchObject({ code: 'NOT_FOUND', details: { aws_code: 'AWS.SimpleQueueService.NonExistentQueue' } });
  });

  it('maps network failures (system errors, SDK timeouts) to UNAVAILABLE and a missing credential chain to UNAUTHENTICATED', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
    expect(translateAwsError(refused, 'EC2 X').code).toBe('UNAVAILABLE');
    const timeout = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
    expect(translateAwsError(timeout, 'EC2 X').code).toBe('UNAVAILABLE');
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(translateAwsError(noCreds, 'EC2 X').code).toBe('UNAUTHENTICATED');
    expect(translateAwsError('a string', 'EC2 X').code).toBe('INTERNAL');
  });

  it('passes AppErrors through; callAws rethrows aborts untouched', async () => {
    const app = new AppError('NOT_FOUND', 'x');
    expect(translateAwsError(app, 'EC2 X')).toBe(app);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    await expect(callAws('EC2 X', () => Promise.reject(abort))).rejects.toBe(abort);
    await expect(callAws('EC2 X', () => Promise.reject(ec2Error('RequestLimitExceeded', 503)))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('classifies by HTTP status when there is no code', () => {
    expect(classifyAwsError(undefined, 401)).toBe('UNAUTHENTICATED');
    expect(classifyAwsError(undefined, 403)).toBe('FORBIDDEN');
    expect(classifyAwsError(undefined, 503)).toBe('UNAVAILABLE');
    expect(classifyAwsError(undefined, undefined)).toBe('INTERNAL');
  });
});
