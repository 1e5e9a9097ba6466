import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_PROGRAMS, CONFIGURATION_DOC, generatedSection, REFERENCE_END, REFERENCE_START, renderReference, variablesOf, withGeneratedSection } from './config-reference.ts';
import { envReadsIn, productSources } from './source-scan.ts';

const doc = readFileSync(CONFIGURATION_DOC, 'utf8');

describe('the generated configuration reference', () => {
  it('is what docs/configuration.md holds between its markers (run `npm run docs:config` after changing a config schema)', () => {
    expect(generatedSection(doc)).toBe(renderReference());
  });

  it('has a row, with a description, for every variable of every config schema', () => {
    const section = generatedSection(doc);
    for (const program of CONFIG_PROGRAMS) {
      const table = section.slice(section.indexOf(`### ${program.title}`)).split('\n### ')[0] as string;
      for (const name of Object.keys(program.schema.shape)) expect(table, `${program.source}: ${name}`).toMatch(new RegExp(`^\\| \`${name}\` \\| [^|]+ \\| \\S`, 'm'));
    }
  });

  it('shows defaults as written in the environment, required variables, and enum values', () => {
    const schema = z.object({
      A: z.string().describe('needed'),
      B: z.enum(['on', 'off']).default('on').describe('switch'),
      C: z.coerce.number().default(5).describe('count'),
      D: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').describe('flag'),
      E: z.string().optional().describe('maybe'),
    });
    expect(variablesOf(schema)).toEqual([
      { name: 'A', required: true, defaultValue: undefined, meaning: 'needed' },
      { name: 'B', required: false, defaultValue: 'on', meaning: 'switch One of `on` `off`.' },
      { name: 'C', required: false, defaultValue: '5', meaning: 'count' },
      { name: 'D', required: false, defaultValue: 'true', meaning: 'flag One of `true` `false`.' },
      { name: 'E', required: false, defaultValue: undefined, meaning: 'maybe' },
    ]);
    expect(() => variablesOf(z.object({ UNDOCUMENTED: z.string() }))).toThrow(/UNDOCUMENTED has no \.describe/);
  });

  it('replaces only the text between the markers', () => {
    const before = `# Title\nhand-written\n${REFERENCE_START}\nold table\n${REFERENCE_END}\nafter\n`;
    expect(withGeneratedSection(before, 'new table')).toBe(`# Title\nhand-written\n${REFERENCE_START}\nnew table\n${REFERENCE_END}\nafter\n`);
    expect(() => withGeneratedSection('# no markers', 'x')).toThrow(/markers/);
  });
});

describe('every environment variable the product reads', () => {
  const sources = productSources(['apps/*/src', 'apps/*/bin', 'packages/*/src']);

  it('is found by the scanner in its usual forms', () => {
    const sample = "const a = process.env.ONE; env['TWO']; io.env[\"THREE\"]; const { FOUR, FIVE: five } = process.env; obj.envelope.SIX;";
    expect([...envReadsIn(sample)].sort()).toEqual(['FIVE', 'FOUR', 'ONE', 'THREE', 'TWO']);
    expect(sources.some((s) => s.path === 'apps/cli/src/commands/agent.command.ts' && envReadsIn(s.text).has('KUBECONFIG'))).toBe(true);
  });

  it('appears in docs/configuration.md', () => {
    const documented = new Set([...doc.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string));
    const missing = sources.flatMap((s) => [...envReadsIn(s.text)].filter((name) => !documented.has(name)).map((name) => `${name} (${s.path})`));
    expect(missing).toEqual([]);
  });
});
