import pino from 'pino';

/** The logging interface code depends on: object first, message second (`log.info({taskId}, 'drained')`). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Keys whose values never reach a log line, at any depth we know clients use. */
export const REDACTED_KEYS = [
  'password', 'secret', 'token', 'apiKey', 'api_key', 'authorization', 'cookie', 'databaseUrl', 'database_url',
  'accessKeyId', 'secretAccessKey', 'sessionToken', 'externalId', 'external_id', 'key',
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k}"]`, `req.headers.${k}`]);

/**
 * CloudOptim's bearer secrets by their shape — session tokens `cos_…`, agent keys `coa_…`, webhook signing
 * secrets `whsec_…` — wherever they end up in a line: a URL a client put a key in, an error message that echoes
 * input. Key-based redaction cannot see inside strings; this runs on the finished line.
 */
const SECRET_PATTERN = /\b(cos|coa|whsec)_[A-Za-z0-9_-]{16,}/g;

/** The line with every secret-shaped token replaced by its prefix and `[redacted]`. */
export function scrubSecrets(line: string): string {
  return line.replace(SECRET_PATTERN, '$1_[redacted]');
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** A pino logger (JSON lines) with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const instance = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: scrubSecrets },
    },
    options.destination,
  );
  return wrap(instance);
}

function wrap(instance: pino.Logger): Logger {
  return {
    debug: (obj, msg) => instance.debug(obj, msg),
    info: (obj, msg) => instance.info(obj, msg),
    warn: (obj, msg) => instance.warn(obj, msg),
    error: (obj, msg) => instance.error(obj, msg),
    child: (bindings) => wrap(instance.child(bindings)),
  };
}

/** A logger that drops everything: for unit tests and library defaults. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
