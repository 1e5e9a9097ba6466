/**
 * ApiClient: `fetch` over central's REST API, same origin (the session cookie travels by itself; in dev the Vite
 * proxy keeps it same-origin). Answers are returned as the caller's wire type; every non-2xx answer and every
 * network failure is thrown as an {@link ApiError}. The fetch function is injected so component tests can run
 * the real client over a fake server.
 */
import { ApiError } from './api-error.ts';

export type QueryValue = string | number | boolean | null | undefined;

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Appended as the query string; null/undefined values are left out. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** Prefix of every path (default: same origin). */
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** `/path?a=1&b=2` with empty values left out. */
export function withQuery(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** @throws ApiError for any non-2xx answer (with the envelope's code and message) or network failure. */
  async request<T>(path: string, request: ApiRequest = {}): Promise<T> {
    const { method = 'GET', query, body, signal } = request;
    let response: Response;
    try {
      response = await this.fetchFn(this.baseUrl + withQuery(path, query), {
        method,
        credentials: 'same-origin',
        headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(signal && { signal }),
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new ApiError(0, 'UNAVAILABLE', `cannot reach the server (${cause instanceof Error ? cause.message : String(cause)})`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new ApiError(response.status, 'INTERNAL', `the server answered ${method} ${path} with something that is not JSON`);
      }
    }
    if (!response.ok) throw ApiError.fromResponse(response.status, parsed);
    return parsed as T;
  }

  get<T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { ...(query && { query }), ...(signal && { signal }) });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: 'POST', body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: 'PATCH', body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>(path, { method: 'DELETE' });
  }
}
