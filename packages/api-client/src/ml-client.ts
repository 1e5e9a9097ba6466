/**
 * `MlClient`: central's HTTP client of the ML server (SPEC §3 "ML server (service key required)"). Every answer
 * is validated against its contract before it is returned, and every failure is an AppError:
 * - the server unreachable, a timeout, or any 5xx → UNAVAILABLE (retry later);
 * - a 4xx → the code of the server's error envelope (VALIDATION_FAILED, UNKNOWN_REGION …), except 401/403,
 *   which mean central's own service key is wrong: UNAVAILABLE too, so no caller mistakes it for its own
 *   missing sign-in;
 * - a 2xx whose body breaks the contract → INTERNAL (a version mismatch between the two servers).
 */
import { z } from 'zod';
import {
  AppError,
  AvailabilityZoneSchema,
  DecisionResponseSchema,
  ErrorEnvelopeSchema,
  InstanceTypeSchema,
  toValidationIssues,
  type DecisionRequest,
  type DecisionResponse,
  type DecisionType,
} from '@cloudoptim/contracts';

/** Options of {@link MlClient}. */
export interface MlClientOptions {
  /** `http://localhost:8001` (a path prefix is kept). */
  baseUrl: string;
  /** The ML server's service key (sent as `Authorization: Bearer <key>`). */
  serviceKey: string;
  /** Per-call timeout for decisions, ms (default 30 000: a bin-pack LP on a large cluster takes seconds). */
  decisionTimeoutMs?: number;
  /** Per-call timeout for everything else, ms (default 10 000). */
  timeoutMs?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface MlCallOptions {
  /** Sent as `x-request-id`, so both servers' logs name the same request. */
  requestId?: string;
  signal?: AbortSignal;
}

/** One Spot pool to score (`POST /api/v1/ml/predict/spot-interruption`). `spot_price` USD per hour. */
export interface SpotPoolQuery {
  instance_type: string;
  region: string;
  availability_zone: string;
  spot_price: number;
  /** ISO 8601 with offset. */
  launch_time: string;
  /** Horizon of the probability, hours (server default 730). */
  horizon_hours?: number;
}

/** The ML server's score of one pool (probabilities in [0, 1] over `horizon_hours`). */
export const SpotInterruptionPredictionSchema = z.looseObject({
  interruption_probability: z.number().min(0).max(1),
  confidence: z.number().min(0).max(1),
  recommendation: z.enum(['SAFE_TO_USE', 'USE_WITH_CAUTION', 'AVOID']),
  model_version: z.string(),
  instance_type: InstanceTypeSchema,
  availability_zone: AvailabilityZoneSchema,
  horizon_hours: z.number().positive(),
  safety_score: z.number().min(0).max(1),
  monthly_interruption_rate: z.number().min(0).max(1),
  spot_advisor_bucket: z.string().nullable(),
  factors: z.array(z.looseObject({ name: z.string(), value: z.union([z.number(), z.string(), z.null()]), weight: z.number(), contribution: z.number() })),
});
export type SpotInterruptionPrediction = z.infer<typeof SpotInterruptionPredictionSchema>;

const BatchPredictionSchema = z.object({ predictions: z.array(SpotInterruptionPredictionSchema) });

/** `GET /api/v1/ml/health`. */
export const MlHealthSchema = z.looseObject({
  status: z.string(),
  version: z.string(),
  uptime_seconds: z.number().nonnegative(),
  model_version: z.string().nullable(),
  price_history_loaded: z.boolean(),
  market: z.looseObject({ regions: z.number().int().nonnegative() }),
});
export type MlHealth = z.infer<typeof MlHealthSchema>;

/** The ML endpoint of each decision type. */
export const DECISION_PATHS: Record<DecisionType, string> = {
  spot_optimize: '/api/v1/ml/decision/spot-optimize',
  bin_pack: '/api/v1/ml/decision/bin-pack',
  rightsize: '/api/v1/ml/decision/rightsize',
  schedule: '/api/v1/ml/decision/schedule',
};

const FORWARDABLE_PATH = /^\/api\/v1\/ml\/[A-Za-z0-9._~\-/]*(\?[A-Za-z0-9._~\-=&%:,+]*)?$/;

type Method = 'GET' | 'POST' | 'DELETE';

/** The HTTP client of the ML server. Stateless; safe to share. */
export class MlClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: MlClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Asks the decision endpoint of `request.decision_type`. */
  async decide(request: DecisionRequest, call: MlCallOptions = {}): Promise<DecisionResponse> {
    const body = await this.json('POST', DECISION_PATHS[request.decision_type], request, this.options.decisionTimeoutMs ?? 30_000, call);
    return this.check(DecisionResponseSchema, body, 'DecisionResponse');
  }

