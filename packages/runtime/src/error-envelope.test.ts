import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ErrorEnvelopeSchema } from '@cloudoptim/contracts';
import { describeError, toErrorReply } from './error-envelope.ts';

const now = Date.UTC(2026, 10, 26, 12);

describe('toErrorReply', () => {
  it('keeps an AppError code, status, message and details', () => {
    const reply = toErrorReply(new AppError('NOT_FOUND', 'cluster c-1 not found', { cluster_id: 'c-1' }), 'req-1', now);
    expect(reply.status).toBe(404);
    expect(reply.unexpected).toBe(false);
    expect(ErrorEnvelopeSchema.parse(reply.body)).toEqual({
      error: { code: 'NOT_FOUND', message: 'cluster c-1 not found', details: { cluster_id: 'c-1' }, request_id: 'req-1', timestamp: '2026-11-26T12:00:00.000Z' },
    });
  });

  it('turns a zod error into VALIDATION_FAILED with the paths', () => {
    const result = z.object({ vcpu: z.number().positive() }).safeParse({ vcpu: -1 });
    const reply = toErrorReply(result.error, 'req-2', now);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('VALIDATION_FAILED');
    expect(reply.body.error.details).toMatchObject({ issues: [{ path: 'vcpu' }] });
  });

  it('says only "internal error" for unexpected failures and 5xx AppErrors', () => {
    const leaky = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const reply = toErrorReply(leaky, 'req-3', now);
    expect(reply).toMatchObject({ status: 500, unexpected: true });
    expect(reply.body.error).toMatchObject({ code: 'INTERNAL', message: 'internal error', details: null });
    const corrupt = toErrorReply(new AppError('DATA_CORRUPT', 'row 7 of /srv/data.csv', { file: '/srv/data.csv' }), 'req-4', now);
    expect(corrupt.body.error).toMatchObject({ code: 'DATA_CORRUPT', message: 'internal error', details: null });
    expect(JSON.stringify(corrupt.body)).not.toContain('/srv');
  });

  it('keeps 503 retryable and generic', () => {
    const reply = toErrorReply(new AppError('UNAVAILABLE', 'ml server down at 10.1.2.3'), 'req-5', now);
    expect(reply).toMatchObject({ status: 503, unexpected: false });
    expect(reply.body.error.message).toBe('service unavailable');
  });
});

describe('describeError', () => {
  it('lists validation issues one per line', () => {
    const issues = [{ path: 'vcpu', message: 'must be > 0' }, { path: 'region', message: 'unknown' }];
    const text = describeError(new AppError('VALIDATION_FAILED', 'options are invalid', { issues }));
    expect(text).toBe('error VALIDATION_FAILED: options are invalid\n  - vcpu: must be > 0\n  - region: unknown');
    const single = describeError(new AppError('VALIDATION_FAILED', 'options are invalid: vcpu: must be > 0', { issues: issues.slice(0, 1) }));
    expect(single).toBe('error VALIDATION_FAILED: options are invalid: vcpu: must be > 0');
  });

  it('shows a plain error without a stack unless verbose', () => {
    expect(describeError(new Error('boom'))).toBe('error INTERNAL: boom');
    expect(describeError(new Error('boom'), true)).toContain('at ');
  });
});
