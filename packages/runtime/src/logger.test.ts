import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with object first, message second, and child bindings', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'central', destination }).child({ request_id: 'r-1' });
    log.info({ taskId: 't-1' }, 'drained');
    expect(lines[0]).toMatchObject({ name: 'central', level: 'info', request_id: 'r-1', taskId: 't-1', msg: 'drained' });
  });

  it('redacts secrets at the top level and nested', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'agent', destination });
    log.warn({ apiKey: 'co_live_abc', config: { password: 'hunter2', databaseUrl: 'postgres://u:p@h/db' }, req: { headers: { authorization: 'Bearer x' } } }, 'boot');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['co_live_abc', 'hunter2', 'postgres://u:p@h/db', 'Bearer x']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('respects the level', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'x', level: 'warn', destination });
    log.info({}, 'hidden');
    log.error({}, 'shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
