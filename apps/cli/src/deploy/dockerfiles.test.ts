/**
 * The images' Dockerfiles, checked by their text (no Docker engine here): multi-stage, base images pinned, a
 * non-root numeric USER in the final stage, no dev dependencies in it, a health check (or Kubernetes probes
 * for the agent, which runs only there), an entry point the final stage actually holds, and every
 * workspace's package.json present where `npm ci` runs — a new workspace without its COPY line fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../repo-paths.ts';
import { contextFilesIn, parentStage, parseCopy, parseDockerfile, stageByRef, workdirAt, type Dockerfile, type Stage } from './dockerfile-model.test-support.ts';

const dockerDir = path.join(repoRoot, 'deploy', 'docker');
const dockerfiles = fs.readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile')).sort();
const read = (name: string) => parseDockerfile(fs.readFileSync(path.join(dockerDir, name), 'utf8'));

/** package.json of every workspace the root package.json declares (globs like `apps/*`). */
function workspaceManifests(): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [`${pattern}/package.json`];
    const parent = pattern.slice(0, -2);
    return fs.readdirSync(path.join(repoRoot, parent)).map((d) => `${parent}/${d}/package.json`).filter((f) => fs.existsSync(path.join(repoRoot, f)));
  }).sort();
}

/** Images whose health is checked by Kubernetes probes only, and the manifest holding them. */
const probedByKubernetes: Record<string, string> = { 'agent.Dockerfile': 'deploy/agent/deployment.yaml' };

const isNpmInstall = (run: string) => /\bnpm (ci|install|i)\b/.test(run);
const installsDevDependencies = (run: string) => isNpmInstall(run) && !/--omit=dev\b/.test(run);

/** The stage and its ancestors (FROM <stage>), nearest first. */
function chain(file: Dockerfile, stage: Stage): Stage[] {
  const parent = parentStage(file, stage);
  return [stage, ...(parent ? chain(file, parent) : [])];
}

function runs(stages: Stage[]): string[] {
  return stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args));
}

it('there are images for central, the ML server and the agent', () => {
  expect(dockerfiles).toEqual(expect.arrayContaining(['agent.Dockerfile', 'central.Dockerfile', 'ml-server.Dockerfile']));
});

it('every Dockerfile pins the same Node base image', () => {
  const images = new Set(dockerfiles.map((name) => read(name).args['NODE_IMAGE']));
  expect([...images]).toHaveLength(1);
  expect([...images][0]).toMatch(/^node:\d+\.\d+(\.\d+)?-alpine(\d+(\.\d+)*)?(@sha256:[0-9a-f]{64})?$/);
});

