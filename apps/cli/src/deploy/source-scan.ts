/**
 * Reads the product's source the way the deployment checks need it: every non-test source file of the apps and
 * packages, and what they read from the environment. Tests and test support are left out: what they read is not
 * configuration an operator sets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../repo-paths.ts';

const SOURCE_EXT = /\.(ts|tsx|mjs|js)$/;
const NOT_PRODUCT = /(\.test\.tsx?|\.test-support\.ts|\.contract\.ts|\.d\.ts)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'testing', 'coverage']);

export interface SourceFile {
  /** Relative to the repository root, with `/`. */
  path: string;
  text: string;
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) walk(full, out);
    } else if (SOURCE_EXT.test(e.name) && !NOT_PRODUCT.test(e.name)) {
      out.push(full);
    }
  }
}

/**
 * The non-test source files under `roots` (globs of one `*` level: `apps/x/src`), sorted.
 * `exclude` drops files whose repository path starts with one of its entries.
 */
export function productSources(roots: readonly string[], exclude: readonly string[] = []): SourceFile[] {
  const files: string[] = [];
  for (const root of roots) {
    const [base, rest] = root.split('/*/');
    if (rest === undefined) {
      walk(path.join(repoRoot, root), files);
      continue;
    }
    for (const e of readdirSync(path.join(repoRoot, base as string), { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(repoRoot, base as string, e.name, rest), files);
    }
  }
  return files
    .map((f) => path.relative(repoRoot, f).split(path.sep).join('/'))
    .filter((rel) => !exclude.some((prefix) => rel.startsWith(prefix)))
    .sort()
    .map((rel) => ({ path: rel, text: readFileSync(path.join(repoRoot, rel), 'utf8') }));
}

const ENV_NAME = '[A-Z][A-Z0-9_]*';
const ENV_READS = [
  // process.env.<name>, io.env.<name>, env.<name>
  new RegExp(`\\benv\\.(${ENV_NAME})\\b`, 'g'),
  // process.env['<name>'], env["<name>"]
  new RegExp(`\\benv\\[\\s*['"\`](${ENV_NAME})['"\`]\\s*\\]`, 'g'),
];
const ENV_DESTRUCTURING = /\{([^{}]*)\}\s*=\s*process\.env\b/g;

/** Names of the environment variables `text` reads directly: `process.env.<name>`, `env['<name>']`, `const { <name> } = process.env`. */
export function envReadsIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const re of ENV_READS) for (const m of text.matchAll(re)) names.add(m[1] as string);
  for (const m of text.matchAll(ENV_DESTRUCTURING)) {
    for (const part of (m[1] as string).split(',')) {
      const name = part.split(':')[0]?.trim() ?? '';
      if (new RegExp(`^${ENV_NAME}$`).test(name)) names.add(name);
    }
  }
  return names;
}

/** Names of the AWS SDK commands `text` sends: `new <Name>Command(` gives `<Name>`. */
export function awsCommandsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\bnew\s+([A-Z][A-Za-z0-9]*)Command\s*\(/g)].map((m) => m[1] as string));
}
