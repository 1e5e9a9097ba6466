import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { registerScheduleCommand } from './schedule.command.ts';
import { bufferIo } from '../testing/buffer-io.ts';

/** Runs `schedule …` in-process; returns what main() would: exit code 2 for validation errors. */
async function run(...argv: string[]) {
  const io = bufferIo();
  const program = new Command().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerScheduleCommand(program, io);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, out: io.out(), err: io.err(), error: null };
  } catch (error) {
    if (error instanceof CommanderError) return { code: 2, out: io.out(), err: io.err(), error };
    return { code: isAppError(error) && error.code === 'VALIDATION_FAILED' ? 2 : 1, out: io.out(), err: io.err(), error };
  }
}

describe('cloudoptim schedule check', () => {
  it.each([
    ['Mon-Fri 08:00-19:00 Europe/Berlin', '2024-03-29T18:30:00+01:00', true, 'Mon-Fri 08:00-19:00 Europe/Berlin'],
    ['Mon-Fri 08:00-19:00 Europe/Berlin', '2024-03-29T18:00:00Z', false, null],
    ['Sat-Sun 00:00-24:00 UTC, Mon-Fri 08:00-19:00 Europe/Berlin', '2024-03-30T12:00:00Z', true, 'Sat-Sun 00:00-24:00 UTC'],
    ['2019-04-01T08:00:00+02:00-2019-04-01T19:00:00+02:00', '2019-04-01T17:00:00Z', true, '2019-04-01T08:00:00+02:00-2019-04-01T19:00:00+02:00'],
    ['always', '2024-01-01T00:00:00Z', true, 'always'],
    ['never', '2024-01-01T00:00:00Z', false, null],
  ])('--spec %j --at %s → %s', async (spec, at, matches, part) => {
    const { code, out } = await run('schedule', 'check', '--spec', spec, '--at', at, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toEqual({ matches, spec, at: new Date(at).toISOString(), matched_part: part, warnings: [] });
  });

  it('prints a sentence without --json', async () => {
    const { out } = await run('schedule', 'check', '--spec', 'Mon-Fri 08:00-19:00 Europe/Berlin', '--at', '2024-03-29T20:00:00+01:00');
    expect(out).toBe('2024-03-29T19:00:00.000Z is outside "Mon-Fri 08:00-19:00 Europe/Berlin".\n');
  });

  it('a malformed spec or an unknown timezone is a VALIDATION_FAILED error with the position (exit 2)', async () => {
    for (const [spec, position] of [
      ['Mon-Fri 8:00-19:00 Europe/Berlin', 8],
      ['Mon-Fri 08:00-19:00 Europe/Berlim', 20],
      ['Mon-Fry 08:00-19:00 UTC', 4],
    ] as const) {
      const { code, out, error } = await run('schedule', 'check', '--spec', spec, '--at', '2024-03-29T18:30:00Z', '--json');
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(isAppError(error) && error.details).toMatchObject({ spec, position });
      expect((error as Error).message).toMatch(new RegExp(`at position ${position}: .*expected`));
    }
  });

  it('rejects a time without an offset', async () => {
    const { code, error } = await run('schedule', 'check', '--spec', 'always', '--at', '2024-03-29T18:30:00', '--json');
    expect(code).toBe(2);
    expect((error as Error).message).toMatch(/--at .* with an offset/);
  });
});

describe('cloudoptim schedule next', () => {
  it('lists the transitions across the Berlin DST change', async () => {
    const { code, out } = await run('schedule', 'next', '--spec', 'Mon-Fri 08:00-19:00 Europe/Berlin', '--from', '2024-03-29T12:00:00Z', '--days', '3.5', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      matches_at_from: true,
      transitions: [
        { at: '2024-03-29T18:00:00.000Z', change: 'ends' },
        { at: '2024-04-01T06:00:00.000Z', change: 'starts' },
        { at: '2024-04-01T17:00:00.000Z', change: 'ends' },
      ],
    });
  });
});

describe('cloudoptim schedule plan', () => {
  it('plans from a JSON file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schedule-plan-'));
    const file = path.join(dir, 'input.json');
    writeFileSync(
      file,
      JSON.stringify({
        nowMs: Date.parse('2024-03-29T19:00:00Z'),
        defaults: { uptime: 'Mon-Fri 08:00-19:00 Europe/Berlin' },
        workloads: [{ namespace: 'dev', name: 'api', kind: 'Deployment', replicas: 3, costUsdPerReplicaHour: 0.1, createdAtMs: 0 }],
      }),
    );
    const { code, out } = await run('schedule', 'plan', '--file', file, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.actions).toMatchObject([{ namespace: 'dev', name: 'api', type: 'scale_down', fromReplicas: 3, toReplicas: 0 }]);
    expect(plan.savings.weeklyUsd).toBeGreaterThan(0);
  });
});
