/**
 * A fake central for component tests, behind the ApiClient's injected `fetch`: handlers per `METHOD /path`
 * answer JSON (or an error envelope), and every request is recorded so tests can assert what was sent.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (request: RecordedRequest) => { status?: number; body?: unknown } | unknown;

/** An error envelope as central sends it. */
export function envelope(status: number, code: string, message: string, details: Record<string, unknown> | null = null) {
  return { status, body: { error: { code, message, details, request_id: 'req-test', timestamp: '2026-01-01T00:00:00.000Z' } } };
}

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();

  /** Answers `METHOD /path` (exact path, no query) with the handler's value: `{status, body}` or a 200 body. */
  on(route: string, handler: Handler | object): this {
    this.handlers.set(route, typeof handler === 'function' ? (handler as Handler) : () => handler);
    return this;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://ui.test');
    const method = init?.method ?? 'GET';
    const request: RecordedRequest = { method, path: url.pathname, query: url.searchParams, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    this.requests.push(request);
    const handler = this.handlers.get(`${method} ${url.pathname}`);
    if (!handler) {
      const missing = envelope(404, 'NOT_FOUND', `no route ${method} ${url.pathname}`);
      return new Response(JSON.stringify(missing.body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    const answer = handler(request);
    const shaped = typeof answer === 'object' && answer !== null && 'status' in answer && typeof (answer as { status: unknown }).status === 'number' ? (answer as { status: number; body?: unknown }) : { status: 200, body: answer };
    const body = shaped.body === undefined ? null : JSON.stringify(shaped.body);
    return new Response(body, { status: shaped.status, headers: { 'content-type': 'application/json' } });
  };

  /** The requests made to `METHOD /path`. */
  calls(route: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route);
  }
}
