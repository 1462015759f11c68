/**
 * One process owns a data directory. LMDB itself happily lets many processes share an environment,
 * so ownership is a lock file of our own: `<dataDir>/vexil.lock` holding the owner's pid, host, process
 * start time and a random token.
 *
 * - Acquire: the content is written to a private temporary file, which is then hard-linked to the lock
 *   name. `link` fails atomically with EEXIST when the lock exists, so there is never a moment where
 *   the lock exists without its content.
 * - A lock whose owner no longer runs (same host; pid gone, or pid reused by a process that started at
 *   a different time) is stale: it is moved aside with an atomic `rename`, checked to still be the stale
 *   lock we examined, removed, and the acquisition retried.
 * - A lock held by a running process fails the start with a `DataDirectoryLocked` error naming the
 *   directory and the owner.
 * - Released on `close()`, and on a normal process exit as a fallback. After `kill -9` the lock stays
 *   behind and the next start takes it over as stale.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { lockFileName } from './keys.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** Process start time as the kernel reports it (Linux: /proc/<pid>/stat field 22), or null. */
  processStart: string | null;
  token: string;
  acquiredAt: string;
}

export class DataDirectoryLocked extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly directory: string,
    readonly owner: LockOwner | null,
  ) {
    const who = owner
      ? `process ${owner.pid}${owner.hostname !== hostname() ? ` on host ${owner.hostname}` : owner.pid === process.pid ? ' (this process)' : ''}, since ${owner.acquiredAt}`
      : 'another process';
    super(
      `Vexil data directory '${directory}' is already in use by ${who}. ` +
        'Only one process may own a data directory: stop the other process, or point VEXIL_DATA_DIR at another directory. ' +
        `(Lock file: ${join(directory, lockFileName)}${owner ? '' : ', unreadable; delete it if no Vexil process uses this directory'}.)`,
    );
    this.name = 'DataDirectoryLocked';
  }
}

/** Start time of a process, to tell a reused pid from the original owner; null where unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** Whether the owner recorded in a lock file is certainly gone. Locks of other hosts are never stale. */
function isStale(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  if (!processRuns(owner.pid)) return true;
  const start = processStartTime(owner.pid);
  return owner.processStart !== null && start !== null && start !== owner.processStart;
}

const held = new Set<DirectoryLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of held) lock.releaseSync();
  });
}

export class DirectoryLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {}

  /** Takes ownership of `directory` (which must exist), or throws `DataDirectoryLocked`. */
  static acquire(directory: string): DirectoryLock {
    const dir = resolve(directory);
    const path = join(dir, lockFileName);
    const owner: LockOwner = {
      pid: process.pid,
      hostname: hostname(),
      processStart: processStartTime(process.pid),
      token: randomBytes(12).toString('hex'),
      acquiredAt: new Date().toISOString(),
    };
    const temporary = `${path}.${process.pid}.${owner.token}.tmp`;
    const fd = openSync(temporary, 'wx');
    try {
      writeSync(fd, `${JSON.stringify(owner)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(temporary, path);
          const lock = new DirectoryLock(path, owner);
          held.add(lock);
          installExitHook();
          return lock;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const current = readOwner(path);
        if (current === 'missing') continue; // released meanwhile: try again
        if (current === null) {
          // Unreadable content cannot come from DirectoryLock (content is linked in whole); refuse rather than guess.
          throw new DataDirectoryLocked(dir, null);
        }
        if (!isStale(current)) throw new DataDirectoryLocked(dir, current);
        DirectoryLock.removeStale(path, current, owner.token);
      }
      throw new DataDirectoryLocked(dir, null);
    } finally {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    }
  }

  /** Moves a stale lock aside, making sure it is the one examined (not a fresh lock taken meanwhile). */
  private static removeStale(path: string, stale: LockOwner, token: string): void {
    const aside = `${path}.stale.${token}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
      throw error;
    }
    const moved = readOwner(aside);
    if (moved !== 'missing' && moved !== null && moved.token !== stale.token) {
      // Another process took the lock over between our read and our rename: put its lock back.
      try {
        linkSync(aside, path);
      } catch {
        // a third process holds it now; either way the lock is not ours to take
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      // ignore
    }
  }

  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    const current = readOwner(this.path);
    if (current !== 'missing' && current !== null && current.token === this.owner.token) {
      try {
        unlinkSync(this.path);
      } catch {
        // ignore
      }
    }
  }
}
