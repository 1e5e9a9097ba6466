/**
 * Issue #11 part 2, as functions the short tests and the long benchmark share: central replicas as real child
 * processes under the agent fleet's load, then a fault —
 *
 * - `runReplicaFailover`: two replicas on one PostgreSQL database; the one holding most worker leases is killed
 *   with SIGKILL mid-run. Agents pinned to it retry on the other (as behind a load balancer). Measured: failed
 *   requests (after retries), retried ones, p99 per phase, and how long each worker lease of the dead replica
 *   took to move to the survivor (goal: within three of the worker's intervals).
 * - `runPostgresRestart`: one replica on a PostgreSQL server of its own, crashed (`pg_ctl stop -m immediate`) and
 *   started again after `downSeconds`. Measured: what agents saw during the outage, how soon requests succeed
 *   again, whether the workers' leases are renewed and the admin stream (LISTEN/NOTIFY) delivers again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { openDatabase } from '@cloudoptim/db';
import { startPrivatePostgres } from '@cloudoptim/db/testing';
import { freePort } from '@cloudoptim/runtime';
import { startAgentFleet, type FleetAgent, type FleetPhaseStats, type RunningFleet } from '../testing/agent-fleet.ts';
import { startCentralProcess, waitReady, type CentralProcess } from '../testing/central-process.ts';

const ADMIN_EMAIL = 'operator@failover.test';
const ADMIN_PASSWORD = 'a long failover passphrase';

export interface LoadShape {
  agents: number;
  /** Whole run, seconds. */
  seconds: number;
  /** When the fault happens, seconds from the start of the load. */
  faultAtSeconds: number;
  /** The first seconds of load (first reports, cold caches) count in a phase of their own (default 5). */
  warmupSeconds?: number;
  /** Agent cadence (default: the agent's 10 s / 30 s / 60 s). */
  periodsMs?: Partial<Record<'poll' | 'heartbeat' | 'metrics', number>>;
  /** Metrics report size (default 50 nodes / 500 pods). */
  nodes?: number;
  pods?: number;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

export interface LeaseHandover {
  worker: string;
  /** When the dead replica's lease (renewed on its last pass, 3 intervals long) ran out, from the kill. */
  expired_ms: number;
  /** From the kill until the survivor held it (null: not within the run). */
  handover_ms: number | null;
}

export interface ReplicaFailoverReport {
  agents: number;
  seconds: number;
  killed_at_s: number;
  phases: FleetPhaseStats[];
  /** Worker leases the killed replica held, and when each moved. */
  leases: LeaseHandover[];
  /** The survivor answered /readyz at the end. */
  survivor_ready: boolean;
  /** Admin-stream events the survivor delivered after the kill. */
  stream_events_after_kill: number;
}

export interface PostgresRestartReport {
  agents: number;
  seconds: number;
  down_seconds: number;
  phases: FleetPhaseStats[];
  /** From PostgreSQL answering again until central's /readyz answered 200. */
  ready_after_restart_ms: number | null;
  /** Worker leases renewed after the restart / held before it. */
  leases_renewed: number;
  leases_before: number;
  /** Admin-stream events delivered after the restart (LISTEN reconnected). */
  stream_events_after_restart: number;
  central_exited: number | string | null;
}

async function centralEnv(databaseUrl: string, dir: string): Promise<NodeJS.ProcessEnv> {
  return {
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    CLOUDOPTIM_DATA_DIR: path.join(dir, 'unused-pglite'),
    CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RATE_LIMIT_PER_MINUTE: '10000000',
    ML_SERVER_API_KEY: 'failover-test-ml-key-0123456789abcdef',
  };
}

