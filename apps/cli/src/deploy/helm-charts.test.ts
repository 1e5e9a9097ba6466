/**
 * The Helm charts, checked by their text (no helm binary here, and no YAML parser among the dependencies):
 * Chart.yaml's fields; templates that use only values values.yaml defines, only the plain template functions
 * the READMEs promise, only defined helpers, and balanced blocks; no value left unused or undocumented; and
 * the same objects (kind and name) as the Kustomize base each chart mirrors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../repo-paths.ts';
import { leafPaths, yamlKeyPaths, yamlKeys } from './deploy-tree.test-support.ts';

/** Each chart and the Kustomize base it is equivalent to. */
const charts: Record<string, string> = {
  cloudoptim: 'deploy/control-plane/base',
  'cloudoptim-agent': 'deploy/agent',
};
/** Kinds a chart leaves to Helm: the release namespace (`--create-namespace`). */
const leftToHelm = new Set(['Namespace']);
/** What templates may call: the plain subset the READMEs name. */
const allowedWords = new Set(['if', 'else', 'end', 'range', 'define', 'include', 'toYaml', 'nindent', 'quote', 'not']);

const readText = (...parts: string[]) => fs.readFileSync(path.join(repoRoot, ...parts), 'utf8');

function templatesOf(chart: string): Record<string, string> {
  const dir = path.join(repoRoot, 'deploy', 'helm', chart, 'templates');
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** `Kind/name` of every object in YAML text (top-level `kind:` and the first `name:` under `metadata:`). */
function objectIds(text: string): string[] {
  return text.split(/^---\s*$/m).flatMap((doc) => {
    const kind = /^kind: (\w+)/m.exec(doc)?.[1];
    const name = /^metadata:\n(?: {2}.*\n)*? {2}name: ([\w.-]+)/m.exec(doc)?.[1];
    return kind && name ? [`${kind}/${name}`] : [];
  });
}

function kustomizeObjectIds(baseDir: string): string[] {
  const kustomization = readText(baseDir, 'kustomization.yaml');
  const resources = /^resources:\n((?: {2}- .*\n)+)/m.exec(kustomization)![1]!.split('\n').map((l) => l.replace(/^ {2}- /, '').trim()).filter(Boolean);
  return resources.flatMap((file) => objectIds(readText(baseDir, file))).sort();
}

it('finds the two charts', () => {
  expect(fs.readdirSync(path.join(repoRoot, 'deploy', 'helm')).filter((d) => fs.existsSync(path.join(repoRoot, 'deploy', 'helm', d, 'Chart.yaml'))).sort()).toEqual(Object.keys(charts).sort());
});

describe.each(Object.entries(charts))('%s', (chart, baseDir) => {
  const chartYaml = readText('deploy', 'helm', chart, 'Chart.yaml');
  const values = readText('deploy', 'helm', chart, 'values.yaml');
  const readme = readText('deploy', 'helm', chart, 'README.md');
  const templates = templatesOf(chart);
  const valuePaths = yamlKeyPaths(values);
  const actions = Object.entries(templates).flatMap(([file, text]) => [...text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => ({ file, action: m[1]! })));
  const usedPaths = [...new Set(actions.flatMap(({ action }) => [...action.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1))))].sort();

  it('Chart.yaml: apiVersion v2, its directory\'s name, semantic versions, the app version the images carry', () => {
    const field = (name: string) => new RegExp(`^${name}: "?([^"\\n]+)"?$`, 'm').exec(chartYaml)?.[1];
    expect(field('apiVersion')).toBe('v2');
    expect(field('name')).toBe(chart);
    expect(field('type')).toBe('application');
    expect(field('version')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(field('description')?.length).toBeGreaterThan(20);
    const appVersion = field('appVersion');
    expect(appVersion).toBe((JSON.parse(readText('apps', 'central', 'package.json')) as { version: string }).version);
    for (const tag of values.matchAll(/^\s+tag: "([^"]*)"/gm)) expect(tag[1]).toBe(appVersion);
  });

  it('templates use only values defined in values.yaml', () => {
    expect(usedPaths.length).toBeGreaterThan(5);
    expect(usedPaths.filter((p) => !valuePaths.includes(p))).toEqual([]);
  });

  it('every value is used by a template and listed in the README', () => {
    const consumer = (leaf: string) => usedPaths.find((u) => leaf === u || leaf.startsWith(`${u}.`));
    const leaves = leafPaths(valuePaths);
    expect(leaves.filter((leaf) => !consumer(leaf)), 'unused values').toEqual([]);
    const documented = new Set([...readme.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]!));
    expect(leaves.filter((leaf) => !documented.has(leaf) && !documented.has(consumer(leaf)!)), 'values missing from README.md').toEqual([]);
    expect([...documented].filter((d) => !valuePaths.includes(d)), 'README.md rows naming no value').toEqual([]);
  });

  it('values.yaml comments every top-level value and every value directly below one', () => {
    const lines = values.split('\n');
    const uncommented = yamlKeys(values).filter((k) => k.path.split('.').length <= 2 && !lines[k.line - 1]?.trim().startsWith('#')).map((k) => k.path);
    expect(uncommented).toEqual([]);
  });

  it('templates call only plain functions and defined helpers, with balanced blocks', () => {
    const defined = new Set(actions.flatMap(({ action }) => [...action.matchAll(/^define "([\w.-]+)"/g)].map((m) => m[1]!)));
    for (const { file, action } of actions) {
      if (action.startsWith('/*')) continue;
      const words = action
        .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
        .replace(/\$?\.[\w.]*|\$\w+/g, ' ')
        .match(/[A-Za-z_]\w*/g) ?? [];
      expect(words.filter((w) => !allowedWords.has(w)), `${file}: {{ ${action} }}`).toEqual([]);
      for (const m of action.matchAll(/include "([\w.-]+)"/g)) expect(defined.has(m[1]!), `${file}: include "${m[1]}"`).toBe(true);
    }
    for (const [file, text] of Object.entries(templates)) {
      const opens = [...text.matchAll(/\{\{-?\s*(if|range|define|with)\b/g)].length;
      const ends = [...text.matchAll(/\{\{-?\s*end\s*-?\}\}/g)].length;
      expect(ends, `${file}: {{ end }} for each if/range/define`).toBe(opens);
      expect(text.split('{{').length, `${file}: {{ and }} pair up`).toBe(text.split('}}').length);
    }
  });

  it(`has a template for every object of ${baseDir}`, () => {
    const kustomize = kustomizeObjectIds(baseDir).filter((id) => !leftToHelm.has(id.split('/')[0]!));
    expect(kustomize.length).toBeGreaterThan(3);
    const helm = Object.entries(templates).filter(([f]) => f.endsWith('.yaml')).flatMap(([, text]) => objectIds(text));
    expect(kustomize.filter((id) => !helm.includes(id))).toEqual([]);
  });
});
