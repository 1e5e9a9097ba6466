import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type AppError, isAppError } from '@cloudoptim/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES, defaultDataDir, loadMarket, loadSpotPriceHistory, loadSpotPriceHistorySync } from './index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp copy of the data directory with `file` replaced by `mutate(original)`. */
function corruptCopy(file: string, mutate: (original: Buffer) => Buffer | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'market-corrupt-'));
  dirs.push(dir);
  for (const f of Object.values(DATA_FILES)) cpSync(join(defaultDataDir(), f), join(dir, f));
  writeFileSync(join(dir, file), mutate(readFileSync(join(dir, file))));
  return dir;
}

/** Rewrites the (gunzipped) lines of a CSV data file. */
function editCsv(edit: (lines: string[]) => string[]) {
  return (gz: Buffer): Buffer => gzipSync(edit(gunzipSync(gz).toString('utf8').split('\n')).join('\n'));
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

async function caughtAsync(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** Replaces column `col` of 1-based line `line`. */
function setField(line: number, col: number, value: string) {
  return (lines: string[]): string[] => {
    const f = (lines[line - 1] as string).split(',');
    f[col] = value;
    lines[line - 1] = f.join(',');
    return lines;
  };
}

describe('corrupt spot-price-history.csv.gz', () => {
  const file = DATA_FILES.spotPriceHistory;

  it('truncated gzip → DATA_CORRUPT naming the file', async () => {
    const dir = corruptCopy(file, (b) => b.subarray(0, Math.floor(b.length / 2)));
    const err = await caughtAsync(loadSpotPriceHistory({ dataDir: dir }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.details).toMatchObject({ file });
    expect(caught(() => loadSpotPriceHistorySync({ dataDir: dir })).code).toBe('DATA_CORRUPT');
  });

  it('non-numeric price in line 12345 → DATA_CORRUPT naming file, line and column', async () => {
    const dir = corruptCopy(file, editCsv(setField(12345, 5, 'abc')));
    const err = await caughtAsync(loadSpotPriceHistory({ dataDir: dir }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toContain('line 12345');
    expect(err.details).toMatchObject({ file, row: 12345, field: 'price_usd_hour', value: 'abc' });
  });

  it('bad date in line 200000 → DATA_CORRUPT with row and field', async () => {
    const dir = corruptCopy(file, editCsv(setField(200_000, 0, '2021-02-30T10:00:00Z')));
    const err = await caughtAsync(loadSpotPriceHistory({ dataDir: dir }));
    expect(err.details).toMatchObject({ file, row: 200_000, field: 'timestamp' });
    expect(err.message).toContain('line 200000');
  });

  it('missing column → DATA_CORRUPT at line 1 naming the column', async () => {
    const dir = corruptCopy(file, editCsv((lines) => lines.map((l) => l.split(',').slice(0, 5).join(','))));
    const err = await caughtAsync(loadSpotPriceHistory({ dataDir: dir }));
    expect(err.details).toMatchObject({ file, row: 1, field: 'price_usd_hour' });
    expect(err.message).toContain('missing column price_usd_hour');
  });

  it('a row with too few columns → DATA_CORRUPT at that line', async () => {
    const dir = corruptCopy(file, editCsv((lines) => ((lines[41] = (lines[41] as string).split(',').slice(0, 4).join(',')), lines)));
    const err = await caughtAsync(loadSpotPriceHistory({ dataDir: dir }));
    expect(err.details).toMatchObject({ file, row: 42 });
    expect(err.message).toMatch(/line 42: expected 6 columns/);
  });
});

describe('corrupt spot-advisor-history.csv.gz (loaded lazily)', () => {
  const file = DATA_FILES.spotAdvisorHistory;

  it('bad bucket in line 777 → DATA_CORRUPT on first history query', () => {
    const dir = corruptCopy(file, editCsv(setField(777, 3, '7')));
    const market = loadMarket({ dataDir: dir, cache: false });
    const err = caught(() => market.spotAdvisorHistory('us-east-1', 'm5.large'));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.details).toMatchObject({ file, row: 777, field: 'interruption_bucket' });
    expect(err.message).toContain(file);
    expect(err.message).toContain('line 777');
  });

  it('truncated gzip → DATA_CORRUPT', () => {
    const dir = corruptCopy(file, (b) => b.subarray(0, b.length - 100));
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }).spotAdvisorHistoryDates());
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.details).toMatchObject({ file });
  });
});

describe('corrupt JSON files', () => {
  it('truncated on-demand-prices.json → DATA_CORRUPT with file and line', () => {
    const file = DATA_FILES.onDemandPrices;
    const dir = corruptCopy(file, (b) => b.subarray(0, 5000));
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/invalid JSON at line \d+/);
    expect(err.details).toMatchObject({ file });
  });

  it('broken JSON syntax mid-file → DATA_CORRUPT with the line of the error', () => {
    const file = DATA_FILES.spotAdvisorLatest;
    const dir = corruptCopy(file, (b) => b.toString('utf8').replace('"us-east-1"', '"us-east-1" "oops"'));
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.details).toHaveProperty('line');
  });

  it('wrong type in instance-types.json → DATA_CORRUPT with the JSON path', () => {
    const file = DATA_FILES.instanceTypes;
    const dir = corruptCopy(file, (b) => {
      const doc = JSON.parse(b.toString('utf8')) as { instance_types: Record<string, unknown>[] };
      (doc.instance_types[5] as Record<string, unknown>).vcpu = 'two';
      return JSON.stringify(doc);
    });
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.message).toContain(`${file}: invalid value at $.instance_types[5].vcpu`);
    expect(err.details).toMatchObject({ file, row: '$.instance_types[5].vcpu', field: 'vcpu' });
  });

  it('missing field in instance-types.json → DATA_CORRUPT with the JSON path', () => {
    const file = DATA_FILES.instanceTypes;
    const dir = corruptCopy(file, (b) => {
      const doc = JSON.parse(b.toString('utf8')) as { instance_types: Record<string, unknown>[] };
      delete (doc.instance_types[9] as Record<string, unknown>).memory_gib;
      return JSON.stringify(doc);
    });
    expect(caught(() => loadMarket({ dataDir: dir, cache: false })).details).toMatchObject({ row: '$.instance_types[9].memory_gib' });
  });

  it('negative / non-numeric price in on-demand-prices-karpenter.json → JSON path with region and type', () => {
    const file = DATA_FILES.onDemandPricesKarpenter;
    const dir = corruptCopy(file, (b) => {
      const doc = JSON.parse(b.toString('utf8')) as { prices: Record<string, Record<string, unknown>> };
      (doc.prices['us-east-1'] as Record<string, unknown>)['m5.large'] = '0.096';
      return JSON.stringify(doc);
    });
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.details).toMatchObject({ file, row: '$.prices["us-east-1"]["m5.large"]' });
  });

  it('missing file → DATA_CORRUPT naming it', () => {
    const dir = corruptCopy(DATA_FILES.instanceTypes, () => '');
    rmSync(join(dir, DATA_FILES.spotAdvisorLatest));
    const err = caught(() => loadMarket({ dataDir: dir, cache: false }));
    expect(err.code).toBe('DATA_CORRUPT');
    expect(err.details).toMatchObject({ file: DATA_FILES.instanceTypes }); // empty file fails first
  });
});
