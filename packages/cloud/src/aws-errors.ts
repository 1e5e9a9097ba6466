/**
 * Translation of AWS SDK v3 errors into AppErrors at the adapter boundary (ARCHITECTURE convention 4).
 * The AppError's message and details carry the AWS error code, the operation and the request id — never
 * credentials; the SDK error is kept as `cause` for the log.
 */
import { AppError, type ErrorCode } from '@cloudoptim/contracts';

/** EC2/SQS error codes meaning "no capacity right now" (Karpenter's unfulfillable-capacity list). */
export const CAPACITY_ERROR_CODES: ReadonlySet<string> = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacity',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'UnfulfillableCapacity',
  'InsufficientFreeAddressesInSubnet',
  'ReservationCapacityExceeded',
  'SpotMaxPriceTooLow',
]);

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled',
  'RequestThrottledException', 'TooManyRequestsException', 'ProvisionedThroughputExceededException',
  'SlowDown', 'BandwidthLimitExceeded', 'PriorRequestNotComplete', 'EC2ThrottledException', 'OverLimit',
  'KmsThrottled', 'KMS.ThrottlingException',
]);

const UNAUTHENTICATED_CODES = new Set([
  'AuthFailure', 'UnrecognizedClientException', 'InvalidClientTokenId', 'MissingAuthenticationToken',
  'MissingAuthenticationTokenException', 'IncompleteSignature', 'IncompleteSignatureException',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException',
  'RequestExpired', 'InvalidAccessKeyId', 'CredentialsProviderError', 'AuthFailure.ServiceLinkedRoleCreationNotPermitted',
]);

const FORBIDDEN_CODES = new Set([
  'UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'OptInRequired', 'Blocked',
  'InvalidSecurity', 'KMS.AccessDeniedException',
]);

const NOT_FOUND_CODES = new Set([
  'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ResourceNotFoundException',
]);

const VALIDATION_CODES = new Set([
  'InvalidParameterValue', 'InvalidParameter', 'InvalidParameterCombination', 'MissingParameter',
  'InvalidInstanceID.Malformed', 'InvalidInstanceType', 'InvalidPaginationToken', 'InvalidNextToken',
  'TagLimitExceeded', 'InvalidAddress', 'ValidationError', 'ValidationException', 'InvalidAttributeValue',
  'InvalidParameterValueException', 'ReceiptHandleIsInvalid', 'SerializationException', 'OverLimitException',
  'InvalidFleetConfiguration',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

/** The parts of an SDK error we read (all optional: anything may be thrown). */
interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/** The AWS error code of an SDK error (`InsufficientInstanceCapacity`), or undefined for a non-AWS error. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkErrorLike;
  if (typeof e.Code === 'string') return e.Code;
  // Node system errors (ECONNREFUSED…) keep their `code`, even when the SDK added `$metadata` to them.
  if (typeof e.code === 'string') return e.code;
  if (e.$metadata === undefined) return undefined;
  return typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
}

/** Whether the error is an abort of the caller's own signal (passed through untranslated). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** Maps an AWS error code and HTTP status onto the catalogue. */
export function classifyAwsError(awsCode: string | undefined, httpStatus: number | undefined, name?: string): ErrorCode {
  const code = awsCode ?? name;
  if (code !== undefined) {
    if (code === 'Unsupported') return 'UNPROCESSABLE';
    if (CAPACITY_ERROR_CODES.has(code)) return 'CAPACITY_UNAVAILABLE';
    if (code.endsWith('.NotFound') || NOT_FOUND_CODES.has(code)) return 'NOT_FOUND';
    if (THROTTLING_CODES.has(code)) return 'RATE_LIMITED';
    if (UNAUTHENTICATED_CODES.has(code)) return 'UNAUTHENTICATED';
    if (FORBIDDEN_CODES.has(code)) return 'FORBIDDEN';
    if (code.endsWith('.Malformed') || VALIDATION_CODES.has(code)) return 'VALIDATION_FAILED';
    if (NETWORK_CODES.has(code)) return 'UNAVAILABLE';
    if (code === 'InternalError' || code === 'InternalFailure' || code === 'ServiceUnavailable' || code === 'Unavailable') return 'UNAVAILABLE';
  }
  if (name !== undefined && NETWORK_NAMES.has(name)) return 'UNAVAILABLE';
  if (httpStatus === 429) return 'RATE_LIMITED';
  if (httpStatus === 401) return 'UNAUTHENTICATED';
  if (httpStatus === 403) return 'FORBIDDEN';
  if (httpStatus !== undefined && [500, 502, 503, 504].includes(httpStatus)) return 'UNAVAILABLE';
  return 'INTERNAL';
}

const SAFE_MESSAGE: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'AWS rejected the credentials',
  FORBIDDEN: 'the AWS credentials are not allowed to do this',
  RATE_LIMITED: 'AWS throttled the request',
  UNAVAILABLE: 'AWS is not reachable right now',
  INTERNAL: 'unexpected AWS failure',
};

/**
 * Turns anything an SDK call threw into an AppError (`operation` names the call: `EC2 CreateFleet`).
 * AppErrors pass through; aborts of the caller's signal are rethrown as they are by the callers, not here.
 * Capacity, not-found and validation errors keep AWS's message (it names the pool or the id); the others get
 * a fixed message so nothing from the credentials path reaches an HTTP body.
 */
export function translateAwsError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const awsCode = awsErrorCode(error);
  const httpStatus = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : undefined;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const code = classifyAwsError(awsCode, httpStatus, name);
  const awsMessage = typeof e.message === 'string' ? e.message : String(error);
  const message = SAFE_MESSAGE[code] !== undefined ? `${operation}: ${SAFE_MESSAGE[code]}${awsCode ? ` (${awsCode})` : ''}` : `${operation}: ${awsMessage}`;
  const details: Record<string, unknown> = { operation };
  if (awsCode !== undefined) details.aws_code = awsCode;
  if (httpStatus !== undefined) details.http_status = httpStatus;
  if (requestId !== undefined) details.aws_request_id = requestId;
  return new AppError(code, message, details, { cause: error });
}

/** Runs one SDK call, translating what it throws (aborts of `signal` are rethrown untouched). */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw translateAwsError(error, operation);
  }
}
