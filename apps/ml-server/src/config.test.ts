import { describe, expect, it } from 'vitest';
import { AppError } from '@cloudoptim/contracts';
import { loadMlServerConfig } from './config.ts';

describe('loadMlServerConfig', () => {
  it('applies the defaults', () => {
    const c = loadMlServerConfig({ ML_SERVER_API_KEY: 'k'.repeat(16) });
    expect(c).toMatchObject({ PORT: 8001, LOG_LEVEL: 'info', HOST: '0.0.0.0' });
    expect(c.CLOUDOPTIM_MARKET_DATA_DIR).toBeUndefined();
  });

  it('reports every problem at once without echoing values', () => {
    try {
      loadMlServerConfig({ ML_SERVER_API_KEY: 'short-secret', PORT: 'eighty', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const e = error as AppError;
      expect(e.code).toBe('CONFIG_INVALID');
      expect((e.details?.issues as { variable: string }[]).map((i) => i.variable).sort()).toEqual(['LOG_LEVEL', 'ML_SERVER_API_KEY', 'PORT']);
      expect(e.message).not.toContain('short-secret');
    }
  });

  it('requires the service key', () => {
    expect(() => loadMlServerConfig({})).toThrow(/ML_SERVER_API_KEY/);
  });
});
