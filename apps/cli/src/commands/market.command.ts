import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { loadMarket, type Market } from '@cloudoptim/market';
import { loadCliConfig } from '../cli-config.ts';
import { printJson, printTable, type CliIo } from '../io.ts';
import { withProgress } from '../progress.ts';
import { offerView, round6, sparkline, spotAdvisorView, advisorSpotEstimate, summariseSteps } from './market-views.ts';

const DAY_MS = 86_400_000;
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as us-east-1');
const instanceType = z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'expected an instance type such as m5.large');
const nonNegative = (what: string) => z.coerce.number({ message: `${what} must be a number` }).nonnegative(`${what} must be ≥ 0`).finite();
const time = z
  .string()
  .transform((text, ctx) => {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a date (use YYYY-MM-DD or ISO 8601)` });
    return ms;
  });

const TypesOptionsSchema = z.object({
  region,
  vcpu: nonNegative('--vcpu').optional(),
  maxVcpu: nonNegative('--max-vcpu').optional(),
  memory: nonNegative('--memory').optional(),
  maxMemory: nonNegative('--max-memory').optional(),
  arch: z.enum(['x86_64', 'arm64', 'amd64']).transform((a) => (a === 'amd64' ? 'x86_64' : a)).optional(),
  gpus: z.coerce.number().int().nonnegative().optional(),
  spot: z.boolean().optional(),
  family: z.string().transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean)).optional(),
  limit: z.coerce.number().int().nonnegative().default(20),
  json: z.boolean().optional(),
});

const PriceOptionsSchema = z.object({ region, type: instanceType, json: z.boolean().optional() });

const HistoryOptionsSchema = z
  .object({
    region,
    type: instanceType,
    az: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'expected an availability zone such as us-east-1a').optional(),
    from: time.optional(),
    to: time.optional(),
    json: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.az && !o.az.startsWith(o.region)) ctx.addIssue({ code: 'custom', path: ['az'], message: `${o.az} is not in ${o.region}` });
    if (o.from !== undefined && o.to !== undefined && o.from >= o.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '--to must be after --from' });
  });

function openMarket(io: CliIo): Market {
  const config = loadCliConfig(io.env, io.cwd);
  return loadMarket(config.marketDataDir ? { dataDir: config.marketDataDir } : {});
}

export function registerMarketCommands(program: Command, io: CliIo): void {
  const market = program.command('market').description('query the AWS market data: instance types, prices, Spot Advisor, spot price history');

  market
    .command('types')
    .description('instance types that fit a requirement in a region, cheapest on-demand first')
    .requiredOption('--region <region>', 'AWS region, e.g. us-east-1')
    .option('--vcpu <n>', 'at least this many vCPUs')
    .option('--max-vcpu <n>', 'at most this many vCPUs')
    .option('--memory <GiB>', 'at least this much memory, GiB')
    .option('--max-memory <GiB>', 'at most this much memory, GiB')
    .option('--arch <arch>', 'x86_64 (or amd64) | arm64')
    .option('--gpus <n>', 'at least this many GPUs (GPU types are left out unless asked for)')
    .option('--spot', 'only types Spot Advisor lists in the region')
    .option('--family <list>', 'only these families, comma-separated (m5,c6g)')
    .option('--limit <n>', 'show at most n types (0 = all)', '20')
    .option('--json', 'print JSON')
    .action((raw: unknown) => {
      const o = parseOrThrow(TypesOptionsSchema, raw, 'market types options');
      const m = openMarket(io);
      m.assertRegion(o.region);
      const offers = m.findInstanceTypes({
        region: o.region,
        minVcpu: o.vcpu,
        maxVcpu: o.maxVcpu,
        minMemoryGib: o.memory,
        maxMemoryGib: o.maxMemory,
        architecture: o.arch,
        minGpus: o.gpus,
        spotOnly: o.spot,
        families: o.family,
      });
      const shown = o.limit > 0 ? offers.slice(0, o.limit) : offers;
      if (o.json) {
        printJson(io, { region: o.region, total_matches: offers.length, instance_types: shown.map(offerView) });
        return;
      }
      if (!shown.length) {
        io.stdout(`No instance type in ${o.region} fits that requirement.\n`);
        return;
      }
      printTable(
        io,
        ['TYPE', 'VCPU', 'MEM GiB', 'ARCH', 'ON-DEMAND $/h', 'SPOT EST $/h', 'INTERRUPT', 'SAVE'],
        shown.map((offer) => {
          const v = offerView(offer);
          return [v.instance_type, v.vcpu ?? '-', v.memory_gib ?? '-', v.architecture ?? '-', v.on_demand_usd_hour, v.spot_estimate_usd_hour ?? '-', v.spot_advisor?.interruption_label ?? '-', v.spot_advisor ? `${v.spot_advisor.savings_pct}%` : '-'];
        }),
      );
      io.stdout(`${shown.length} of ${offers.length} matching types. Spot estimate = on-demand × (1 − Spot Advisor savings).\n`);
    });

  market
    .command('price')
    .description('on-demand price and Spot Advisor data of one instance type in a region')
    .requiredOption('--region <region>', 'AWS region, e.g. us-east-1')
    .requiredOption('--type <type>', 'instance type, e.g. m5.large')
    .option('--json', 'print JSON')
    .action((raw: unknown) => {
      const o = parseOrThrow(PriceOptionsSchema, raw, 'market price options');
      const m = openMarket(io);
      m.assertRegion(o.region);
      const t = m.requireInstanceType(o.type);
      const onDemand = m.onDemandPrice(o.region, o.type);
      if (!onDemand) throw new AppError('UNKNOWN_INSTANCE_TYPE', `${o.type} has no on-demand price in ${o.region}`, { region: o.region, instance_type: o.type });
      const advisor = m.spotAdvisor(o.region, o.type);
      const view = {
        region: o.region,
        instance_type: o.type,
        vcpu: t.vcpu,
        memory_gib: t.memoryGib,
        architecture: t.architecture,
        on_demand_usd_hour: onDemand.usdPerHour,
        on_demand_source: onDemand.source,
        on_demand_source_date: onDemand.sourceDate,
        spot_advisor: spotAdvisorView(advisor),
        spot_estimate_usd_hour: advisorSpotEstimate(onDemand, advisor),
      };
      if (o.json) return printJson(io, view);
      io.stdout(
        [
          `${o.type} in ${o.region}: ${t.vcpu ?? '?'} vCPU, ${t.memoryGib ?? '?'} GiB, ${t.architecture ?? '?'}`,
          `  on-demand   $${view.on_demand_usd_hour}/h  (${onDemand.source}, ${onDemand.sourceDate})`,
          view.spot_advisor
            ? `  spot        interruption ${view.spot_advisor.interruption_label}, saves ${view.spot_advisor.savings_pct}% → ~$${view.spot_estimate_usd_hour}/h  (Spot Advisor ${view.spot_advisor.snapshot_date})`
            : '  spot        not listed by Spot Advisor in this region',
          '',
        ].join('\n'),
      );
    });

  market
    .command('spot-history')
    .description('per-AZ spot price steps of an instance type (a price holds until the next step)')
    .requiredOption('--region <region>', 'AWS region, e.g. us-east-1')
    .requiredOption('--type <type>', 'instance type, e.g. m5.large')
    .option('--az <zone>', 'one availability zone, e.g. us-east-1a')
    .option('--from <date>', 'start (YYYY-MM-DD or ISO 8601; default: 7 days before --to)')
    .option('--to <date>', 'end (default: the last record of the region)')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(HistoryOptionsSchema, raw, 'market spot-history options');
      const m = openMarket(io);
      m.assertRegion(o.region);
      m.requireInstanceType(o.type);
      const history = await withProgress(io, 'loading spot price history', (onProgress) => m.spotPriceHistory({ onProgress }));
      const coverage = history.coverage().find((c) => c.region === o.region);
      if (!coverage) {
        const have = history.coverage().map((c) => `${c.region} (${c.first.slice(0, 10)} … ${c.last.slice(0, 10)})`);
        throw new AppError('NO_DATA', `no spot price history for ${o.region}; the data covers ${have.join(', ')}`, { region: o.region, coverage: have });
      }
      const toMs = o.to ?? coverage.lastMs;
      const fromMs = o.from ?? toMs - 7 * DAY_MS;
      const series = o.az
        ? [{ availabilityZone: o.az, steps: history.series(o.az, o.type, fromMs, toMs) }].filter((s) => s.steps.length)
        : history.regionSeries(o.region, o.type, fromMs, toMs);
      if (!series.length) {
        throw new AppError('NO_DATA', `no spot price history for ${o.type} in ${o.az ?? o.region} between ${iso(fromMs)} and ${iso(toMs)} (data for ${o.region}: ${coverage.first} … ${coverage.last})`, {
          region: o.region,
          instance_type: o.type,
          availability_zone: o.az ?? null,
        });
      }
      if (o.json) {
        return printJson(io, {
          region: o.region,
          instance_type: o.type,
          from: iso(fromMs),
          to: iso(toMs),
          series: series.map((s) => ({
            availability_zone: s.availabilityZone,
            steps: s.steps.map((step) => ({ timestamp: iso(step.timeMs), usd_per_hour: step.usdPerHour })),
          })),
        });
      }
      io.stdout(`${o.type} spot price in ${o.region}, ${iso(fromMs)} … ${iso(toMs)} (USD/h, time-weighted)\n`);
      printTable(
        io,
        ['AZ', 'STEPS', 'MIN', 'MEAN', 'MAX', 'LAST', 'TREND'],
        series.map((s) => {
          const stats = summariseSteps(s.steps, fromMs, toMs);
          return [s.availabilityZone, s.steps.length, round6(stats.min), round6(stats.mean), round6(stats.max), s.steps.at(-1)?.usdPerHour ?? '-', sparkline(s.steps, fromMs, toMs)];
        }),
      );
    });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
