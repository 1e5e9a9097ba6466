/**
 * CentralClient over a real socket against a tiny HTTP server: paths, the bearer key, answers validated, and the
 * error model (network/5xx → UNAVAILABLE retryable, 4xx → the envelope's code, a bad 2xx body → INTERNAL).
 * The stream is covered in apps/agent (which supplies the `ws` socket factory).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, exampleClusterEvent, exampleClusterMetrics, exampleErrorEnvelope, exampleHeartbeat, exampleHeartbeatResponse, exampleTask, exampleTaskResult } from '@cloudoptim/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralClient, isRetryable } from './central-client.ts';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
};

describe('CentralClient', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  let reply: Reply = () => {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        reply(req, res, body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = () => new CentralClient({ baseUrl: url, apiKey: 'key-123', timeoutMs: 2_000 });
  async function failure(p: Promise<unknown>): Promise<AppError> {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    }
    throw new Error('expected a failure');
  }

  it('polls tasks, posts results, metrics, events and heartbeats with the bearer key', async () => {
    const task = exampleTask('cordon_node');
    reply = (req, res, body) => {
      if (req.url?.startsWith('/api/v1/client/tasks?')) {
        return json(res, 200, { tasks: [task, { ...task, task_id: 'task-new', task_type: 'reboot_node' }], server_time: '2026-01-01T00:00:00Z', lease_seconds: 300 });
      }
      if (req.url?.endsWith('/result')) return json(res, 200, { task_id: JSON.parse(body).task_id, status: 'success', duplicate: false });
      if (req.url === '/api/v1/client/heartbeat') return json(res, 200, exampleHeartbeatResponse());
      return json(res, 200, { accepted: 1, duplicates: 0, server_time: '2026-01-01T00:00:00Z' });
    };
    const c = client();
    seen.length = 0;
    const polled = await c.pollTasks(250);
    expect(polled.tasks.map((t) => t.task_id)).toEqual([task.task_id]);
    // A task of a type this client does not know is set apart, not a failed poll.
    expect(polled.rejected.map((r) => [(r.raw as { task_id: string }).task_id, r.error.code])).toEqual([['task-new', 'VALIDATION_FAILED']]);
    expect(await c.postResult(exampleTaskResult({ task_id: 'task:odd.1' }))).toEqual({ task_id: 'task:odd.1', status: 'success', duplicate: false });
    expect((await c.postMetrics(exampleClusterMetrics())).accepted).toBe(1);
    expect((await c.postMetrics(JSON.stringify(exampleClusterMetrics()))).accepted).toBe(1);
    expect((await c.postEvents({ events: [exampleClusterEvent()] })).accepted).toBe(1);
    expect((await c.heartbeat(exampleHeartbeat())).poll_interval_seconds).toBe(10);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/client/tasks?max=100',
      'POST /api/v1/client/tasks/task%3Aodd.1/result',
      'POST /api/v1/client/metrics',
      'POST /api/v1/client/metrics',
      'POST /api/v1/client/events',
      'POST /api/v1/client/heartbeat',
    ]);
    expect(new Set(seen.map((s) => s.auth))).toEqual(new Set(['Bearer key-123']));
    expect(JSON.parse(seen[2]!.body)).toEqual(JSON.parse(seen[3]!.body));
  });

  it('turns 5xx answers and unreachable servers into retryable UNAVAILABLE', async () => {
    reply = (_req, res) => json(res, 503, exampleErrorEnvelope({ code: 'UNAVAILABLE', message: 'database down' }));
    const down = await failure(client().heartbeat(exampleHeartbeat()));
    expect(down).toMatchObject({ code: 'UNAVAILABLE', details: { http_status: 503, retryable: true } });
    expect(isRetryable(down)).toBe(true);
    reply = (_req, res) => json(res, 500, { not: 'an envelope' });
    expect((await failure(client().pollTasks())).code).toBe('UNAVAILABLE');

    const refused = new CentralClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
    const unreachable = await failure(refused.pollTasks());
    expect(unreachable.code).toBe('UNAVAILABLE');
    expect(unreachable.message).toMatch(/central is not reachable \(GET \/api\/v1\/client\/tasks\)/);
    expect(isRetryable(unreachable)).toBe(true);
  });

  it('turns 4xx answers into the envelope code, or one from the status', async () => {
    reply = (_req, res) => json(res, 409, exampleErrorEnvelope({ code: 'LEASE_EXPIRED', message: 'lease expired', details: { task_id: 't1' } }));
    const lease = await failure(client().postResult(exampleTaskResult()));
    expect(lease).toMatchObject({ code: 'LEASE_EXPIRED', details: { task_id: 't1', http_status: 409, request_id: 'req-7f3a9c' } });
    expect(lease.message).toMatch(/lease expired/);
    expect(isRetryable(lease)).toBe(false);
    reply = (_req, res) => {
      res.writeHead(401);
      res.end('no');
    };
    expect((await failure(client().pollTasks())).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a 2xx answer that breaks the contract', async () => {
    reply = (_req, res) => json(res, 200, { tasks: 'nope' });
    const bad = await failure(client().pollTasks());
    expect(bad.code).toBe('INTERNAL');
    expect(bad.details?.['issues']).toBeDefined();
  });

  it('needs a socket factory for the stream', () => {
    expect(() => client().openStream({ onEvent: () => {} })).toThrow(/no socketFactory/);
    expect(new CentralClient({ baseUrl: 'https://central.example.com/', apiKey: 'k' }).streamUrl).toBe('wss://central.example.com/api/v1/client/stream');
  });
});
