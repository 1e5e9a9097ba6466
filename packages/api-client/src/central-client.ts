/**
 * CentralClient: the agent's side of central's client API (SPEC §3) — task poll, task results, metrics, events,
 * heartbeat over fetch — and the agent stream (WS /api/v1/client/stream). Every request carries the cluster's
 * agent API key as `Authorization: Bearer <key>`; every answer is validated with its contract schema.
 *
 * Failures are AppErrors: a network failure, a timeout or any 5xx answer is UNAVAILABLE with
 * `details.retryable: true` (try again later); a 4xx answer carries the code of central's error envelope
 * (VALIDATION_FAILED, UNAUTHENTICATED, NOT_FOUND, LEASE_EXPIRED, RATE_LIMITED…, or one derived from the HTTP
 * status when the body is not an envelope); a 2xx body that does not match its schema is INTERNAL.
 *
 * The stream needs request headers on the WebSocket upgrade, which browsers cannot set, so the socket is
 * made by an injected {@link StreamSocketFactory} (the agent passes one built on `ws`).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  AGENT_INSTANCE_HEADER,
  AgentClientEventSchema,
  AgentInstanceIdSchema,
  AgentServerEventSchema,
  AppError,
  ErrorEnvelopeSchema,
  HeartbeatResponseSchema,
  IngestAckSchema,
  TaskPollResponseSchema,
  TaskResultAckSchema,
  TaskSchema,
  toValidationIssues,
  type AgentClientEvent,
  type AgentServerEvent,
  type ClusterEventBatch,
  type ClusterMetrics,
  type ErrorCode,
  type Heartbeat,
  type HeartbeatResponse,
  type IngestAck,
  type TaskPollResponse,
  type TaskResult,
  type TaskResultAck,
} from '@cloudoptim/contracts';

/** What a stream socket reports. `close` is called once, also after an `error`. */
export interface StreamSocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
  error(error: Error): void;
}

/** The two things the client does with an open socket. */
export interface StreamSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a WebSocket to `url` sending `headers` on the upgrade request. */
export type StreamSocketFactory = (url: string, headers: Record<string, string>, handlers: StreamSocketHandlers) => StreamSocket;

export interface CentralClientOptions {
  /** Central's base URL (`https://central.example.com`); the API paths are appended to it. */
  baseUrl: string;
  /** The cluster's agent API key. Never logged, never put in a URL. */
  apiKey: string;
  /** Per-request timeout in ms of real time (an I/O bound, not a schedule). Default 15 000. */
  timeoutMs?: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Needed by {@link CentralClient.openStream} only. */
  socketFactory?: StreamSocketFactory;
  /** Sent as `User-Agent` (e.g. `cloudoptim-agent/0.1.0`). */
  userAgent?: string;
  /**
   * This process's instance id, sent in AGENT_INSTANCE_HEADER on every request and on the stream (default: a random
   * id per client). Central hands the tasks an earlier process held back when a new instance heartbeats.
   */
  instanceId?: string;
}

/** Callbacks of an open agent stream. */
export interface AgentStreamHandlers {
  onOpen?(): void;
  /** A valid frame from central. */
  onEvent(event: AgentServerEvent): void;
  /** A frame that is not JSON or not a known AgentServerEvent; it is otherwise ignored. */
  onInvalidFrame?(error: AppError, text: string): void;
  /** The connection failed (refused, 401 on the upgrade…); `onClose` follows. */
  onError?(error: AppError): void;
  onClose?(code: number, reason: string): void;
}

/** An open (or opening) agent stream. */
export interface AgentStream {
  /** Sends a frame; a frame that does not match AgentClientEvent is a VALIDATION_FAILED AppError. */
  send(event: AgentClientEvent): void;
  close(): void;
}

/** A polled task that does not match the Task contract (an unknown type, bad parameters): the agent reports it failed. */
export interface RejectedTask {
  /** The task as central sent it. */
  raw: unknown;
  /** VALIDATION_FAILED, with `details.issues`. */
  error: AppError;
}

/** What {@link CentralClient.pollTasks} answers: the valid tasks, and the invalid ones apart. */
export type PolledTasks = TaskPollResponse & { rejected: RejectedTask[] };

/** The poll answer with its tasks unchecked, so one bad task does not hide the others. */
const PollWireSchema = TaskPollResponseSchema.extend({ tasks: z.array(z.unknown()) });

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