async function call<T>(baseUrl: string, token: string | undefined, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`, { method, headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Signs the operator in, creates a customer and registers `agents` clusters over the admin API. */
async function onboard(baseUrl: string, agents: number, onProgress: (line: string) => void): Promise<{ token: string; fleet: FleetAgent[] }> {
  const { token } = await call<{ token: string }>(baseUrl, undefined, 'POST', '/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const customer = await call<{ customer_id: string }>(baseUrl, token, 'POST', '/api/v1/admin/customers', { company_name: 'Load Co', email: 'platform@load.example' });
  const fleet: FleetAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const r = await call<{ cluster_id: string; api_key: string }>(baseUrl, token, 'POST', '/api/v1/admin/clusters', { cluster_name: `load-${i}`, region: 'us-east-1', customer_id: customer.customer_id });
    fleet.push({ clusterId: r.cluster_id, apiKey: r.api_key });
    if ((i + 1) % 100 === 0) onProgress(`registered ${i + 1}/${agents} clusters`);
  }
  return { token, fleet };
}

/** Counts admin-stream frames from `since` on (reconnecting when the socket drops). */
function watchAdminStream(baseUrl: string, token: string): { countSince(t: number): number; close(): void } {
  const seen: number[] = [];
  let closed = false;
  let socket: WebSocket | undefined;
  const open = () => {
    if (closed) return;
    socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/admin/stream`, { headers: { authorization: `Bearer ${token}` } });
    socket.on('message', () => seen.push(Date.now()));
    socket.on('error', () => {});
    socket.on('close', () => setTimeout(open, 500).unref());
  };
  open();
  return {
    countSince: (t) => seen.filter((x) => x >= t).length,
    close: () => {
      closed = true;
      socket?.terminate();
    },
  };
}

interface LeaseRow {
  name: string;
  owner: string;
  expires_at: Date;
}

