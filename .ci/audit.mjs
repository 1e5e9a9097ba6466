#!/usr/bin/env node
// The dependency audit of CI: `npm audit --omit=dev` (what ships, not the build tools), failing on any high or
// critical advisory that .ci/audit-exceptions.json does not list with a reason and a review date still ahead.
//
//   node .ci/audit.mjs                      # runs npm audit
//   node .ci/audit.mjs --report audit.json  # judges a saved `npm audit --omit=dev --json` instead
//   options: --exceptions FILE (default .ci/audit-exceptions.json), --today YYYY-MM-DD (default: today, UTC)
//
// Exit 0: nothing to act on (exceptions may be listed); 1: an unlisted high/critical advisory, or an exception
// past its review date; 2: the exceptions file is invalid, or the audit could not run and AUDIT_STRICT=1.
// When the registry's advisory service cannot be reached (offline, a mirror without it) the step warns and
// passes, unless AUDIT_STRICT=1: a registry outage should not block every merge, and the report says it did not run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BLOCKING = new Set(['high', 'critical']);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

/** The advisory id a person would search for: the GHSA id from its URL, else npm's numeric source id. */
function advisoryId(via) {
  const ghsa = /GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/i.exec(via.url ?? '');
  return ghsa ? ghsa[0] : String(via.source);
}

function loadExceptions(file, today) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(2, `audit: cannot read the exceptions file ${file}: ${error.message}`);
  }
  const list = parsed?.exceptions;
  if (!Array.isArray(list)) fail(2, `audit: ${file} must hold {"exceptions": [...]}`);
  const problems = [];
  list.forEach((e, i) => {
    if (typeof e?.id !== 'string' || e.id.length === 0) problems.push(`exceptions[${i}]: "id" (GHSA-… or npm advisory number) is required`);
    if (typeof e?.package !== 'string' || e.package.length === 0) problems.push(`exceptions[${i}]: "package" is required`);
    if (typeof e?.reason !== 'string' || e.reason.trim().length < 10) problems.push(`exceptions[${i}]: "reason" must say why it is acceptable (10 characters at least)`);
    if (typeof e?.review_by !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(e.review_by)) problems.push(`exceptions[${i}]: "review_by" must be a date YYYY-MM-DD`);
  });
  if (problems.length > 0) fail(2, `audit: ${file} is invalid:\n  ${problems.join('\n  ')}`);
  return list.map((e) => ({ ...e, expired: e.review_by < today }));
}

function runAudit() {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) return { unavailable: `npm could not be run: ${run.error.message}` };
  try {
    return JSON.parse(run.stdout);
  } catch {
    return { unavailable: `npm audit did not answer JSON: ${(run.stderr || run.stdout).trim().slice(0, 500)}` };
  }
}

const today = option('--today', new Date().toISOString().slice(0, 10));
const exceptions = loadExceptions(option('--exceptions', path.join(root, '.ci', 'audit-exceptions.json')), today);
const reportFile = option('--report', undefined);
const report = reportFile ? JSON.parse(readFileSync(reportFile, 'utf8')) : runAudit();

if (report.unavailable || report.error || typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
  const why = report.unavailable || report.message || report.error?.summary || 'no vulnerabilities section in the report';
  const message = `audit: the advisory service could not be asked (${why}); dependencies were NOT audited`;
  if (process.env.AUDIT_STRICT === '1') fail(2, message);
  console.warn(`::warning::${message}`);
  process.exit(0);
}

// The advisories themselves (npm lists each vulnerable package; `via` objects are the advisories behind it).
const advisories = new Map();
for (const vulnerability of Object.values(report.vulnerabilities)) {
  for (const via of vulnerability.via ?? []) {
    if (typeof via !== 'object' || via === null) continue;
    const id = advisoryId(via);
    const known = advisories.get(id) ?? { id, package: via.name, severity: via.severity, title: via.title, url: via.url, paths: new Set() };
    known.paths.add(vulnerability.name);
    advisories.set(id, known);
  }
}

const blocking = [];
const excepted = [];
for (const advisory of advisories.values()) {
  if (!BLOCKING.has(advisory.severity)) continue;
  const exception = exceptions.find((e) => e.id.toLowerCase() === advisory.id.toLowerCase() && e.package === advisory.package);
  if (exception && !exception.expired) excepted.push({ advisory, exception });
  else blocking.push({ advisory, exception });
}

const describe = ({ advisory }) => `${advisory.severity.toUpperCase()} ${advisory.id} in ${advisory.package} (via ${[...advisory.paths].join(', ')}): ${advisory.title ?? ''} ${advisory.url ?? ''}`.trim();
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`audit: ${advisories.size} advisories (${['critical', 'high', 'moderate', 'low'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ')} packages)`);
for (const e of excepted) console.log(`  excepted until ${e.exception.review_by}: ${describe(e)} — ${e.exception.reason}`);
for (const e of exceptions) {
  if (!advisories.has(e.id) && ![...advisories.keys()].some((id) => id.toLowerCase() === e.id.toLowerCase())) console.log(`  note: exception ${e.id} (${e.package}) matches no current advisory; remove it`);
}
if (blocking.length > 0) {
  for (const b of blocking) console.error(`  ${b.exception ? `exception expired ${b.exception.review_by}` : 'not excepted'}: ${describe(b)}`);
  fail(1, `audit: ${blocking.length} high/critical advisor${blocking.length === 1 ? 'y' : 'ies'} to fix, or to list in .ci/audit-exceptions.json with a reason and a review date`);
}
console.log('audit: no unlisted high or critical advisory');