/** True for failures worth retrying later unchanged: central unreachable or overloaded. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED');
}

/** See the module comment. */
export class CentralClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly instanceId: string;

  constructor(private readonly options: CentralClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.instanceId = AgentInstanceIdSchema.parse(options.instanceId ?? randomUUID());
  }

  private headers(json: boolean): Record<string, string> {
    return {
      Authorization: `Bearer ${this.options.apiKey}`,
      Accept: 'application/json',
      [AGENT_INSTANCE_HEADER]: this.instanceId,
      ...(json ? { 'Content-Type': 'application/json' } : {}),
      ...(this.options.userAgent ? { 'User-Agent': this.options.userAgent } : {}),
    };
  }

  private async request<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const what = `${method} ${path.split('?')[0]}`;
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const reason = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : err.message) : String(err);
      throw new AppError('UNAVAILABLE', `central is not reachable (${what}): ${reason}`, { retryable: true }, { cause: err });
    }
    if (status >= 400) throw this.httpError(what, status, text);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new AppError('INTERNAL', `central answered ${what} with a body that is not JSON`, { http_status: status });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AppError('INTERNAL', `central answered ${what} with a body that does not match its contract`, { http_status: status, issues: toValidationIssues(parsed.error) });
    }
    return parsed.data;
  }

  private httpError(what: string, status: number, text: string): AppError {
    let envelope: z.output<typeof ErrorEnvelopeSchema> | undefined;
    try {
      const parsed = ErrorEnvelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) envelope = parsed.data;
    } catch {
      // not JSON: described by the status alone
    }
    const details: Record<string, unknown> = { http_status: status, ...(envelope ? { request_id: envelope.error.request_id } : {}) };
    if (status >= 500) {
      return new AppError('UNAVAILABLE', `central failed ${what} (HTTP ${status}${envelope ? ` ${envelope.error.code}` : ''})`, { ...details, retryable: true, ...(envelope ? { code: envelope.error.code } : {}) });
    }
    if (envelope) return new AppError(envelope.error.code, `central refused ${what}: ${envelope.error.message}`, { ...envelope.error.details, ...details });
    return new AppError(STATUS_CODES[status] ?? 'BAD_REQUEST', `central refused ${what} (HTTP ${status})`, details);
  }

  /**
   * `GET /api/v1/client/tasks?max=N`: leases up to `max` (1–100) tasks, highest priority first. Each task is
   * checked on its own: those that break the Task contract come back in `rejected` instead of failing the poll.
   */
  async pollTasks(max = 10): Promise<PolledTasks> {
    const wire = await this.request('GET', `/api/v1/client/tasks?max=${Math.max(1, Math.min(100, Math.floor(max)))}`, undefined, PollWireSchema);
    const tasks: TaskPollResponse['tasks'] = [];
    const rejected: RejectedTask[] = [];
    for (const raw of wire.tasks) {
      const parsed = TaskSchema.safeParse(raw);
      if (parsed.success) tasks.push(parsed.data);
      else rejected.push({ raw, error: new AppError('VALIDATION_FAILED', 'task does not match the Task contract', { issues: toValidationIssues(parsed.error) }) });
    }
    return { ...wire, tasks, rejected };
  }

  /** `POST /api/v1/client/tasks/{task_id}/result`; re-posting the same result answers `duplicate: true`. */
  postResult(result: TaskResult): Promise<TaskResultAck> {
    return this.request('POST', `/api/v1/client/tasks/${encodeURIComponent(result.task_id)}/result`, result, TaskResultAckSchema);
  }

  /** `POST /api/v1/client/metrics`. A string is sent as is: ClusterMetrics JSON serialized earlier (a buffered sample). */
  postMetrics(metrics: ClusterMetrics | string): Promise<IngestAck> {
    return this.request('POST', '/api/v1/client/metrics', metrics, IngestAckSchema);
  }

  /** `POST /api/v1/client/events` (1–1000 events). A string is sent as is (a serialized ClusterEventBatch). */
  postEvents(batch: ClusterEventBatch | string): Promise<IngestAck> {
    return this.request('POST', '/api/v1/client/events', batch, IngestAckSchema);
  }

  /** `POST /api/v1/client/heartbeat`. */
  heartbeat(heartbeat: Heartbeat): Promise<HeartbeatResponse> {
    return this.request('POST', '/api/v1/client/heartbeat', heartbeat, HeartbeatResponseSchema);
  }

  /** The stream's URL: the base URL with ws(s) for http(s). */
  get streamUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/api/v1/client/stream`;
  }

  /**
   * Opens `WS /api/v1/client/stream` with the API key on the upgrade. Does not reconnect: when `onClose` is
   * called the stream is over and the caller opens a new one (with backoff).
   * @throws AppError UNPROCESSABLE when the client was built without a socketFactory.
   */
  openStream(handlers: AgentStreamHandlers): AgentStream {
    const factory = this.options.socketFactory;
    if (!factory) throw new AppError('UNPROCESSABLE', 'this CentralClient has no socketFactory: it cannot open the agent stream');
    const socket = factory(this.streamUrl, this.headers(false), {
      open: () => handlers.onOpen?.(),
      message: (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          handlers.onInvalidFrame?.(new AppError('BAD_REQUEST', 'stream frame is not JSON'), text);
          return;
        }
        const parsed = AgentServerEventSchema.safeParse(json);
        if (parsed.success) handlers.onEvent(parsed.data);
        else handlers.onInvalidFrame?.(new AppError('VALIDATION_FAILED', 'stream frame is not an AgentServerEvent', { issues: toValidationIssues(parsed.error) }), text);
      },
      error: (err) => handlers.onError?.(new AppError('UNAVAILABLE', `agent stream failed: ${err.message}`, { retryable: true }, { cause: err })),
      close: (code, reason) => handlers.onClose?.(code, reason),
    });
    return {
      send(event) {
        const parsed = AgentClientEventSchema.safeParse(event);
        if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'not an AgentClientEvent', { issues: toValidationIssues(parsed.error) });
        socket.send(JSON.stringify(parsed.data));
      },
      close() {
        socket.close(1000, 'closing');
      },
    };
  }
}
