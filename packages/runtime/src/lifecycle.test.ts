import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.ts';
import { silentLogger } from './logger.ts';

describe('Lifecycle', () => {
  it('stops components in reverse order, once, even when asked twice', async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(silentLogger);
    lifecycle.onStop('db', () => void stopped.push('db'));
    lifecycle.onStop('http', async () => void stopped.push('http'));
    await Promise.all([lifecycle.shutdown(), lifecycle.shutdown()]);
    expect(stopped).toEqual(['http', 'db']);
  });

  it('goes on past a failing or hanging hook and exits non-zero on a signal', async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(silentLogger, 20);
    lifecycle.onStop('db', () => void stopped.push('db'));
    lifecycle.onStop('hangs', () => new Promise(() => {}));
    lifecycle.onStop('throws', () => {
      throw new Error('nope');
    });
    const signals = new EventEmitter();
    const exited = new Promise<number>((resolve) => lifecycle.handleSignals(signals, resolve));
    signals.emit('SIGTERM');
    expect(await exited).toBe(1);
    expect(stopped).toEqual(['db']);
  });
});
