import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '@cloudoptim/contracts';
import { envSchemas, loadConfig } from './config.ts';

const schema = z.object({
  PORT: envSchemas.port(8000),
  DATABASE_URL: envSchemas.postgresUrl().optional(),
  LOG_LEVEL: envSchemas.logLevel(),
  METRICS: envSchemas.boolean(true),
  WORKERS: envSchemas.positiveInt(2),
});

describe('loadConfig', () => {
  it('applies defaults and coerces strings', () => {
    expect(loadConfig(schema, { PORT: '9000', METRICS: 'no' }, 'central')).toEqual({
      PORT: 9000,
      LOG_LEVEL: 'info',
      METRICS: false,
      WORKERS: 2,
    });
  });

  it('reports every problem at once, naming each variable', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { PORT: '99999', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', WORKERS: '-1' }, 'central');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect(error.code).toBe('CONFIG_INVALID');
    const variables = (error.details?.issues as { variable: string }[]).map((i) => i.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'WORKERS']);
    expect(error.message).toContain('4 problems');
    expect(error.message).toContain('PORT');
  });

  it('never echoes a secret value in the error', () => {
    const secretSchema = z.object({ DATABASE_URL: envSchemas.postgresUrl() });
    const secret = 'mysql://admin:hunter2@db';
    try {
      loadConfig(secretSchema, { DATABASE_URL: secret }, 'central');
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify((error as AppError).details)).not.toContain('hunter2');
      expect((error as AppError).message).not.toContain('hunter2');
    }
  });
});

describe('loadConfig with empty variables', () => {
  it('treats FOO= as unset', () => {
    expect(loadConfig(schema, { DATABASE_URL: '', PORT: '' }, 'central')).toEqual({ PORT: 8000, LOG_LEVEL: 'info', METRICS: true, WORKERS: 2 });
  });
});
