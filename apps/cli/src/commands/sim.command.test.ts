import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { bufferIo } from '../testing/buffer-io.ts';
import { scaleNodeGroups } from './sim.command.ts';

describe('cloudoptim sim', () => {
  it('prints its endpoints as one JSON line first, runs for --duration of simulated time, and exits 0', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    const io = bufferIo();
    const code = await main(['sim', '--json', '--speed', '600', '--duration', '2', '--state-dir', stateDir, '--seed', '3'], io);
    expect(code).toBe(0);
    const endpoints = JSON.parse(io.out().split('\n')[0]!);
    expect(endpoints).toMatchObject({ region: 'us-east-1', scenario: 'steady', seed: 3, speed: 600, aws_access_key_id: expect.any(String), aws_secret_access_key: expect.any(String) });
    expect(endpoints.kube_api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.sqs_queue_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\d{12}\/cloudoptim-interruptions$/);
    expect(fs.readFileSync(endpoints.kubeconfig, 'utf8')).toContain(endpoints.kube_api_url);
  });

  it('refuses bad options and a region the scenario does not run in', async () => {
    for (const argv of [['--speed', '0'], ['--scenario', 'no-such'], ['--region', 'eu-west-1'], ['--start-nodes', '-3']]) {
      const io = bufferIo();
      expect(await main(['sim', ...argv, '--json'], io)).not.toBe(0);
      expect(JSON.parse(io.err().trim().split('\n').at(-1)!).error.code).toMatch(/VALIDATION_FAILED|NOT_FOUND/);
    }
  });

  it('scales node groups to --start-nodes keeping their mix', () => {
    const groups = [{ count: 2 }, { count: 1 }, { count: 1 }];
    expect(scaleNodeGroups(groups, 8).map((g) => g.count)).toEqual([4, 2, 2]);
    expect(scaleNodeGroups(groups, 3).reduce((s, g) => s + g.count, 0)).toBe(3);
    expect(scaleNodeGroups(groups, 1000).reduce((s, g) => s + g.count, 0)).toBe(1000);
  });
});
