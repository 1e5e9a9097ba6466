/**
 * A Logger that keeps every line as the JSON of its object and message, without redaction: what the code itself
 * put in a line, so a test can say no secret was ever handed to the logger (not merely that pino hid it).
 */
import type { Logger } from '@cloudoptim/runtime';

export function recordingLogger(lines: string[]): Logger {
  const record = (level: string) => (obj: object, msg?: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
  const log: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error'), child: () => log };
  return log;
}
