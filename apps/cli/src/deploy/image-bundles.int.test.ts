/**
 * The bundles the central and ML server images run, built here with the images' own command
 * (deploy/docker/bundle.mjs), checked against what the Dockerfile's final stage holds: every data directory
 * a bundled module finds from its own URL (migrations, market data, the admin UI) is copied to the place the
 * rewritten URL points at, and every npm package the bundle imports is in the production dependencies
 * `npm ci --omit=dev --workspace <app>` installs (from package-lock.json), hoisted where the bundle finds it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../repo-paths.ts';
import { run } from './deploy-tree.test-support.ts';
import { parseCopy, parseDockerfile, stageByRef, workdirAt, type Dockerfile } from './dockerfile-model.test-support.ts';

const dockerDir = path.join(repoRoot, 'deploy', 'docker');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-bundles-'));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

interface BundledImage {
  name: string;
  file: Dockerfile;
  entry: string;
  /** Where the build stage writes the bundle, and the stage. */
  buildOut: string;
  buildStage: string;
}

/** Dockerfiles whose build runs deploy/docker/bundle.mjs. */
const images: BundledImage[] = fs.readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile')).sort().flatMap((name) => {
  const file = parseDockerfile(fs.readFileSync(path.join(dockerDir, name), 'utf8'));
  for (const stage of file.stages) {
    for (const i of stage.instructions) {
      const m = /node deploy\/docker\/bundle\.mjs (\S+) (\S+)/.exec(i.op === 'RUN' ? i.args : '');
      if (m) return [{ name, file, entry: m[1]!, buildOut: m[2]!, buildStage: stage.name ?? String(stage.index) }];
    }
  }
  return [];
});

interface LockPackage { name?: string; link?: boolean; resolved?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> }
const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };

/** Lockfile locations a production install of the workspace holds (node's resolution, walking up). */
function productionClosure(workspace: string): Set<string> {
  const seen = new Set<string>();
  const queue = [workspace];
  while (queue.length > 0) {
    let location = queue.pop()!;
    if (seen.has(location)) continue;
    seen.add(location);
    const entry = lock.packages[location];
    if (entry?.link && entry.resolved) {
      location = entry.resolved;
      queue.push(location);
      continue;
    }
    if (!entry) continue;
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers]) {
      const candidates: string[] = [];
      let base = location;
      for (;;) {
        candidates.push(base === '' ? `node_modules/${dep}` : `${base}/node_modules/${dep}`);
        if (base === '') break;
        const cut = base.lastIndexOf('/node_modules/');
        base = cut >= 0 ? base.slice(0, cut) : '';
      }
      const found = candidates.find((c) => lock.packages[c]);
      if (found) queue.push(found);
    }
  }
  return seen;
}

it('finds the bundled images', () => {
  expect(images.map((i) => i.name)).toEqual(['central.Dockerfile', 'ml-server.Dockerfile']);
});

describe.each(images)('$name', (image) => {
  const bundlePath = path.join(outDir, path.basename(image.buildOut));
  const final = image.file.stages.at(-1)!;
  const finalCopies = final.instructions.flatMap((i, at) => (i.op === 'COPY' ? [{ ...parseCopy(i.args), workdir: workdirAt(image.file, final, at) }] : []));
  let bundle = '';
  beforeAll(async () => {
    const built = await run('node', ['deploy/docker/bundle.mjs', image.entry, bundlePath]);
    if (built.code !== 0 || built.stderr !== '') throw new Error(`bundle.mjs ${image.entry} failed: ${built.stderr}`);
    bundle = fs.readFileSync(bundlePath, 'utf8');
  }, 30_000);

  it('finds every data directory its modules read where the final stage copied it', () => {
    // Where the bundle sits in the image: the final-stage COPY of the build's output.
    const bundleCopy = finalCopies.find((c) => c.from === image.buildStage && c.sources.includes(image.buildOut))!;
    expect(bundleCopy).toBeDefined();
    const bundleDir = path.posix.dirname(path.posix.resolve(bundleCopy.workdir, bundleCopy.dest));
    const buildStage = stageByRef(image.file, image.buildStage)!;
    const buildRoot = workdirAt(image.file, buildStage);

    const rewritten = [...bundle.matchAll(/new URL\("\.\/([^"]+)", import\.meta\.url\)\.href/g)];
    const uses = [...bundle.matchAll(/new URL\("([^"]+)", new URL\("\.\/([^"]+)", import\.meta\.url\)\.href\)/g)];
    expect(uses.length, 'every rewritten module URL is used as new URL(<relative>, …)').toBe(rewritten.length);
    expect(uses.length).toBeGreaterThan(0);
    for (const [, relative, module] of uses) {
      const repoPath = path.posix.join(path.posix.dirname(module!), relative!).replace(/\/$/, '');
      expect(fs.existsSync(path.join(repoRoot, repoPath)) || repoPath === 'apps/admin-ui/dist', `${repoPath} exists in the repository (or is built)`).toBe(true);
      const copied = finalCopies.some((c) => c.from === image.buildStage
        && c.sources.some((s) => path.posix.resolve(buildRoot, s) === path.posix.join(buildRoot, repoPath))
        && path.posix.resolve(c.workdir, c.dest) === path.posix.join(bundleDir, repoPath));
      expect(copied, `${module} reads ${repoPath}: COPY --from=${image.buildStage} ${path.posix.join(buildRoot, repoPath)} ${repoPath}`).toBe(true);
    }
  });

  it('imports only npm packages its production install holds, hoisted to the top-level node_modules', () => {
    const specifiers = new Set([...bundle.matchAll(/^import\s[^;]*?from\s"([^"]+)"|\bimport\("([^"]+)"\)/gm)].map((m) => (m[1] ?? m[2])!));
    const packages = [...specifiers].filter((s) => !s.startsWith('node:')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2) : s.split('/').slice(0, 1)).join('/'));
    expect(packages.length).toBeGreaterThan(3);
    expect(packages.filter((p) => p.startsWith('@cloudoptim/')), 'workspace code is bundled (the image removes its links)').toEqual([]);

    const deps = image.file.stages.flatMap((s) => s.instructions).find((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))!;
    const workspace = /--workspace (@cloudoptim\/[\w-]+)/.exec(deps.args)![1]!;
    const location = Object.entries(lock.packages).find(([loc, p]) => !loc.includes('node_modules') && p.name === workspace)![0];
    expect(image.entry.startsWith(`${location}/`), `the image installs the dependencies of ${location}`).toBe(true);
    const closure = productionClosure(location);
    expect([...new Set(packages)].filter((p) => !closure.has(`node_modules/${p}`))).toEqual([]);
  });
});
