/**
 * What the deploy/ tests share: where things are, the real kubectl against a simulator cluster, and a reader
 * for the YAML subset values.yaml is written in (no YAML parser is a dependency of this repository).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { kubeApi } from '@cloudoptim/simulator';
import { repoRoot } from '../repo-paths.ts';

export const deployDir = path.join(repoRoot, 'deploy');

/**
 * The variables an app's config schema reads (apps/<app>/src/config.ts), from its source: importing central
 * or the ML server would cost a test seconds of module loading.
 */
export function configVariables(app: string): string[] {
  const source = fs.readFileSync(path.join(repoRoot, 'apps', app, 'src', 'config.ts'), 'utf8');
  return [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]*): /gm)].map((m) => m[1]!);
}

/** Every directory under deploy/ holding a kustomization.yaml (bases and overlays), repo-relative, sorted. */
export function findKustomizations(dir = deployDir): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...findKustomizations(path.join(dir, entry.name)));
    else if (entry.name === 'kustomization.yaml') found.push(path.relative(repoRoot, dir));
  }
  return found.sort();
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; never rejects (the exit code says how it went). */
export function run(command: string, args: string[], options: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(command, args, { cwd: options.cwd ?? repoRoot, timeout: options.timeoutMs ?? 30_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** The real kubectl, pointed at a simulator cluster (its own kubeconfig and discovery cache). */
export function kubectl(cluster: kubeApi.TestCluster, args: string[], input?: string): Promise<Run> {
  return run('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.dir, 'cache'), ...args], input === undefined ? {} : { input });
}

/**
 * The dotted paths of every key in a YAML document of nested mappings (values.yaml): `image.repository`,
 * `resources.requests.cpu`, … Sequence items, block scalars and keys that are not identifiers (annotation
 * names) are not addressable as `.Values` paths, so they and what is nested in them are skipped. Throws on
 * tab indentation, which YAML forbids.
 */
export function yamlKeyPaths(text: string): string[] {
  return yamlKeys(text).map((k) => k.path);
}

/** {@link yamlKeyPaths} with the (0-based) line each key is on. */
export function yamlKeys(text: string): Array<{ path: string; line: number }> {
  const out: Array<{ path: string; line: number }> = [];
  const stack: Array<{ indent: number; key: string }> = [];
  let opaqueBelow = -1;
  for (const [lineNo, raw] of text.split('\n').entries()) {
    if (/^\t/.test(raw)) throw new Error(`tab indentation: ${raw}`);
    const line = raw.replace(/\s+#.*$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (opaqueBelow >= 0 && indent > opaqueBelow) continue;
    opaqueBelow = -1;
    if (line.trimStart().startsWith('- ') || line.trim() === '-') {
      opaqueBelow = indent;
      continue;
    }
    const match = /^(\s*)([A-Za-z0-9_.\-/]+|"[^"]+"):(?:\s+(.*))?$/.exec(line);
    if (!match) continue;
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    const key = match[2]!.replace(/^"|"$/g, '');
    // `eks.amazonaws.com/role-arn:` under `annotations:` is data of a map value, not a path of its own.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      opaqueBelow = indent;
      continue;
    }
    stack.push({ indent, key });
    out.push({ path: stack.map((s) => s.key).join('.'), line: lineNo });
    if (/^[|>][-+]?$/.test(match[3]?.trim() ?? '')) opaqueBelow = indent;
  }
  return out;
}

/** The paths among `paths` that have no key below them: the values a person sets. */
export function leafPaths(paths: string[]): string[] {
  return paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`)));
}
