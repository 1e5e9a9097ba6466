import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '@cloudoptim/runtime';
import { newToken } from '../auth/tokens.ts';

describe('secret-shaped tokens in log lines', () => {
  const agentKey = newToken('agent').token;
  const session = newToken('session').token;
  const webhookSecret = `whsec_${'A1b2_C3d4-'.repeat(4)}xyz`;

  it('are replaced wherever they are in the finished line', () => {
    const line = JSON.stringify({ url: `/api/v1/client/tasks?api_key=${agentKey}`, err: `invalid input syntax for type uuid: "${session}"`, note: `${webhookSecret},${agentKey}` });
    const scrubbed = scrubSecrets(line);
    for (const secret of [agentKey, session, webhookSecret]) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('api_key=coa_[redacted]');
    expect(scrubbed).toContain('"cos_[redacted]\\"');
    expect(JSON.parse(scrubbed)).toMatchObject({ note: 'whsec_[redacted],coa_[redacted]' });
  });

  it('leave display prefixes and ordinary words alone', () => {
    const text = `key prefix ${agentKey.slice(0, 12)}, the cos_theta column, tacos_are_good`;
    expect(scrubSecrets(text)).toBe(text);
  });

  it('never reach the logger’s output', () => {
    let out = '';
    const destination = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    const log = createLogger({ name: 'central', destination });
    log.info({ url: `/api/v1/admin/clusters/${agentKey}`, nested: { list: [session] } }, `rejected ${agentKey}`);
    expect(out).not.toContain(agentKey);
    expect(out).not.toContain(session);
    expect(JSON.parse(out)).toMatchObject({ url: '/api/v1/admin/clusters/coa_[redacted]', msg: 'rejected coa_[redacted]', nested: { list: ['cos_[redacted]'] } });
  });
});
