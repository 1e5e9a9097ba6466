import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@cloudoptim/contracts';
import type { DbLogger } from './logger.ts';

/** The lock file's name inside the data directory. */
export const LOCK_FILE_NAME = 'cloudoptim.lock';
const TAKEOVER_SUFFIX = '.takeover';
/** A takeover marker older than this is itself stale (its process died mid-takeover). */
const TAKEOVER_STALE_MS = 10_000;
/** An unreadable lock file younger than this is being written by its creator, not stale. */
const FRESH_UNREADABLE_MS = 5_000;

/** What the lock file holds (JSON). */
export interface LockHolder {
  pid: number;
  hostname: string;
  started_at: string;
  token: string;
}

/** A held data-directory lock. `release()` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): void;
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string') return parsed as LockHolder;
    return undefined;
  } catch {
    return undefined; // missing, half-written or not JSON
  }
}

/** Tokens of the locks this process holds: tells our own open lock from one a previous run left behind. */
const heldTokens = new Set<string>();

/**
 * True when the lock's holder still runs. A pid alone is not enough: in a container every run is often the
 * same pid (1, or 7), so a lock left by a crashed run would look held forever. The holder is alive only when
 * its pid exists *and* (for our own pid) we hold that token, or (for another pid, where Linux tells) that
 * process started before the lock was written.
 */
function isHolderAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid) return heldTokens.has(holder.token);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startedMs = processStartMs(holder.pid);
  const lockedMs = Date.parse(holder.started_at);
  // The pid was reused by a process that started after the lock was taken (2 s of slack for clock ticks).
  if (startedMs !== undefined && Number.isFinite(lockedMs) && startedMs > lockedMs + 2_000) return false;
  return true;
}

/** Start time of a process (epoch ms) from /proc, or undefined where /proc does not tell (not Linux). */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks since boot) follows the command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

function fileAgeMs(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? Date.now() - stat.mtimeMs : Number.POSITIVE_INFINITY;
}

function tryCreate(lockPath: string, holder: LockHolder): boolean {
  try {
    fs.writeFileSync(lockPath, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function lockedError(dataDir: string, lockPath: string, holder: LockHolder | undefined, why: string): AppError {
  const who = holder ? `process ${holder.pid} on host ${holder.hostname} (since ${holder.started_at})` : 'another process';
  return new AppError(
    'DATA_DIR_LOCKED',
    `The data directory ${dataDir} is in use by ${who}: ${why}. Stop that process, or use another data directory. ` +
      `If you are sure no process uses it, delete ${lockPath}.`,
    { data_dir: dataDir, lock_file: lockPath, holder_pid: holder?.pid ?? null, holder_hostname: holder?.hostname ?? null },
  );
}

/**
 * Takes the exclusive lock on an embedded-database directory (PGlite corrupts data when two processes open one
 * directory). Creates `dataDir` when missing, then creates `<dataDir>/cloudoptim.lock` with O_EXCL holding pid,
 * hostname and start time.
 *
 * - Lock held by a live process on this host (including this process) → AppError DATA_DIR_LOCKED naming the
 *   directory and the holder pid.
 * - Lock held from another host → DATA_DIR_LOCKED (its pid cannot be checked from here).
 * - Holder dead (or the file unreadable) → the stale lock is taken over and a warning logged. Takeovers are
 *   serialised by a second O_EXCL marker file so two starting processes cannot both take over.
 */
export function acquireDataDirLock(dataDir: string, log: DbLogger): DataDirLock {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, LOCK_FILE_NAME);
  const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), started_at: new Date().toISOString(), token: randomUUID() };

  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath, holder)) return heldLock(lockPath, holder);
    const current = readHolder(lockPath);
    if (current && current.hostname !== holder.hostname) {
      throw lockedError(dir, lockPath, current, 'the lock was taken on another host');
    }
    if (current && isHolderAlive(current)) {
      throw lockedError(dir, lockPath, current, current.pid === process.pid ? 'this process already has it open' : 'that process is still running');
    }
    if (!current && fileAgeMs(lockPath) < FRESH_UNREADABLE_MS) {
      // Just created by another process that has not written its pid yet.
      throw lockedError(dir, lockPath, undefined, 'its lock file is being written');
    }
    if (takeOverStale(lockPath, current, holder, log)) return heldLock(lockPath, holder);
    // Someone else changed the lock meanwhile: look again.
  }
  throw lockedError(dir, lockPath, readHolder(lockPath), 'the lock kept changing while trying to take it');
}

function takeOverStale(lockPath: string, stale: LockHolder | undefined, holder: LockHolder, log: DbLogger): boolean {
  const marker = lockPath + TAKEOVER_SUFFIX;
  if (!tryCreate(marker, holder)) {
    const age = fileAgeMs(marker);
    if (age > TAKEOVER_STALE_MS && age !== Number.POSITIVE_INFINITY) fs.rmSync(marker, { force: true });
    return false;
  }
  try {
    // Re-read under the marker: only replace the exact lock we judged stale.
    const now = readHolder(lockPath);
    if (now?.token !== stale?.token || (now && isHolderAlive(now))) return false;
    fs.rmSync(lockPath, { force: true });
    if (!tryCreate(lockPath, holder)) return false;
    log.warn({ lockFile: lockPath, stalePid: stale?.pid ?? null, staleStartedAt: stale?.started_at ?? null }, 'took over a stale data directory lock (its process is gone)');
    return true;
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

function heldLock(lockPath: string, holder: LockHolder): DataDirLock {
  heldTokens.add(holder.token);
  let released = false;
  return {
    path: lockPath,
    holder,
    release() {
      if (released) return;
      released = true;
      heldTokens.delete(holder.token);
      // Remove the file only while it is still ours.
      if (readHolder(lockPath)?.token === holder.token) fs.rmSync(lockPath, { force: true });
    },
  };
}
