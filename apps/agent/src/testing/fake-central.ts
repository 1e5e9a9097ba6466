/**
 * FakeCentral: a small stand-in for central's client API (SPEC §3) on a real port, for the agent's tests and
 * benchmark while the real central is built in parallel. It checks the bearer key, validates every body with
 * the contract schemas (a bad one answers 400 VALIDATION_FAILED, so a test sees the agent send only valid
 * messages), leases queued tasks on poll, records results, metrics, events and heartbeats (de-duplicated as
 * central does), serves WS /api/v1/client/stream, and can be taken `down` (every request 503, upgrades refused).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentClientEventSchema,
  ClusterEventBatchSchema,
  ClusterMetricsSchema,
  HeartbeatSchema,
  TaskResultSchema,
  toValidationIssues,
  type AgentClientEvent,
  type AgentServerEvent,
  type ClusterEvent,
  type ClusterMetrics,
  type ErrorCode,
  type Heartbeat,
  type Task,
  type TaskResult,
} from '@cloudoptim/contracts';
import type { z } from 'zod';

/** A server frame without the envelope fields FakeCentral fills in. */
export type FrameBody = AgentServerEvent extends infer E ? (E extends AgentServerEvent ? Omit<E, 'v' | 'id' | 'sent_at'> : never) : never;

export interface FakeCentralOptions {
  apiKey: string;
  /** What `server_time` says. Default Date.now. */
  now?: () => number;
  leaseSeconds?: number;
  /**
   * Validate bodies with the contract schemas (default true). The benchmark turns it off: a 10,000-pod
   * ClusterMetrics takes the validating process long enough to skew its latency probes.
   */
  validate?: boolean;
}

export class FakeCentral {
  /** While true: every request answers 503 UNAVAILABLE and stream upgrades are refused. */
  down = false;
  pollIntervalSeconds = 10;
  readonly results: TaskResult[] = [];
  readonly metrics: ClusterMetrics[] = [];
  readonly events: ClusterEvent[] = [];
  readonly heartbeats: Heartbeat[] = [];
  readonly frames: AgentClientEvent[] = [];
  /** Requests answered (method and path), including refused ones. */
  readonly requests: string[] = [];
  /** Stream upgrade requests, accepted or not. */
  upgradeAttempts = 0;
  /** Bodies refused as invalid, with the issues. */
  readonly invalid: Array<{ path: string; issues: unknown }> = [];
  private readonly pending: Task[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private frameSeq = 0;
  private server!: Server;
  url = '';

  private constructor(private readonly o: FakeCentralOptions) {}

  static async start(o: FakeCentralOptions): Promise<FakeCentral> {
    const c = new FakeCentral(o);
    c.server = createServer((req, res) => void c.handle(req, res));
    c.server.on('upgrade', (req, socket, head) => c.upgrade(req, socket, head));
    await new Promise<void>((r) => c.server.listen(0, '127.0.0.1', r));
    c.url = `http://127.0.0.1:${(c.server.address() as AddressInfo).port}`;
    return c;
  }

  /** Queues a task for the next poll. */
  enqueue(...tasks: Task[]): void {
    this.pending.push(...tasks);
  }

  /** Open agent streams. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Sends a frame (its `v`, `id` and `sent_at` filled in) to every open stream; answers the frame id. */
  send(frame: FrameBody): string {
    const id = `central-${++this.frameSeq}`;
    const text = JSON.stringify({ ...frame, v: 1, id, sent_at: new Date(this.now()).toISOString() });
    for (const s of this.sockets) s.send(text);
    return id;
  }

  /** Ends every stream (as a central restart does). */
  dropStreams(): void {
    for (const s of this.sockets) s.terminate();
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.wss.close();
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private authorized(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.o.apiKey}`;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgradeAttempts++;
    if (this.down || !this.authorized(req) || !req.url?.startsWith('/api/v1/client/stream')) {
      socket.end(`HTTP/1.1 ${this.down ? '503 Service Unavailable' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('message', (data) => {
        const parsed = AgentClientEventSchema.safeParse(JSON.parse(data.toString()));
        if (parsed.success) this.frames.push(parsed.data);
        else this.invalid.push({ path: 'stream', issues: toValidationIssues(parsed.error) });
      });
      ws.on('close', () => this.sockets.delete(ws));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    const envelope = (status: number, code: ErrorCode, message: string, details: Record<string, unknown> | null = null) =>
      this.json(res, status, { error: { code, message, details, request_id: 'fake', timestamp: new Date(this.now()).toISOString() } });
    if (this.down) return envelope(503, 'UNAVAILABLE', 'central is down');
    if (!this.authorized(req)) return envelope(401, 'UNAUTHENTICATED', 'bad API key');
    const parse = <S extends z.ZodType>(schema: S): z.output<S> | undefined => {
      if (this.o.validate === false) return JSON.parse(body) as z.output<S>;
      const r = schema.safeParse(body === '' ? undefined : JSON.parse(body));
      if (r.success) return r.data;
      const issues = toValidationIssues(r.error);
      this.invalid.push({ path: url.pathname, issues });
      envelope(400, 'VALIDATION_FAILED', `invalid body: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
      return undefined;
    };
    const serverTime = new Date(this.now()).toISOString();
    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/v1/client/tasks') {
      const max = Number(url.searchParams.get('max') ?? 10);
      const leased = this.pending.splice(0, max).map((t) => {
        const attempt = (this.attempts.get(t.task_id) ?? 0) + 1;
        this.attempts.set(t.task_id, attempt);
        return { ...t, attempt };
      });
      return this.json(res, 200, { tasks: leased, server_time: serverTime, lease_seconds: this.o.leaseSeconds ?? 300 });
    }
    const result = /^\/api\/v1\/client\/tasks\/([^/]+)\/result$/.exec(path);
    if (req.method === 'POST' && result) {
      const r = parse(TaskResultSchema);
      if (!r) return;
      const duplicate = this.results.some((x) => x.task_id === r.task_id && x.attempt === r.attempt);
      if (!duplicate) this.results.push(r);
      return this.json(res, 200, { task_id: r.task_id, status: r.status, duplicate });
    }
    if (req.method === 'POST' && path === '/api/v1/client/metrics') {
      const m = parse(ClusterMetricsSchema);
      if (!m) return;
      const duplicate = this.metrics.some((x) => x.timestamp === m.timestamp);
      if (!duplicate) this.metrics.push(m);
      return this.json(res, 200, { accepted: duplicate ? 0 : 1, duplicates: duplicate ? 1 : 0, server_time: serverTime });
    }
    if (req.method === 'POST' && path === '/api/v1/client/events') {
      const b = parse(ClusterEventBatchSchema);
      if (!b) return;
      const fresh = b.events.filter((e) => !this.events.some((x) => x.event_id === e.event_id));
      this.events.push(...fresh);
      return this.json(res, 200, { accepted: fresh.length, duplicates: b.events.length - fresh.length, server_time: serverTime });
    }
    if (req.method === 'POST' && path === '/api/v1/client/heartbeat') {
      const h = parse(HeartbeatSchema);
      if (!h) return;
      this.heartbeats.push(h);
      return this.json(res, 200, { server_time: serverTime, pending_tasks: this.pending.length, config_version: 1, poll_interval_seconds: this.pollIntervalSeconds });
    }
    envelope(404, 'NOT_FOUND', `no route ${req.method} ${path}`);
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(value));
  }
}
