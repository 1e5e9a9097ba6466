/**
 * The logging surface the database layer needs: object first, then a message (pino-compatible).
 * Callers pass their runtime logger; when omitted, nothing is logged.
 */
export interface DbLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that discards everything (the default when no `log` is given). */
export const silentLogger: DbLogger = {
  info: () => {},
  warn: () => {},
};
