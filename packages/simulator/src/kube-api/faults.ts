/**
 * Opt-in fault injection for the Kubernetes API server (chaos tests): for a window of clock time every request
 * is answered with 500 InternalError or 429 TooManyRequests, as an overloaded or restarting apiserver answers.
 * Off until `outage()` is called; the server consults it before routing, so normal behaviour is unchanged.
 */
import type { Clock } from '@cloudoptim/runtime';
import { statusObject } from './errors.ts';
import type { Status } from './types.ts';

export type KubeApiOutageStatus = 500 | 429;

export class KubeApiFaults {
  private untilMs = 0;
  private status: KubeApiOutageStatus = 500;
  /** Requests refused so far (chaos reports show the fault really bit). */
  refused = 0;

  constructor(private readonly clock: Clock) {}

  /** Refuses every request with `status` for `durationMs` of clock time from now. */
  outage(status: KubeApiOutageStatus, durationMs: number): void {
    this.status = status;
    this.untilMs = this.clock.now() + durationMs;
  }

  clear(): void {
    this.untilMs = 0;
  }

  get active(): boolean {
    return this.clock.now() < this.untilMs;
  }

  /** The Status to answer instead of serving, or undefined when no outage is on. */
  refusal(): { status: Status; headers: Record<string, string> } | undefined {
    if (!this.active) return undefined;
    this.refused++;
    if (this.status === 429) return { status: statusObject(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later'), headers: { 'Retry-After': '1' } };
    return { status: statusObject(500, 'InternalError', 'Internal error occurred: injected apiserver fault'), headers: {} };
  }
}
