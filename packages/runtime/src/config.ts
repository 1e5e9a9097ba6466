import { z } from 'zod';
import { AppError, toValidationIssues } from '@cloudoptim/contracts';

/** Environment variables as a process sees them; passed in so packages never read `process.env` themselves. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses an app's configuration from the environment with its one zod schema. Every problem is reported at
 * once: the AppError CONFIG_INVALID lists each bad variable in `details.issues` and in its message.
 * No value is echoed back (a bad DATABASE_URL may hold a password). A variable set to the empty string counts
 * as unset, as shells and compose files often export `FOO=` to mean "no value".
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env, appName: string): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error).map((issue) => ({
    variable: issue.path || '(environment)',
    problem: issue.message,
  }));
  const lines = issues.map((i) => `  ${i.variable}: ${i.problem}`).join('\n');
  throw new AppError('CONFIG_INVALID', `${appName} configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`, { issues });
}

/** Helpers for env schemas: strings arrive as text, so numbers and booleans are coerced with clear errors. */
export const envSchemas = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true/false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.url({ message: 'expected a URL' }),
  postgresUrl: () =>
    z.string().regex(/^postgres(ql)?:\/\/.+/, { message: 'expected postgres://user@host:port/db' }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
