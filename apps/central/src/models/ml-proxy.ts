/**
 * Passing an admin call through to the ML server (`ctx.ml.forward`): a 2xx answer is returned as is; an
 * error envelope from the ML server becomes central's own AppError with the same code, message and details
 * (so the caller sees one envelope, carrying central's request id); a 5xx or an answer that is not an
 * envelope is UNAVAILABLE (the ML server's internals are not relayed).
 */
import { AppError, ErrorEnvelopeSchema } from '@cloudoptim/contracts';
import type { MlGateway } from '../ml/ml-gateway.ts';

export async function relayToMl(ml: MlGateway, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const answer = await ml.forward(method, path, body);
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const envelope = ErrorEnvelopeSchema.safeParse(answer.body);
  if (answer.status >= 500 || !envelope.success) {
    throw new AppError('UNAVAILABLE', `the ML server could not answer ${method} ${path.split('?')[0]} (HTTP ${answer.status})`, { ml_status: answer.status });
  }
  const e = envelope.data.error;
  // A 401 from the ML server is central's misconfiguration (its service key), not the caller's.
  if (e.code === 'UNAUTHENTICATED') throw new AppError('UNAVAILABLE', 'the ML server refused central\'s service key (check ML_SERVER_API_KEY)', { ml_status: answer.status });
  throw new AppError(e.code, e.message, e.details);
}
