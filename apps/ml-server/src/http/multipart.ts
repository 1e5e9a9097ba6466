/**
 * A small `multipart/form-data` (RFC 7578) parser for uploads of one file with a few text fields, over a body
 * Fastify already buffered (its route body limit bounds the whole request). No streaming: model files are
 * megabytes, not gigabytes. Part headers are read as latin1; field values as UTF-8.
 */
import { AppError } from '@cloudoptim/contracts';

export interface MultipartFile {
  field: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: MultipartFile[];
}

export interface MultipartLimits {
  /** Largest file part, bytes. */
  maxFileBytes: number;
  /** Largest text field, bytes (default 4 KiB). */
  maxFieldBytes?: number;
  /** Most parts (default 16). */
  maxParts?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function bad(message: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('BAD_REQUEST', `multipart body: ${message}`, { reason, ...extra });
}

/** The boundary of a `multipart/form-data; boundary=…` content type. @throws AppError BAD_REQUEST. */
export function multipartBoundary(contentType: string | undefined): string {
  const match = contentType ? /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType) : null;
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw bad('the content type has no boundary', 'no_boundary');
  return boundary;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  const raw = m?.[1] ?? m?.[2];
  return raw?.replace(/\\(.)/g, '$1');
}

/**
 * Parses the body. @throws AppError BAD_REQUEST (reason `malformed_multipart`, `too_many_parts`,
 * `file_too_large` with `limit_bytes`, `field_too_large`, `duplicate_field`).
 */
export function parseMultipart(body: Buffer, contentType: string | undefined, limits: MultipartLimits): MultipartForm {
  const boundary = multipartBoundary(contentType);
  const delimiter = Buffer.from(`--${boundary}`);
  const maxParts = limits.maxParts ?? 16;
  const maxFieldBytes = limits.maxFieldBytes ?? 4096;
  const form: MultipartForm = { fields: {}, files: [] };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad('no part starts with the boundary', 'malformed_multipart');
  let parts = 0;
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return form;
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw bad('a boundary is not followed by CRLF', 'malformed_multipart');
    pos += 2;
    if (++parts > maxParts) throw bad(`more than ${maxParts} parts`, 'too_many_parts');
    const headerEnd = body.indexOf(HEADER_END, pos);
    if (headerEnd < 0) throw bad('a part has no header end', 'malformed_multipart');
    const headers = body.subarray(pos, headerEnd).toString('latin1').split('\r\n');
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headerEnd + 4);
    if (next < 0) throw bad('the closing boundary is missing', 'malformed_multipart');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    const name = disposition && /^content-disposition:\s*form-data/i.test(disposition) ? param(disposition, 'name') : undefined;
    if (!disposition || name === undefined) throw bad('a part has no Content-Disposition: form-data; name=…', 'malformed_multipart');
    const filename = param(disposition, 'filename');
    if (filename !== undefined) {
      if (data.length > limits.maxFileBytes) throw bad(`the file ${name} is ${data.length} bytes; the limit is ${limits.maxFileBytes}`, 'file_too_large', { limit_bytes: limits.maxFileBytes, size_bytes: data.length });
      const type = headers.find((h) => /^content-type:/i.test(h));
      form.files.push({ field: name, filename, contentType: type ? type.replace(/^content-type:\s*/i, '').trim() : null, data: Buffer.from(data) });
    } else {
      if (data.length > maxFieldBytes) throw bad(`the field ${name} is longer than ${maxFieldBytes} bytes`, 'field_too_large');
      if (name in form.fields) throw bad(`the field ${name} is given twice`, 'duplicate_field');
      form.fields[name] = data.toString('utf8');
    }
    pos = next + CRLF.length;
  }
}
