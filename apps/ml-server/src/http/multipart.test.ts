import { describe, expect, it } from 'vitest';
import { AppError } from '@cloudoptim/contracts';
import { multipartBody } from '../testing/multipart-body.ts';
import { parseMultipart } from './multipart.ts';

const LIMITS = { maxFileBytes: 1024 };

function reason(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.details?.reason;
    throw error;
  }
  return undefined;
}

describe('parseMultipart', () => {
  it('reads text fields and one file, byte for byte, including CRLF and boundary-like text inside the file', () => {
    const file = Buffer.concat([Buffer.from('{"a":1}\r\n--not-the-boundary\r\n'), Buffer.from([0, 255, 13, 10])]);
    const { body, contentType } = multipartBody({ version: '1.2.0', format: 'native' }, { field: 'file', filename: 'model.json', contentType: 'application/json', data: file });
    const form = parseMultipart(body, contentType, LIMITS);
    expect(form.fields).toEqual({ version: '1.2.0', format: 'native' });
    expect(form.files).toHaveLength(1);
    expect(form.files[0]).toMatchObject({ field: 'file', filename: 'model.json', contentType: 'application/json' });
    expect(form.files[0]?.data.equals(file)).toBe(true);
  });

  it('accepts a quoted boundary and a field with no file', () => {
    const { body } = multipartBody({ version: 'v1' }, undefined, 'abc123');
    expect(parseMultipart(body, 'multipart/form-data; boundary="abc123"', LIMITS).fields).toEqual({ version: 'v1' });
  });

  it('refuses an oversized file, a missing boundary, truncated bodies and duplicate fields', () => {
    const big = multipartBody({}, { field: 'file', filename: 'm.json', data: Buffer.alloc(2048, 1) });
    expect(reason(() => parseMultipart(big.body, big.contentType, LIMITS))).toBe('file_too_large');
    expect(reason(() => parseMultipart(big.body, 'multipart/form-data', LIMITS))).toBe('no_boundary');
    const ok = multipartBody({ version: '1' }, { field: 'file', filename: 'm.json', data: Buffer.from('{}') });
    expect(reason(() => parseMultipart(ok.body.subarray(0, ok.body.length - 20), ok.contentType, LIMITS))).toBe('malformed_multipart');
    expect(reason(() => parseMultipart(Buffer.from('hello'), ok.contentType, LIMITS))).toBe('malformed_multipart');
    const boundary = 'xyz';
    const twice = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="v"\r\n\r\n1\r\n--${boundary}\r\nContent-Disposition: form-data; name="v"\r\n\r\n2\r\n--${boundary}--\r\n`);
    expect(reason(() => parseMultipart(twice, `multipart/form-data; boundary=${boundary}`, LIMITS))).toBe('duplicate_field');
  });
});
