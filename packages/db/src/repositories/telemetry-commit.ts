import { sql } from 'drizzle-orm';

/**
 * A select-list item that makes the current transaction commit without waiting for its WAL flush
 * (`synchronous_commit = off`, transaction-local: `set_config(…, true)` applies to the implicit transaction of a
 * single statement as well as to an explicit one, and ends with it). Only for writes of agent telemetry
 * (heartbeats, metrics reports and what is derived from them): if PostgreSQL itself crashes, the last few hundred
 * milliseconds of acknowledged telemetry may be lost (never corrupted); the agents send fresh values at their next
 * beat or report. Evaluates to 'off'.
 */
export const TELEMETRY_COMMIT = sql`set_config('synchronous_commit', 'off', true)`;
