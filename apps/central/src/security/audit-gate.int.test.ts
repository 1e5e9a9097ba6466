/**
 * The CI dependency audit (.ci/audit.mjs) judging saved `npm audit --omit=dev --json` reports: it fails on a high
 * or critical advisory unless .ci/audit-exceptions.json lists it with a reason and a review date still ahead,
 * ignores moderate ones, refuses an exceptions file without reasons, and warns (or, with AUDIT_STRICT=1, fails)
 * when the advisory service could not be asked. The repository's own exceptions file must be valid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = path.join(ROOT, '.ci', 'audit.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'cloudoptim-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: unknown): string {
  const name = path.join(dir, `f${++n}.json`);
  writeFileSync(name, JSON.stringify(content));
  return name;
}

function gate(report: unknown, exceptions: unknown[] | unknown, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [SCRIPT, '--report', file(report), '--exceptions', file(Array.isArray(exceptions) ? { exceptions } : exceptions), '--today', '2026-11-26'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

const advisory = (name: string, severity: string, ghsa: string) => ({ source: 1100000 + ghsa.length, name, dependency: name, title: `bad thing in ${name}`, url: `https://github.com/advisories/${ghsa}`, severity, cwe: [], cvss: {}, range: '<9.9.9' });
const report = (...vias: ReturnType<typeof advisory>[]) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(vias.map((via) => [via.name, { name: via.name, severity: via.severity, isDirect: false, via: [via], effects: ['fastify'], range: via.range, nodes: [`node_modules/${via.name}`], fixAvailable: true }])),
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: vias.filter((v) => v.severity === 'high').length, critical: vias.filter((v) => v.severity === 'critical').length, total: vias.length } },
});
const HIGH = advisory('fast-json-thing', 'high', 'GHSA-aaaa-bbbb-cccc');

describe('the CI dependency audit', () => {
  it('passes a clean report', () => {
    expect(gate(report(), [])).toMatchObject({ code: 0, out: expect.stringContaining('no unlisted high or critical advisory') });
  });

  it('fails on an unlisted high or critical advisory, naming it', () => {
    const critical = advisory('yaml-ish', 'critical', 'GHSA-dddd-eeee-ffff');
    const result = gate(report(HIGH, critical), []);
    expect(result.code).toBe(1);
    expect(result.out).toContain('GHSA-aaaa-bbbb-cccc in fast-json-thing');
    expect(result.out).toContain('CRITICAL GHSA-dddd-eeee-ffff in yaml-ish');
  });

  it('ignores moderate and low advisories', () => {
    expect(gate(report(advisory('slowish', 'moderate', 'GHSA-1111-2222-3333'), advisory('chatty', 'low', 'GHSA-4444-5555-6666')), []).code).toBe(0);
  });

  it('accepts a listed advisory until its review date, then fails again', () => {
    const exception = { id: 'GHSA-aaaa-bbbb-cccc', package: 'fast-json-thing', reason: 'only reached through the CLI, never on a server path', review_by: '2026-12-31' };
    expect(gate(report(HIGH), [exception])).toMatchObject({ code: 0, out: expect.stringContaining('excepted until 2026-12-31') });
    expect(gate(report(HIGH), [{ ...exception, review_by: '2026-11-25' }])).toMatchObject({ code: 1, out: expect.stringContaining('exception expired 2026-11-25') });
    expect(gate(report(HIGH), [{ ...exception, package: 'another-package' }]).code).toBe(1);
  });

  it('refuses an exception without a reason or a review date', () => {
    expect(gate(report(HIGH), [{ id: 'GHSA-aaaa-bbbb-cccc', package: 'fast-json-thing', reason: '', review_by: '2026-12-31' }])).toMatchObject({ code: 2, out: expect.stringContaining('"reason"') });
    expect(gate(report(), [{ id: 'GHSA-aaaa-bbbb-cccc', package: 'fast-json-thing', reason: 'a good enough reason' }])).toMatchObject({ code: 2, out: expect.stringContaining('"review_by"') });
    expect(gate(report(), { nope: true }).code).toBe(2);
  });

  it('warns when the advisory service could not be asked, and fails then with AUDIT_STRICT=1', () => {
    const down = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', error: { summary: '', detail: '' } };
    expect(gate(down, [])).toMatchObject({ code: 0, out: expect.stringContaining('NOT audited') });
    expect(gate(down, [], { AUDIT_STRICT: '1' })).toMatchObject({ code: 2, out: expect.stringContaining('405 Method Not Allowed') });
  });

  it('has a valid exceptions file in the repository', () => {
    const run = spawnSync(process.execPath, [SCRIPT, '--report', file(report())], { encoding: 'utf8' });
    expect({ code: run.status, err: run.stderr }).toEqual({ code: 0, err: '' });
  });
});
