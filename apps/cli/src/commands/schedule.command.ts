import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { matchTimeSpec, parseTimeSpec, planOfficeHours, specTransitions } from '@cloudoptim/engines';
import { printJson, printTable, type CliIo } from '../io.ts';

const DAY_MS = 86_400_000;

/** An instant with an explicit offset: a bare local time would silently take the machine's zone. */
const instant = (flag: string) =>
  z.string().transform((text, ctx) => {
    const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text.trim());
    const ms = ok ? Date.parse(text.trim()) : Number.NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `${flag} "${text}" is not an ISO 8601 time with an offset (e.g. 2024-03-29T18:30:00+01:00 or 2024-03-29T17:30:00Z)` });
      return z.NEVER;
    }
    return ms;
  });

const CheckOptionsSchema = z.object({ spec: z.string(), at: instant('--at'), json: z.boolean().optional() });
const NextOptionsSchema = z.object({
  spec: z.string(),
  from: instant('--from'),
  days: z.coerce.number({ message: '--days must be a number' }).positive('--days must be > 0').max(366, '--days must be ≤ 366').default(7),
  limit: z.coerce.number().int().positive('--limit must be ≥ 1').default(20),
  json: z.boolean().optional(),
});
const PlanOptionsSchema = z.object({
  file: z.string().min(1),
  horizonDays: z.coerce.number().int().min(1).max(31).default(7),
  json: z.boolean().optional(),
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `cloudoptim schedule`: kube-downscaler time specs (check an instant, list the next transitions) and the
 * office-hours plan of a cluster snapshot.
 */
export function registerScheduleCommand(program: Command, io: CliIo): void {
  const schedule = program.command('schedule').description('office hours: check kube-downscaler time specs, list transitions, plan scale-down/up with savings');

  schedule
    .command('check')
    .description('does a time spec match an instant? (exit 0 either way; a malformed spec exits 2)')
    .requiredOption('--spec <spec>', 'time spec, e.g. "Mon-Fri 08:00-19:00 Europe/Berlin", an ISO range, always, never')
    .requiredOption('--at <time>', 'ISO 8601 time with an offset, e.g. 2024-03-29T18:30:00+01:00')
    .option('--json', 'print JSON')
    .action((raw: unknown) => {
      const o = parseOrThrow(CheckOptionsSchema, raw, 'schedule check options');
      const spec = parseTimeSpec(o.spec);
      const match = matchTimeSpec(spec, o.at);
      const warnings = spec.warnings.map((w) => w.message);
      if (o.json) {
        printJson(io, { matches: match.matches, spec: spec.text, at: iso(o.at), matched_part: match.matchedPart, warnings });
        return;
      }
      io.stdout(match.matches ? `${iso(o.at)} is inside "${spec.text}"${match.matchedPart && match.matchedPart !== spec.text ? ` (matched by "${match.matchedPart}")` : ''}.\n` : `${iso(o.at)} is outside "${spec.text}".\n`);
      for (const w of warnings) io.stdout(`warning: ${w}\n`);
    });

  schedule
    .command('next')
    .description('the next times a time spec starts or stops matching')
    .requiredOption('--spec <spec>', 'time spec')
    .requiredOption('--from <time>', 'ISO 8601 time with an offset')
    .option('--days <n>', 'how far ahead to look, days', '7')
    .option('--limit <n>', 'at most this many transitions', '20')
    .option('--json', 'print JSON')
    .action((raw: unknown) => {
      const o = parseOrThrow(NextOptionsSchema, raw, 'schedule next options');
      const spec = parseTimeSpec(o.spec);
      const toMs = o.from + o.days * DAY_MS;
      const initially = matchTimeSpec(spec, o.from).matches;
      const transitions = specTransitions(spec, o.from, toMs, o.limit).map((x) => ({ at: iso(x.atMs), matches: x.matches, change: x.matches ? 'starts' : 'ends' }));
      if (o.json) {
        printJson(io, { spec: spec.text, from: iso(o.from), to: iso(toMs), matches_at_from: initially, transitions, warnings: spec.warnings.map((w) => w.message) });
        return;
      }
      io.stdout(`"${spec.text}" ${initially ? 'matches' : 'does not match'} at ${iso(o.from)}.\n`);
      if (!transitions.length) {
        io.stdout(`No change in the next ${o.days} day(s).\n`);
        return;
      }
      printTable(io, ['AT (UTC)', 'CHANGE'], transitions.map((x) => [x.at, x.change]));
    });

  schedule
    .command('plan')
    .description('plan office hours for a snapshot (JSON: {nowMs, workloads, namespaces, defaults}): actions now, transitions, weekly savings')
    .requiredOption('--file <path>', 'JSON file with the plan input')
    .option('--horizon-days <n>', 'days ahead, 1-31', '7')
    .option('--json', 'print JSON')
    .action((raw: unknown) => {
      const o = parseOrThrow(PlanOptionsSchema, raw, 'schedule plan options');
      const file = path.resolve(io.cwd, o.file);
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new AppError('VALIDATION_FAILED', `cannot read ${o.file} as JSON: ${error instanceof Error ? error.message : String(error)}`, { file: o.file });
      }
      const plan = planOfficeHours(input as Parameters<typeof planOfficeHours>[0], { horizonDays: o.horizonDays });
      if (o.json) return printJson(io, plan);
      io.stdout(`${plan.rationale.summary}\n`);
      if (plan.actions.length) printTable(io, ['NOW', 'WORKLOAD', 'REPLICAS', 'REASON'], plan.actions.map((a) => [a.type, `${a.namespace}/${a.name}`, `${a.fromReplicas}→${a.toReplicas}`, a.reason]));
      if (plan.transitions.length) {
        io.stdout('\nUpcoming:\n');
        printTable(io, ['AT (UTC)', 'ACTION', 'WORKLOAD', 'REPLICAS'], plan.transitions.map((x) => [x.at, x.type, `${x.namespace}/${x.name}`, `${x.fromReplicas}→${x.toReplicas}`]));
      }
    });
}
