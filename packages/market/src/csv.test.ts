import { isAppError } from '@cloudoptim/contracts';
import { describe, expect, it } from 'vitest';
import { CsvReader, parseDecimal, parseIsoDate, parseIsoTimestamp } from './csv.ts';

describe('field parsers', () => {
  it('parses timestamps and rejects impossible ones', () => {
    expect(parseIsoTimestamp('2021-03-02T10:11:12Z')).toBe(Date.parse('2021-03-02T10:11:12Z'));
    expect(parseIsoTimestamp('2020-02-29T00:00:00.500Z')).toBe(Date.parse('2020-02-29T00:00:00.500Z'));
    for (const bad of ['2021-02-29T00:00:00Z', '2021-13-01T00:00:00Z', '2021-01-01T24:00:00Z', '2021-01-01 00:00:00Z', '2021-01-01T00:00:00', 'x']) {
      expect(parseIsoTimestamp(bad), bad).toBeNaN();
    }
    expect(parseIsoDate('2024-02-28')).toBe(Date.UTC(2024, 1, 28));
    expect(parseIsoDate('2024-02-30')).toBeNaN();
  });

  it('parses plain decimals only', () => {
    expect(parseDecimal('0.0375')).toBe(0.0375);
    expect(parseDecimal('-62')).toBe(-62);
    expect(parseDecimal('1.6705536E7')).toBe(16705536);
    for (const bad of ['', ' 1', '0x10', 'Infinity', 'abc', '1,5']) expect(parseDecimal(bad), bad).toBeNaN();
  });
});

describe('CsvReader', () => {
  it('reads rows with quotes and CRLF, counts lines from 1 = header', () => {
    const r = new CsvReader('t.csv', 'a,b\r\n1,"x,""y"""\r\n2,z\r\n', ['a', 'b']);
    expect(r.countRows()).toBe(2);
    expect(r.next()).toEqual(['1', 'x,"y"']);
    expect(r.line).toBe(2);
    expect(r.next()).toEqual(['2', 'z']);
    expect(r.next()).toBeUndefined();
  });

  it('rejects a wrong header and a short row', () => {
    try {
      new CsvReader('t.csv', 'a,c\n1,2\n', ['a', 'b']);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.details).toMatchObject({ file: 't.csv', row: 1, field: 'b' });
    }
    const r = new CsvReader('t.csv', 'a,b\n1,2\n3\n', ['a', 'b']);
    r.next();
    expect(() => r.next()).toThrow(/t\.csv: line 3: expected 2 columns/);
  });
});
