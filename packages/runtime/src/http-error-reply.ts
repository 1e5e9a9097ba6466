import { AppError, isAppError } from '@cloudoptim/contracts';
import { toErrorReply, type ErrorReply } from './error-envelope.ts';
import { z } from 'zod';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Maps anything a request can fail with to the spec's envelope. Fastify's own client errors (malformed JSON,
 * body too large, wrong content type) become 400 BAD_REQUEST; AppErrors and zod errors keep their codes; the
 * rest is a 500 that says only "internal error" (toErrorReply).
 */
export function httpErrorReply(error: unknown, requestId: string, nowMs: number): ErrorReply {
  if (!isAppError(error) && !(error instanceof z.ZodError) && error && typeof error === 'object') {
    const e = error as FastifyLikeError;
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) {
      return toErrorReply(fastifyClientError(e), requestId, nowMs);
    }
  }
  return toErrorReply(error, requestId, nowMs);
}

function fastifyClientError(e: FastifyLikeError): AppError {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BAD_REQUEST', 'the request body is larger than the server accepts', { reason: 'body_too_large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('BAD_REQUEST', 'the request body must be JSON (Content-Type: application/json)', { reason: 'unsupported_media_type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 'the request body is empty; a JSON document is expected', { reason: 'empty_body' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    default:
      if (e.statusCode === 400 && /JSON/i.test(e.message ?? '')) return new AppError('BAD_REQUEST', 'the request body is not valid JSON', { reason: 'malformed_json' });
      return new AppError('BAD_REQUEST', 'the request is malformed', { reason: e.code ?? 'bad_request' });
  }
}
