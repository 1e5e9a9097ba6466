import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ERROR_CATALOGUE, ERROR_CODES, ErrorEnvelopeSchema, isAppError, parseOrThrow, toValidationIssues } from './errors.ts';
import { exampleErrorEnvelope } from './examples.ts';

describe('error catalogue', () => {
  it('maps every code to one of the HTTP statuses the spec uses', () => {
    const allowed = new Set([400, 401, 403, 404, 409, 422, 429, 500, 503]);
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(allowed.has(ERROR_CATALOGUE[code].status)).toBe(true);
      expect(ERROR_CATALOGUE[code].meaning.length).toBeGreaterThan(0);
    }
    expect(new Set([...Object.values(ERROR_CATALOGUE)].map((e) => e.status))).toEqual(allowed);
  });
});

describe('AppError', () => {
  it.each(ERROR_CODES)('%s takes its status from the catalogue', (code) => {
    const error = new AppError(code, 'something', { a: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(isAppError(error)).toBe(true);
    expect(error.name).toBe('AppError');
    expect(error.code).toBe(code);
    expect(error.status).toBe(ERROR_CATALOGUE[code].status);
    expect(error.details).toEqual({ a: 1 });
  });

  it('defaults details to null and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const error = new AppError('UNAVAILABLE', 'ml server unreachable', undefined, { cause });
    expect(error.details).toBeNull();
    expect(error.cause).toBe(cause);
    expect(isAppError(cause)).toBe(false);
    expect(isAppError({ code: 'INTERNAL', status: 500 })).toBe(false);
  });
});

describe('ErrorEnvelopeSchema', () => {
  it('accepts the spec envelope', () => {
    expect(ErrorEnvelopeSchema.parse(exampleErrorEnvelope())).toEqual(exampleErrorEnvelope());
  });

  it('builds an envelope from an AppError', () => {
    const error = new AppError('RATE_LIMITED', 'slow down', { retry_after_seconds: 3 });
    const envelope = { error: { code: error.code, message: error.message, details: error.details, request_id: 'r-1', timestamp: '2025-11-26T09:00:00Z' } };
    expect(ErrorEnvelopeSchema.safeParse(envelope).success).toBe(true);
  });

  it.each([
    ['unknown code', { code: 'TEAPOT' }, 'error.code'],
    ['local timestamp', { timestamp: '2025-11-26 09:00:00' }, 'error.timestamp'],
    ['details not an object', { details: 'x' }, 'error.details'],
    ['missing request id', { request_id: undefined }, 'error.request_id'],
  ])('rejects %s', (_label, patch, path) => {
    const envelope = exampleErrorEnvelope();
    const bad = { error: { ...envelope.error, ...patch } };
    const result = ErrorEnvelopeSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(toValidationIssues(result.error!).map((i) => i.path)).toContain(path);
  });
});

describe('parseOrThrow', () => {
  const Schema = z.object({ name: z.string(), items: z.array(z.object({ n: z.number().min(0) })) });

  it('returns the parsed value', () => {
    expect(parseOrThrow(Schema, { name: 'a', items: [{ n: 1 }], extra: true }, 'thing')).toEqual({ name: 'a', items: [{ n: 1 }] });
  });

  it('throws VALIDATION_FAILED listing every bad field with dotted paths', () => {
    let thrown: unknown;
    try {
      parseOrThrow(Schema, { name: 3, items: [{ n: 1 }, { n: -1 }] }, 'thing body');
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown)).toBe(true);
    const error = thrown as AppError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^thing body is invalid: name: .* \(\+1 more\)$/);
    const issues = (error.details as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['name', 'items.1.n']);
  });

  it('names the root when the input is not an object', () => {
    expect(() => parseOrThrow(Schema, null, 'x')).toThrow(/x is invalid: \(root\):/);
  });
});
