/** Assertions on central's HTTP answers for tests. */
import type { LightMyRequestResponse as Response } from 'fastify';
import { expect } from 'vitest';
import { ErrorEnvelopeSchema, type ErrorCode, type ErrorEnvelope } from '@cloudoptim/contracts';

/** Asserts the answer is the error envelope with that status and code; returns the envelope's `error`. */
export function expectError(res: Response, status: number, code: ErrorCode): ErrorEnvelope['error'] {
  expect({ status: res.statusCode, body: res.body.slice(0, 500) }).toMatchObject({ status });
  const envelope = ErrorEnvelopeSchema.parse(res.json());
  expect(envelope.error.code).toBe(code);
  expect(envelope.error.request_id).toBe(res.headers['x-request-id']);
  return envelope.error;
}