describe.each(dockerfiles)('%s', (name) => {
  const file = read(name);
  const final = file.stages.at(-1)!;
  const finalChain = chain(file, final);

  it('is multi-stage, every base image pinned (a version tag or a digest, never latest)', () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of file.stages) {
      if (parentStage(file, stage)) continue;
      expect(stage.from, `stage ${stage.name ?? stage.index}`).toMatch(/^[\w./-]+(:[\w.-]*\d[\w.-]*(@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$/);
      expect(stage.from).not.toMatch(/:latest\b/);
    }
  });

  it('runs as a non-root numeric user (runAsNonRoot can only verify numeric ids)', () => {
    const lastUser = [...finalChain].reverse().flatMap((s) => s.instructions).filter((i) => i.op === 'USER').at(-1)?.args;
    expect(lastUser).toMatch(/^\d+(:\d+)?$/);
    expect(Number(lastUser!.split(':')[0])).toBeGreaterThan(0);
  });

  it('has no dev dependencies in the final stage: node_modules only from an `npm ci --omit=dev` stage', () => {
    expect(runs(finalChain).filter(installsDevDependencies)).toEqual([]);
    const modules = finalChain.flatMap((s) => s.instructions).filter((i) => i.op === 'COPY' && /node_modules/.test(i.args)).map((i) => parseCopy(i.args));
    expect(modules.length + runs(finalChain).filter(isNpmInstall).length, 'the final stage gets its dependencies somewhere').toBeGreaterThan(0);
    for (const copy of modules) {
      expect(copy.from, 'node_modules come from another stage, not the build context').toBeDefined();
      const source = stageByRef(file, copy.from!)!;
      const installs = runs(chain(file, source)).filter(isNpmInstall);
      expect(installs.length, `stage ${copy.from} installs dependencies`).toBeGreaterThan(0);
      expect(installs.filter(installsDevDependencies), `stage ${copy.from} installs production dependencies only`).toEqual([]);
    }
  });

  it('holds every workspace package.json and the lockfile where `npm ci` runs', () => {
    const manifests = ['package.json', 'package-lock.json', ...workspaceManifests()];
    expect(manifests).toContain('apps/central/package.json');
    let checked = 0;
    for (const stage of file.stages) {
      stage.instructions.forEach((instruction, at) => {
        if (instruction.op !== 'RUN' || !/\bnpm ci\b/.test(instruction.args)) return;
        checked++;
        const workdir = workdirAt(file, stage, at);
        const held = contextFilesIn(file, stage, manifests, at);
        const missing = manifests.filter((m) => held.get(path.posix.join(workdir, m)) !== m);
        expect(missing, `stage ${stage.name ?? stage.index}: COPY these before npm ci`).toEqual([]);
      });
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('starts a file the final stage holds', () => {
    const entry = final.instructions.filter((i) => i.op === 'ENTRYPOINT' || i.op === 'CMD').at(0);
    expect(entry).toBeDefined();
    const argv = JSON.parse(entry!.args) as string[];
    expect(argv[0]).toBe('node');
    const script = path.posix.resolve(workdirAt(file, final), argv[1]!);
    const destinations = final.instructions.flatMap((i, at) => {
      if (i.op !== 'COPY') return [];
      const copy = parseCopy(i.args);
      const dest = path.posix.resolve(workdirAt(file, final, at), copy.dest);
      return copy.dest.endsWith('/') ? copy.sources.map((s) => path.posix.join(dest, path.posix.basename(s))) : [dest];
    });
    expect(destinations).toContain(script);
  });

  it('has a health check, or Kubernetes probes when it runs only there', () => {
    const healthcheck = final.instructions.find((i) => i.op === 'HEALTHCHECK');
    if (probedByKubernetes[name]) {
      const manifest = fs.readFileSync(path.join(repoRoot, probedByKubernetes[name]), 'utf8');
      expect(manifest).toMatch(/livenessProbe:/);
      expect(manifest).toMatch(/readinessProbe:/);
      return;
    }
    expect(healthcheck, 'HEALTHCHECK in the final stage').toBeDefined();
    const exposed = final.instructions.find((i) => i.op === 'EXPOSE')?.args;
    expect(healthcheck!.args).toMatch(/--interval=\d+s/);
    expect(healthcheck!.args).toContain(`||${exposed})+'/readyz'`);
  });
});

describe('.dockerignore', () => {
  const patterns = fs.readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  // Docker's rules for the patterns used here: `**/` any directories, `*` within one; a match covers what is below.
  const toRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(.*/)?')}(/.*)?$`);
  const ignored = (p: string) => patterns.some((pattern) => toRegExp(pattern).test(p));

  it('keeps local node_modules and builds out of the build context', () => {
    for (const p of ['node_modules/zod/package.json', 'apps/central/node_modules/x', 'apps/admin-ui/dist/index.html', '.git/HEAD']) expect(ignored(p), p).toBe(true);
  });

  it('ignores nothing a Dockerfile copies from the context', () => {
    for (const name of dockerfiles) {
      for (const stage of read(name).stages) {
        for (const i of stage.instructions.filter((x) => x.op === 'COPY')) {
          const copy = parseCopy(i.args);
          if (copy.from !== undefined) continue;
          for (const source of copy.sources) expect(ignored(path.posix.normalize(source)), `${name}: COPY ${source}`).toBe(false);
        }
      }
    }
  });
});
