/**
 * The start-up pass as central's composition root runs it: a channel written in plain text while central had no
 * secrets key is sealed by the next `startCentral` with CLOUDOPTIM_SECRETS_KEY, before anything is served; a start
 * without the key logs the one warning and leaves rows as they are.
 */
import { randomBytes } from 'node:crypto';
import { CustomersRepository, NotificationChannelsRepository } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig, type CentralConfig } from '../config.ts';
import { startCentral } from '../server.ts';
import { secretBoxOf } from './channel-secrets.ts';
import { recordingLogger } from './recording-logger.test-support.ts';

const KEY = randomBytes(32).toString('base64');

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('startCentral seals channel credentials on $name', (target) => {
  let scratch: ScratchDatabase;
  let channelId: string;
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const url = 'https://hooks.example.com/services/LEGACY-T0KEN-99';

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    const db = await scratch.open();
    const customer = await new CustomersRepository(db.db).create({ name: 'Acme', contactEmail: 'billing@acme.example' });
    channelId = (await new NotificationChannelsRepository(db.db).create(customer.id, { name: 'legacy', kind: 'webhook', target: url, secret, events: [] })).id;
    await db.close();
  });
  afterAll(async () => {
    await scratch?.dispose();
  });

  const config = (keys: Partial<CentralConfig>) =>
    defaultCentralConfig({ PORT: 0, HOST: '127.0.0.1', CLOUDOPTIM_WORKERS: 'off', ...(scratch.databaseUrl !== undefined ? { DATABASE_URL: scratch.databaseUrl } : { CLOUDOPTIM_DATA_DIR: scratch.dataDir! }), ...keys });
  const storedRow = async (started: Awaited<ReturnType<typeof startCentral>>) =>
    (await started.ctx.db.query<{ target: string; secret: string }>('SELECT target, secret FROM notification_channels WHERE id = $1', [channelId]))[0]!;

  it('without a key: one warning, the row stays as it is', async () => {
    const lines: string[] = [];
    const started = await startCentral(config({}), { log: recordingLogger(lines) });
    try {
      expect(lines.filter((l) => l.includes('CLOUDOPTIM_SECRETS_KEY is not set'))).toHaveLength(1);
      expect(await storedRow(started)).toEqual({ target: url, secret });
    } finally {
      await started.close();
    }
  });

  it('with a key: the plain-text row is sealed at start', async () => {
    const lines: string[] = [];
    const started = await startCentral(config({ CLOUDOPTIM_SECRETS_KEY: KEY }), { log: recordingLogger(lines) });
    try {
      const row = await storedRow(started);
      expect(row.target).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      expect(JSON.stringify(row)).not.toContain('LEGACY-T0KEN');
      expect(JSON.stringify(row)).not.toContain(secret);
      const box = secretBoxOf({ CLOUDOPTIM_SECRETS_KEY: KEY });
      expect([box.open(row.target), box.open(row.secret)]).toEqual([url, secret]);
      expect(lines.some((l) => l.includes('notification channel credentials are sealed') && l.includes('"sealed":1'))).toBe(true);
      expect(lines.join('\n')).not.toContain('LEGACY-T0KEN');
      expect(lines.join('\n')).not.toContain(KEY);
    } finally {
      await started.close();
    }
  });
});