/** A fresh connection per read: the database may have just restarted. */
async function readLeases(databaseUrl: string): Promise<LeaseRow[]> {
  const db = await openDatabase({ databaseUrl, migrate: false, maxConnections: 1 });
  try {
    const rows = await db.query<{ name: string; owner: string; expires_at: Date | string }>('SELECT name, owner, expires_at FROM worker_leases ORDER BY name');
    return rows.map((r) => ({ ...r, expires_at: new Date(r.expires_at) }));
  } finally {
    await db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the fleet and returns at the fault time, the warm-up counted apart. Retries: up to ~8 s of backoff. */
async function startLoad(baseUrls: string[], fleet: FleetAgent[], shape: LoadShape, steadyPhase: string): Promise<RunningFleet> {
  const warmup = Math.min(shape.warmupSeconds ?? 5, shape.faultAtSeconds);
  const run = startAgentFleet({ baseUrls, fleet, retries: 5, periodsMs: shape.periodsMs, nodes: shape.nodes, pods: shape.pods, firstPhase: 'warm-up' });
  await sleep(warmup * 1000);
  run.mark(steadyPhase);
  await sleep((shape.faultAtSeconds - warmup) * 1000);
  return run;
}

/** Two replicas on the scratch database at `databaseUrl`; the one with most worker leases is killed mid-run. */
export async function runReplicaFailover(databaseUrl: string, shape: LoadShape): Promise<ReplicaFailoverReport> {
  const progress = shape.onProgress ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-failover-'));
  const replicas: CentralProcess[] = [];
  let stream: ReturnType<typeof watchAdminStream> | undefined;
  try {
    // One after the other: the first applies the migrations (the second would wait on their lock anyway).
    for (const name of ['a', 'b']) replicas.push(await startCentralProcess(await centralEnv(databaseUrl, dir), path.join(dir, `central-${name}.log`)));
    progress(`replicas up: ${replicas.map((r) => `${r.url} (pid ${r.pid})`).join(', ')}`);
    const { token, fleet } = await onboard(replicas[0]!.url, shape.agents, progress);
    const fleetRun = await startLoad(replicas.map((r) => r.url), fleet, shape, 'before the kill');
    // Kill the replica that runs most workers: the handover is what is under test.
    const leases = await readLeases(databaseUrl);
    const held = (r: CentralProcess) => leases.filter((l) => l.owner.includes(`:${r.pid}:`) && l.expires_at.getTime() > Date.now()).length;
    const victim = held(replicas[1]!) > held(replicas[0]!) ? replicas[1]! : replicas[0]!;
    const survivor = replicas.find((r) => r !== victim)!;
    const victimLeases = leases.filter((l) => l.owner.includes(`:${victim.pid}:`));
    stream = watchAdminStream(survivor.url, token);
    const killedAt = Date.now();
    await victim.kill9();
    fleetRun.mark('after the kill');
    progress(`killed pid ${victim.pid} (it held ${victimLeases.length} worker leases) at ${shape.faultAtSeconds} s`);
    const handover = new Map<string, number>();
    const endAt = killedAt + (shape.seconds - shape.faultAtSeconds) * 1000;
    while (Date.now() < endAt) {
      for (const l of await readLeases(databaseUrl).catch(() => [])) {
        if (!handover.has(l.name) && victimLeases.some((v) => v.name === l.name) && l.owner.includes(`:${survivor.pid}:`)) handover.set(l.name, Date.now() - killedAt);
      }
      await sleep(250);
    }
    const result = await fleetRun.stop();
    const survivorReady = await waitReady(`${survivor.url}/readyz`, 5000).then(() => true, () => false);
    return {
      agents: shape.agents,
      seconds: shape.seconds,
      killed_at_s: shape.faultAtSeconds,
      phases: result.phases,
      leases: victimLeases.map((l) => ({ worker: l.name, expired_ms: l.expires_at.getTime() - killedAt, handover_ms: handover.get(l.name) ?? null })),
      survivor_ready: survivorReady,
      stream_events_after_kill: stream.countSince(killedAt),
    };
  } finally {
    stream?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One replica on a PostgreSQL server of its own, crashed and restarted `downSeconds` later, mid-run. */
export async function runPostgresRestart(shape: LoadShape & { downSeconds: number }): Promise<PostgresRestartReport> {
  const progress = shape.onProgress ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-pgrestart-'));
  const server = await startPrivatePostgres(await freePort());
  let central: CentralProcess | undefined;
  let stream: ReturnType<typeof watchAdminStream> | undefined;
  try {
    central = await startCentralProcess(await centralEnv(server.url, dir), path.join(dir, 'central.log'));
    const { token, fleet } = await onboard(central.url, shape.agents, progress);
    stream = watchAdminStream(central.url, token);
    const fleetRun = await startLoad([central.url], fleet, shape, 'before the crash');
    const leasesBefore = (await readLeases(server.url)).filter((l) => l.expires_at.getTime() > Date.now());
    await server.crash();
    fleetRun.mark('PostgreSQL down');
    progress(`PostgreSQL crashed at ${shape.faultAtSeconds} s; down for ${shape.downSeconds} s`);
    await sleep(shape.downSeconds * 1000);
    await server.start();
    const upAt = Date.now();
    fleetRun.mark('after the restart');
    const readyMs = await waitReady(`${central.url}/readyz`, 60_000).then(() => Date.now() - upAt, () => null);
    progress(`PostgreSQL up again; central ready ${readyMs ?? 'never'} ms later`);
    await sleep(Math.max(0, (shape.seconds - shape.faultAtSeconds - shape.downSeconds) * 1000 - (Date.now() - upAt)));
    const result = await fleetRun.stop();
    const renewed = (await readLeases(server.url)).filter((l) => leasesBefore.some((b) => b.name === l.name) && l.expires_at.getTime() > upAt);
    const exited = central.child.exitCode ?? central.child.signalCode ?? null;
    return {
      agents: shape.agents,
      seconds: shape.seconds,
      down_seconds: shape.downSeconds,
      phases: result.phases,
      ready_after_restart_ms: readyMs,
      leases_renewed: renewed.length,
      leases_before: leasesBefore.length,
      stream_events_after_restart: stream.countSince(upAt),
      central_exited: exited,
    };
  } finally {
    stream?.close();
    await central?.stop();
    await server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
