/**
 * SQS wire errors for the JSON 1.0 protocol: `{"__type":"<namespace>#<Shape>","message":…}` plus the
 * `x-amzn-query-error: <legacy code>;Sender` header the query-compatible SDK reads first
 * (shared/reference/aws-wire/sqs-json-examples.md §9). Never an AppError.
 */
export class SqsError extends Error {
  constructor(
    /** Shape name after `#` in `__type`, e.g. `QueueDoesNotExist`. */
    readonly shape: string,
    /** Legacy query code for `x-amzn-query-error`, or undefined to send no such header. */
    readonly queryCode: string | undefined,
    readonly status: number,
    message: string,
    readonly namespace = 'com.amazonaws.sqs',
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = shape;
  }
}

export const queueDoesNotExist = (): SqsError => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400, 'The specified queue does not exist.');
export const queueNameExists = (name: string): SqsError => new SqsError('QueueNameExists', 'QueueAlreadyExists', 400, `A queue already exists with the same name and a different value for attribute(s) of ${name}`);
export const receiptHandleIsInvalid = (handle: string): SqsError => new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404, `The input receipt handle "${handle.slice(0, 200)}" is not a valid receipt handle.`);
export const messageNotInflight = (): SqsError => new SqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 400, 'The message referred to is not in flight.');
/** Parameter validation (the `__type` is a best guess; the SDK names the error from the header). */
export const invalidParameterValue = (message: string): SqsError => new SqsError('ValidationException', 'InvalidParameterValue', 400, message, 'com.amazon.coral.validate');
export const missingParameter = (name: string): SqsError => new SqsError('ValidationException', 'MissingParameter', 400, `The request must contain the parameter ${name}.`, 'com.amazon.coral.validate');
export const invalidAttributeName = (name: string): SqsError => new SqsError('InvalidAttributeName', 'InvalidAttributeName', 400, `Unknown Attribute ${name}.`);
export const emptyBatchRequest = (): SqsError => new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 400, 'There should be at least one SendMessageBatchRequestEntry in the request.');
export const tooManyEntries = (n: number): SqsError => new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400, `Maximum number of entries per request are 10. You have sent ${n}.`);
export const batchEntryIdsNotDistinct = (id: string): SqsError => new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400, `Id ${id} repeated.`);
export const invalidBatchEntryId = (id: string): SqsError => new SqsError('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 400, `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Invalid id: ${id.slice(0, 100)}`);
export const invalidMessageContents = (): SqsError => new SqsError('InvalidMessageContents', 'InvalidMessageContents', 400, 'Invalid binary character in message body or attributes.');
export const unknownOperation = (op: string): SqsError => new SqsError('UnknownOperationException', 'InvalidAction', 400, `The action ${op.slice(0, 100)} is not valid for this endpoint.`, 'com.amazon.coral.service');
export const serializationError = (message: string): SqsError => new SqsError('SerializationException', undefined, 400, message, 'com.amazon.coral.service');