  /** Interruption probability of one pool. */
  async predictSpotInterruption(pool: SpotPoolQuery, call?: MlCallOptions): Promise<SpotInterruptionPrediction>;
  /** Interruption probabilities of several pools (at most 10 000), in input order. */
  async predictSpotInterruption(pools: { pools: SpotPoolQuery[] }, call?: MlCallOptions): Promise<SpotInterruptionPrediction[]>;
  async predictSpotInterruption(query: SpotPoolQuery | { pools: SpotPoolQuery[] }, call: MlCallOptions = {}): Promise<SpotInterruptionPrediction | SpotInterruptionPrediction[]> {
    const body = await this.json('POST', '/api/v1/ml/predict/spot-interruption', query, this.timeout(), call);
    if ('pools' in query) return this.check(BatchPredictionSchema, body, 'spot interruption batch').predictions;
    return this.check(SpotInterruptionPredictionSchema, body, 'spot interruption prediction');
  }

  /** The ML server's health (data dates, model, uptime). */
  async health(call: MlCallOptions = {}): Promise<MlHealth> {
    return this.check(MlHealthSchema, await this.json('GET', '/api/v1/ml/health', undefined, this.timeout(), call), 'ML health');
  }

  /**
   * Passes an admin call through (model registry, gap filler) and returns the answer as is, whatever its
   * status. `path` must be under `/api/v1/ml/` (VALIDATION_FAILED otherwise). Throws only UNAVAILABLE, when
   * the server cannot be reached or does not answer in time.
   */
  async forward(method: Method, path: string, body?: unknown, call: MlCallOptions = {}): Promise<{ status: number; body: unknown }> {
    if (!FORWARDABLE_PATH.test(path) || path.includes('..')) {
      throw new AppError('VALIDATION_FAILED', `cannot forward ${path}: only paths under /api/v1/ml/ are proxied`, { issues: [{ path: 'path', message: 'must be under /api/v1/ml/' }] });
    }
    const response = await this.send(method, path, body, this.timeout(), call);
    return { status: response.status, body: await readBody(response) };
  }

  private timeout(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  /** Sends the call and returns the 2xx body; maps every failure. */
  private async json(method: Method, path: string, body: unknown, timeoutMs: number, call: MlCallOptions): Promise<unknown> {
    const response = await this.send(method, path, body, timeoutMs, call);
    const payload = await readBody(response);
    if (response.ok) return payload;
    throw errorOf(response.status, payload, `${method} ${path}`);
  }

  private async send(method: Method, path: string, body: unknown, timeoutMs: number, call: MlCallOptions): Promise<Response> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(call.signal ? [call.signal] : [])];
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.serviceKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (call.requestId) headers['x-request-id'] = call.requestId;
    try {
      return await this.fetchFn(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }), signal: AbortSignal.any(signals) });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new AppError('UNAVAILABLE', timedOut ? `the ML server did not answer ${method} ${path} within ${timeoutMs} ms` : `the ML server cannot be reached (${method} ${path})`, null, { cause: error });
    }
  }

  private check<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issues = toValidationIssues(parsed.error);
    throw new AppError('INTERNAL', `the ML server answered with an invalid ${what}: ${issues[0]?.path || '(root)'}: ${issues[0]?.message ?? ''}`, null, { cause: parsed.error });
  }
}

/** The JSON body, or the text when it is not JSON, or null when empty (the body is read even on errors). */
async function readBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new AppError('UNAVAILABLE', 'the ML server connection broke while reading its answer', null, { cause: error });
  }
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(status: number, payload: unknown, what: string): AppError {
  if (status >= 500) return new AppError('UNAVAILABLE', `the ML server failed ${what} (HTTP ${status})`, { upstream_status: status });
  const envelope = ErrorEnvelopeSchema.safeParse(payload);
  if (status === 401 || status === 403) return new AppError('UNAVAILABLE', `the ML server refused central's service key (${what}, HTTP ${status}); check ML_SERVER_API_KEY`, { upstream_status: status });
  if (!envelope.success) return new AppError('INTERNAL', `the ML server answered ${what} with HTTP ${status} and no error envelope`, { upstream_status: status });
  const { code, message, details } = envelope.data.error;
  return new AppError(code, message, details);
}
