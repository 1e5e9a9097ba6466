/**
 * The few admin-API calls the demo makes to onboard itself — over HTTP, as a person or the UI would, so the
 * demo exercises the real routes (login, customer, user, cluster registration, settings).
 */
import { AppError } from '@cloudoptim/contracts';

export class DemoAdminApi {
  private token: string | undefined;

  constructor(private readonly baseUrl: string) {}

  async login(email: string, password: string): Promise<void> {
    const body = await this.call<{ token: string }>('POST', '/api/v1/auth/login', { email, password });
    this.token = body.token;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(this.token && { authorization: `Bearer ${this.token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AppError('UNAVAILABLE', `demo setup: ${method} ${path} answered ${res.status}: ${error?.message ?? text.slice(0, 200)}`, { code: error?.code ?? null });
    }
    return json as T;
  }
}
