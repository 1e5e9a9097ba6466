/**
 * compose.yaml, checked by its text (no Docker engine or compose plugin here): PostgreSQL 16 with a named
 * volume, Redis 7, central and the ML server built from deploy/docker, every service health-checked, every
 * dependency waited on until healthy, the servers read-only, and only variables the apps read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../repo-paths.ts';
import { configVariables } from './deploy-tree.test-support.ts';

const compose = fs.readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8');

/** Each service's block of lines (the text indented under `  <name>:` in `services:`). */
function services(): Record<string, string> {
  const body = /^services:\n([\s\S]*?)(?=^\S)/m.exec(compose)![1]!;
  const out: Record<string, string> = {};
  let current: string | undefined;
  for (const line of body.split('\n')) {
    const m = /^ {2}([\w-]+):$/.exec(line);
    if (m) out[(current = m[1]!)] = '';
    else if (current && line.startsWith('    ')) out[current] += `${line}\n`;
  }
  return out;
}

/** Read by the AWS SDK itself, not by the config schemas. */
const sdkVariables = ['AWS_REGION'];

const all = services();

it('has PostgreSQL 16 on a named volume, Redis 7, central and the ML server', () => {
  expect(Object.keys(all).sort()).toEqual(['central', 'ml-server', 'postgres', 'redis']);
  expect(all['postgres']).toMatch(/^ {4}image: postgres:16[\w.-]*$/m);
  expect(all['redis']).toMatch(/^ {4}image: redis:7[\w.-]*$/m);
  const volume = /^ {6}- ([\w-]+):\/var\/lib\/postgresql\/data$/m.exec(all['postgres']!)?.[1];
  expect(volume).toBeDefined();
  expect(compose).toMatch(new RegExp(`^volumes:\\n {2}${volume}:`, 'm'));
});

it('health-checks every service and waits for dependencies to be healthy', () => {
  for (const [name, block] of Object.entries(all)) {
    expect(block, name).toMatch(/^ {4}healthcheck:\n {6}test: \[/m);
    const dependsOn = /^ {4}depends_on:\n((?: {6}.*\n)+)/m.exec(block)?.[1] ?? '';
    const deps = [...dependsOn.matchAll(/^ {6}([\w-]+):$/gm)].map((m) => m[1]!);
    for (const dep of deps) {
      expect(Object.keys(all), `${name} depends on ${dep}`).toContain(dep);
      expect(dependsOn, `${name} → ${dep}`).toMatch(new RegExp(`^ {6}${dep}:\\n {8}condition: service_healthy$`, 'm'));
    }
  }
  expect(all['central']).toMatch(/^ {6}ml-server:$/m);
});

it.each([['central', 'central', 8000], ['ml-server', 'ml-server', 8001]] as const)('%s: built from its Dockerfile, read-only, configured with variables it reads', (service, app, port) => {
  const block = all[service]!;
  const dockerfile = /^ {6}dockerfile: (\S+)$/m.exec(block)?.[1];
  expect(dockerfile).toBe(`deploy/docker/${app}.Dockerfile`);
  expect(fs.existsSync(path.join(repoRoot, dockerfile!))).toBe(true);
  expect(block).toMatch(/^ {4}read_only: true$/m);
  expect(block).toMatch(/^ {4}cap_drop: \[ALL\]$/m);
  expect(block).toContain(`http://127.0.0.1:${port}/readyz`);

  const environment = /^ {4}environment:\n((?: {6}.*\n)+)/m.exec(block)![1]!;
  const names = [...environment.matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  const known = [...configVariables(app), ...sdkVariables];
  expect(names.filter((n) => !known.includes(n))).toEqual([]);
  expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'ML_SERVER_API_KEY', 'REDIS_URL']));
  expect(environment).toMatch(/^ {6}DATABASE_URL: postgres:\/\/[^@\s]+@postgres:5432\/\w+$/m);
  expect(environment).toMatch(/^ {6}REDIS_URL: redis:\/\/redis:6379\/\d+$/m);
});

it('gives central the ML server\'s address and both the same key default', () => {
  expect(all['central']).toMatch(/^ {6}ML_SERVER_URL: http:\/\/ml-server:8001$/m);
  const key = (block: string) => /^ {6}ML_SERVER_API_KEY: (.+)$/m.exec(block)?.[1];
  expect(key(all['central']!)).toBe(key(all['ml-server']!));
  expect(/:-([^}]+)\}/.exec(key(all['central']!)!)?.[1]?.length).toBeGreaterThanOrEqual(16);
});
