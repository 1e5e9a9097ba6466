import { describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema } from '@cloudoptim/contracts';
import { main } from '../main.ts';
import { bufferIo } from '../testing/buffer-io.ts';

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('cloudoptim market price', () => {
  it('prints the on-demand price and Spot Advisor data of m5.large as clean JSON', async () => {
    const { code, out, err } = await run('market', 'price', '--region', 'us-east-1', '--type', 'm5.large', '--json');
    expect(code).toBe(0);
    expect(err).toBe('');
    const price = JSON.parse(out);
    expect(price).toMatchObject({ region: 'us-east-1', instance_type: 'm5.large', on_demand_usd_hour: 0.096 });
    expect(price.spot_advisor).toEqual({ interruption_bucket: expect.any(Number), interruption_label: expect.any(String), savings_pct: expect.any(Number), snapshot_date: '2025-06-28' });
  });

  it('rejects an unknown region and an unknown type with exit code 2 and an envelope', async () => {
    for (const argv of [
      ['--region', 'eu-mars-1', '--type', 'm5.large'],
      ['--region', 'us-east-1', '--type', 'm5.huge'],
      ['--region', 'nowhere', '--type', 'm5.large'],
    ]) {
      const { code, out, err } = await run('market', 'price', ...argv, '--json');
      expect(code).toBe(2);
      expect(out).toBe('');
      const envelope = ErrorEnvelopeSchema.parse(JSON.parse(err));
      expect(['UNKNOWN_REGION', 'UNKNOWN_INSTANCE_TYPE', 'VALIDATION_FAILED']).toContain(envelope.error.code);
    }
  });
});

describe('cloudoptim market types', () => {
  it('lists m5.large among the 2 vCPU / 8 GiB types in us-east-1, with prices, cheapest first', async () => {
    const { code, out } = await run('market', 'types', '--region', 'us-east-1', '--vcpu', '2', '--memory', '8', '--limit', '0', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    const types = result.instance_types as { instance_type: string; vcpu: number; memory_gib: number; on_demand_usd_hour: number }[];
    expect(types.length).toBe(result.total_matches);
    const m5 = types.find((t) => t.instance_type === 'm5.large');
    expect(m5).toMatchObject({ vcpu: 2, memory_gib: 8, on_demand_usd_hour: 0.096 });
    for (const t of types) {
      expect(t.vcpu).toBeGreaterThanOrEqual(2);
      expect(t.memory_gib).toBeGreaterThanOrEqual(8);
    }
    const prices = types.map((t) => t.on_demand_usd_hour);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('narrows by architecture, bounds and family', async () => {
    const { out } = await run('market', 'types', '--region', 'us-east-1', '--vcpu', '2', '--max-vcpu', '2', '--memory', '8', '--max-memory', '8', '--arch', 'arm64', '--family', 'm6g,m7g', '--json');
    const names = JSON.parse(out).instance_types.map((t: { instance_type: string }) => t.instance_type);
    expect(names.sort()).toEqual(['m6g.large', 'm7g.large']);
  });

  it('reports a negative vCPU with the bad field and exit code 2', async () => {
    const { code, err } = await run('market', 'types', '--region', 'us-east-1', '--vcpu', '-2', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(err).error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'vcpu' }] } });
  });

  it('prints a table for people', async () => {
    const { code, out } = await run('market', 'types', '--region', 'us-east-1', '--vcpu', '2', '--memory', '8', '--limit', '3');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^TYPE\s+VCPU\s+MEM GiB/);
    expect(out).toMatch(/3 of \d+ matching types/);
  });
});

describe('cloudoptim market spot-history', () => {
  it('returns the price steps of one AZ in range, holding the step in force at --from', async () => {
    const { code, out } = await run('market', 'spot-history', '--region', 'us-east-1', '--type', 'm5.large', '--az', 'us-east-1a', '--from', '2021-05-01', '--to', '2021-05-03', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.series).toHaveLength(1);
    const steps = result.series[0].steps as { timestamp: string; usd_per_hour: number }[];
    expect(steps.length).toBeGreaterThan(1);
    expect(Date.parse(steps[0]!.timestamp)).toBeLessThanOrEqual(Date.parse('2021-05-01T00:00:00Z'));
    for (const step of steps) {
      expect(step.usd_per_hour).toBeGreaterThanOrEqual(0.0375);
      expect(step.usd_per_hour).toBeLessThanOrEqual(0.0443);
      expect(Date.parse(step.timestamp)).toBeLessThan(Date.parse('2021-05-03T00:00:00Z'));
    }
  });

  it('says which data exists when a region has none, and rejects bad ranges', async () => {
    const none = await run('market', 'spot-history', '--region', 'eu-west-1', '--type', 'm5.large', '--json');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.err).error.code).toBe('NO_DATA');
    expect(JSON.parse(none.err).error.message).toContain('us-east-1');
    const backwards = await run('market', 'spot-history', '--region', 'us-east-1', '--type', 'm5.large', '--from', '2021-05-03', '--to', '2021-05-01', '--json');
    expect(backwards.code).toBe(2);
    expect(JSON.parse(backwards.err).error.details.issues[0].path).toBe('to');
    const wrongZone = await run('market', 'spot-history', '--region', 'us-east-1', '--type', 'm5.large', '--az', 'sa-east-1a');
    expect(wrongZone.code).toBe(2);
    expect(wrongZone.err).toContain('sa-east-1a is not in us-east-1');
  });
});

describe('sparkline', () => {
  it('draws a flat line for a constant series, even with float noise', async () => {
    const { sparkline } = await import('./market-views.ts');
    const steps = [0, 1, 2, 3].map((d) => ({ timeMs: d * 1000, usdPerHour: 73 + (d % 2) * 1e-12 }));
    expect(sparkline(steps, 0, 4000, 8)).toBe('▁▁▁▁▁▁▁▁');
    const rising = [0, 1, 2, 3].map((d) => ({ timeMs: d * 1000, usdPerHour: d }));
    expect(sparkline(rising, 0, 4000, 4)).toBe('▁▃▆█');
  });
});
