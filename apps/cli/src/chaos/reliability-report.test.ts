import { describe, expect, it } from 'vitest';
import { markdownTable, readReliabilityKnobs, renderSectionBlock, replaceSectionBlock, type SectionResult } from './reliability-report.ts';

const ORDER = ['chaos', 'fuzz-http', 'fuzz-eventbridge'];
const measured = { at: new Date('2026-11-26T18:40:12Z'), realSeconds: 171, machine: 'linux-x64, Node v20.20.2, 2 cores' };

function result(over: Partial<SectionResult> = {}): SectionResult {
  return { title: 'Chaos scenarios over seeds', parameters: 'RELIABILITY_RUNS=3 (seeds 1–3)', columns: ['scenario', 'runs', 'failures'], rows: [['kube-api-500-429', 3, 0]], summary: 'Pass rate 15 / 15.', ok: true, results: {}, ...over };
}

const block = (name: string, text: string) => `<!-- reliability:${name}:begin -->\n${text}\n<!-- reliability:${name}:end -->`;

const doc = (inner: string) => `# Benchmarks\n\n## Reliability\n\nProse before.\n\n<!-- reliability:begin -->\n${inner}\n<!-- reliability:end -->\n\nProse after.\n\n## Next section\n`;

describe('renderSectionBlock', () => {
  it('says when and with what it was measured, then the table and the summary, between its markers', () => {
    expect(renderSectionBlock('chaos', result(), measured)).toBe(
      [
        '<!-- reliability:chaos:begin -->',
        '### Chaos scenarios over seeds',
        '',
        'Measured 2026-11-26 18:40 UTC on linux-x64, Node v20.20.2, 2 cores: RELIABILITY_RUNS=3 (seeds 1–3); 171 s of real time. Every invariant held.',
        '',
        '| scenario | runs | failures |',
        '|---|---|---|',
        '| kube-api-500-429 | 3 | 0 |',
        '',
        'Pass rate 15 / 15.',
        '<!-- reliability:chaos:end -->',
      ].join('\n'),
    );
  });

  it('flags a section whose invariants broke', () => {
    expect(renderSectionBlock('chaos', result({ ok: false }), measured)).toContain('**Invariants broken**');
  });
});

describe('markdownTable', () => {
  it('keeps each row on one line and escapes pipes', () => {
    expect(markdownTable(['a', 'b'], [['x | y', 'line\nbreak']])).toBe('| a | b |\n|---|---|\n| x \\| y | line break |');
  });
});

describe('replaceSectionBlock', () => {
  it("replaces only the section's own block, leaving the others and the prose as they were", () => {
    const before = doc(`${block('chaos', 'old chaos')}\n\n${block('fuzz-http', 'old http')}`);
    const after = replaceSectionBlock(before, 'fuzz-http', block('fuzz-http', 'new http'), ORDER);
    expect(after).toBe(doc(`${block('chaos', 'old chaos')}\n\n${block('fuzz-http', 'new http')}`));
  });

  it('puts a section measured for the first time in its place in the order', () => {
    const before = doc(`${block('chaos', 'chaos')}\n\n${block('fuzz-eventbridge', 'eb')}`);
    expect(replaceSectionBlock(before, 'fuzz-http', block('fuzz-http', 'http'), ORDER)).toBe(doc(`${block('chaos', 'chaos')}\n\n${block('fuzz-http', 'http')}\n\n${block('fuzz-eventbridge', 'eb')}`));
    // Last in the order, or unknown to it (a section added later): at the end of the reliability block.
    expect(replaceSectionBlock(before, 'replica-failover', block('replica-failover', 'rf'), ORDER)).toBe(doc(`${block('chaos', 'chaos')}\n\n${block('fuzz-eventbridge', 'eb')}\n\n${block('replica-failover', 'rf')}`));
  });

  it('fills an empty reliability block', () => {
    const filled = replaceSectionBlock('a\n<!-- reliability:begin -->\n<!-- reliability:end -->\nb\n', 'chaos', block('chaos', 'c'), ORDER);
    expect(filled).toBe(`a\n<!-- reliability:begin -->\n${block('chaos', 'c')}\n<!-- reliability:end -->\nb\n`);
    // Idempotent from there on.
    expect(replaceSectionBlock(filled, 'chaos', block('chaos', 'c'), ORDER)).toBe(filled);
  });

  it('refuses a file whose markers are missing, doubled or reversed instead of rewriting it wrongly', () => {
    expect(() => replaceSectionBlock('# no markers\n', 'chaos', block('chaos', 'c'), ORDER)).toThrow(/no <!-- reliability:begin -->/);
    expect(() => replaceSectionBlock(doc(`${block('chaos', 'a')}\n${block('chaos', 'b')}`), 'chaos', block('chaos', 'c'), ORDER)).toThrow(/expected one/);
    expect(() => replaceSectionBlock(doc('<!-- reliability:chaos:begin -->\nhalf'), 'chaos', block('chaos', 'c'), ORDER)).toThrow(/expected one/);
    expect(() => replaceSectionBlock('<!-- reliability:end -->\n<!-- reliability:begin -->', 'chaos', block('chaos', 'c'), ORDER)).toThrow(/comes before/);
  });

  it('does not mistake a section whose name starts like another for it', () => {
    const before = doc(block('fuzz-http-long', 'other'));
    expect(replaceSectionBlock(before, 'fuzz-http', block('fuzz-http', 'http'), [...ORDER, 'fuzz-http-long'])).toBe(doc(`${block('fuzz-http', 'http')}\n\n${block('fuzz-http-long', 'other')}`));
  });
});

describe('readReliabilityKnobs', () => {
  it('has defaults, and a random fuzz seed unless one is given', () => {
    expect(readReliabilityKnobs({}, ORDER, 4242)).toEqual({ runs: 5, firstSeed: 1, fuzzRuns: 500, fuzzSeed: 4242, sections: ORDER, loadAgents: 200, loadSeconds: 180, pgDownSeconds: 5, processKillRuns: 2, databaseUrl: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(() => readReliabilityKnobs({ RELIABILITY_LOAD_SECONDS: '30' }, ORDER, 1)).toThrow(/RELIABILITY_LOAD_SECONDS must be at least 90/);
    expect(readReliabilityKnobs({ RELIABILITY_RUNS: '3', FUZZ_RUNS: '200', FUZZ_SEED: '7' }, ORDER, 4242)).toMatchObject({ runs: 3, fuzzRuns: 200, fuzzSeed: 7 });
  });

  it('runs the sections asked for, in the order of the list', () => {
    expect(readReliabilityKnobs({ RELIABILITY_SECTIONS: 'fuzz-eventbridge, chaos' }, ORDER, 1).sections).toEqual(['chaos', 'fuzz-eventbridge']);
  });

  it('reports every bad value at once', () => {
    expect(() => readReliabilityKnobs({ RELIABILITY_RUNS: '0', FUZZ_RUNS: 'many', RELIABILITY_SECTIONS: 'chaos,replicas' }, ORDER, 1)).toThrow(
      'reliability benchmark: RELIABILITY_RUNS must be a positive integer, got "0"; FUZZ_RUNS must be a positive integer, got "many"; RELIABILITY_SECTIONS names replicas; the sections are chaos, fuzz-http, fuzz-eventbridge',
    );
  });
});
