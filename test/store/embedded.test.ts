/**
 * The embedded (LMDB) store: the shared store contract, plus what only a local, single-owner,
 * in-process store has to prove: directory ownership between processes, durability of acknowledged
 * writes across `kill -9`, and commit order = position order under concurrent commits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FlagEngine } from '../../src/flags/engine.js';
import type { Flag } from '../../src/flags/model.js';
import { DataDirectoryLocked } from '../../src/store/embedded/directory-lock.js';
import { EmbeddedBackend } from '../../src/store/embedded/embedded-backend.js';
import { lockFileName } from '../../src/store/embedded/keys.js';
import { openStore } from '../../src/store/open-store.js';
import { FlagStore } from '../../src/store/store.js';
import { type ChangeRecord, type FeedEvent, StoreUnavailable } from '../../src/store/types.js';
import { defineStoreContract, flagInput } from './contract.js';
import { defineHygieneContract } from './hygiene-contract.js';
import { defineTargetsContract } from './targets-contract.js';
import { defineRolloutContract } from './rollout-contract.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const directories: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vexil-embedded-'));
  directories.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

const embeddedFactory = async (options?: { maxChangeRecords?: number }) => {
  const dataDir = tempDir();
  const make = () =>
    new EmbeddedBackend({
      dataDir,
      ...(options?.maxChangeRecords ? { maxChangeRecords: options.maxChangeRecords } : {}),
    });
  return {
    backend: make(),
    reopen: async () => make(),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
};

defineStoreContract('embedded', embeddedFactory);
defineHygieneContract('embedded', embeddedFactory);
defineTargetsContract('embedded', embeddedFactory);
defineRolloutContract('embedded', embeddedFactory);

/** A child process running test/store/crash-writer.ts, with its stdout split into lines. */
class Child {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private partial = '';
  private readonly listeners = new Set<() => void>();

  constructor(args: string[]) {
    this.process = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const listener of this.listeners) listener();
    });
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Resolves when `test` holds for the lines so far; rejects on exit or timeout. */
  waitFor(test: (lines: string[]) => boolean, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (test(this.lines)) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child timed out; stdout: ${this.lines.slice(-5).join(' | ')}; stderr: ${this.stderr}`));
      }, timeoutMs);
      const onExit = () => {
        done();
        reject(new Error(`child exited; stderr: ${this.stderr}`));
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
        this.process.off('exit', onExit);
      };
      this.listeners.add(check);
      this.process.once('exit', onExit);
      check();
    });
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

const children: Child[] = [];
function child(args: string[]): Child {
  const started = new Child(args);
  children.push(started);
  return started;
}

afterEach(async () => {
  for (const started of children.splice(0)) await started.kill();
});

describe('embedded store: one process owns the data directory', () => {
  it('a second process opening the same directory fails with a clear message', async () => {
    const dataDir = tempDir();
    const backend = new EmbeddedBackend({ dataDir });
    await backend.open();
    const probe = child(['probe', dataDir]);
    const result = await probe.exited;
    expect(result.code).toBe(3);
    expect(probe.stderr).toContain(`Vexil data directory '${dataDir}' is already in use by process ${process.pid}`);
    expect(probe.stderr).toMatch(/Only one process may own a data directory/);
    await backend.close();
    const again = child(['probe', dataDir]);
    expect((await again.exited).code).toBe(0);
    expect(again.lines).toContain('OPENED');
  });

  it('a running owner blocks this process; once it is killed (-9) its stale lock is taken over', async () => {
    const dataDir = tempDir();
    const holder = child(['hold', dataDir]);
    await holder.waitFor((lines) => lines.some((line) => line.startsWith('HELD')));
    const blocked = new EmbeddedBackend({ dataDir });
    const error = await blocked.open().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(DataDirectoryLocked);
    expect((error as Error).message).toContain(`in use by process ${holder.pid}`);
    await holder.kill();
    const owner = new EmbeddedBackend({ dataDir });
    await owner.open();
    expect(JSON.parse(readFileSync(join(dataDir, lockFileName), 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    expect((await owner.listEnvironments()).length).toBe(3);
    await owner.close();
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  });

  it('a stale lock file left by a dead process is taken over', async () => {
    const dataDir = tempDir();
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    writeFileSync(
      join(dataDir, lockFileName),
      JSON.stringify({
        pid: dead.pid,
        hostname: hostname(),
        processStart: '1',
        token: 'old',
        acquiredAt: '2020-01-01T00:00:00.000Z',
      }),
    );
    const backend = new EmbeddedBackend({ dataDir });
    await backend.open();
    expect(JSON.parse(readFileSync(join(dataDir, lockFileName), 'utf8')).pid).toBe(process.pid);
    await backend.close();
  });

  it('the same directory cannot be opened twice in one process; close releases it', async () => {
    const dataDir = tempDir();
    const first = new EmbeddedBackend({ dataDir });
    await first.open();
    const second = new EmbeddedBackend({ dataDir });
    await expect(second.open()).rejects.toThrow(/already in use by process \d+ \(this process\)/);
    await first.close();
    await first.close(); // idempotent
    await second.open();
    await second.close();
  });
});

describe('embedded store: acknowledged writes survive kill -9', () => {
  it('every acknowledged write is there after SIGKILL, and nothing is half there', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    for (let round = 0; round < 3; round++) {
      const writer = child(['write', dataDir, `round${round}`, '4']);
      const acks = () => writer.lines.filter((line) => line.startsWith('ACK '));
      await writer.waitFor(() => acks().length >= 150 + round * 50, 60_000);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 50)));
      await writer.kill();
      const acknowledged = acks().map((line) => {
        const [, key, version] = line.split(' ');
        return { key: key!, version: Number(version) };
      });
      expect(acknowledged.length).toBeGreaterThanOrEqual(150);

      // Restart over the same directory: the dead writer's lock is stale and taken over.
      const store = await FlagStore.open(new EmbeddedBackend({ dataDir }));
      try {
        const snapshot = await store.snapshot();
        const flags = new Map(snapshot.flags.map((flag) => [flag.key, flag]));
        const records: ChangeRecord[] = [];
        for (let from = 0; ; ) {
          const batch = await store.changesSince(from, 1000);
          if (batch === 'too-old') throw new Error('unexpected too-old');
          if (batch.length === 0) break;
          records.push(...batch);
          from = batch.at(-1)!.position;
        }
        // The feed: dense positions from 1, ending at the snapshot's position.
        expect(records.map((record) => record.position)).toEqual(records.map((_, index) => index + 1));
        expect(snapshot.position).toBe(records.length);

        // Every acknowledged write is present: its document at that version or later, and its change record.
        const recorded = new Set(records.map((record) => `${record.ref.kind}/${record.ref.key}@${record.version}`));
        for (const { key, version } of acknowledged) {
          expect(flags.get(key)?.version ?? 0, key).toBeGreaterThanOrEqual(version);
          expect(recorded.has(`flag/${key}@${version}`), `${key}@${version}`).toBe(true);
        }

        // Nothing half there: per document, versions 1..n in the feed, and the last record is the document.
        const lastByRef = new Map<string, ChangeRecord>();
        for (const record of records) {
          const ref = `${record.ref.kind}/${record.ref.environment ?? ''}/${record.ref.key}`;
          const previous = lastByRef.get(ref);
          expect(record.version, ref).toBe((previous?.version ?? 0) + 1);
          expect(record.before, ref).toEqual(previous?.after ?? null);
          lastByRef.set(ref, record);
        }
        const flagRecords = [...lastByRef.values()].filter((record) => record.ref.kind === 'flag');
        expect(flagRecords.length).toBe(flags.size);
        for (const record of flagRecords) {
          const flag = flags.get(record.ref.key);
          expect(flag, record.ref.key).toBeDefined();
          expect(record.after).toEqual(flag);
          expect((flag as Flag).version).toBe(record.version);
        }
        expect((await store.auditLog({}, { first: 1 })).totalCount).toBe(records.length);

        // And the store takes writes again, continuing the feed.
        const next = await store.createFlag(flagInput(`after-crash-${round}`), { actor: 'test' });
        expect(next.version).toBe(1);
        expect((await store.snapshot()).position).toBe(records.length + 1);
      } finally {
        await store.close();
      }
    }
  });
});

describe('embedded store: commit order is position order', () => {
  it('concurrent commits (some conflicting) get dense positions, acknowledged and delivered in position order', async () => {
    const dataDir = tempDir();
    const store = await FlagStore.open(new EmbeddedBackend({ dataDir }));
    try {
      const backend = store.backend;
      const base = await store.createFlag(flagInput('contended'), { actor: 'setup' });
      const start = (await store.snapshot()).position;
      const events: FeedEvent[] = [];
      const subscription = await store.subscribe(start, (event) => events.push(event));
      const resolvedOrder: number[] = [];
      const outcomes = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) => {
          // Every third commit is a stale update of the same flag: it must fail without using a position.
          const commit =
            i % 3 === 2
              ? backend.commit({
                  ref: { kind: 'flag', key: 'contended' },
                  expectedVersion: 99,
                  action: 'update',
                  after: { ...base, version: 100 },
                  meta: { actor: `w${i}` },
                })
              : backend.commit({
                  ref: { kind: 'environment', key: `env-${i}` },
                  expectedVersion: 0,
                  action: 'create',
                  after: { key: `env-${i}`, name: `E${i}`, createdAt: new Date().toISOString() },
                  meta: { actor: `w${i}` },
                });
          return commit.then((record) => {
            resolvedOrder.push(record.position);
            return record;
          });
        }),
      );
      const committed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      expect(committed).toHaveLength(40);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(20);
      // Call order = commit order = position order, with no gaps left by the failed commits.
      expect(committed.map((record) => record.position)).toEqual(Array.from({ length: 40 }, (_, i) => start + 1 + i));
      expect(resolvedOrder).toEqual(committed.map((record) => record.position));
      const expectedActors = Array.from({ length: 60 }, (_, i) => i)
        .filter((i) => i % 3 !== 2)
        .map((i) => `w${i}`);
      expect(committed.map((record) => record.actor)).toEqual(expectedActors);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('feed did not catch up')), 10_000);
        const poll = setInterval(() => {
          if (events.length >= 40) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve();
          }
        }, 5);
      });
      await subscription.close();
      expect(events.map((event) => (event.type === 'change' ? event.record.position : -1))).toEqual(
        committed.map((record) => record.position),
      );
    } finally {
      await store.close();
    }
  });

  it('a subscriber only sees acknowledged changes and never a later position before an earlier one', async () => {
    const dataDir = tempDir();
    const store = await FlagStore.open(new EmbeddedBackend({ dataDir }));
    try {
      const backend = store.backend as EmbeddedBackend;
      const start = (await store.snapshot()).position;
      const seen: Array<{ position: number; acknowledged: number }> = [];
      const subscription = await store.subscribe(start, (event) => {
        if (event.type === 'change')
          seen.push({ position: event.record.position, acknowledged: backend.acknowledgedPosition });
      });
      // Writers of different speeds: slow ones validate big flags, fast ones commit tiny environments.
      const slow = Array.from({ length: 10 }, (_, i) =>
        store.createFlag(
          flagInput(`slow-${i}`, {
            environments: {
              production: {
                on: true,
                offVariation: 'off',
                rules: Array.from({ length: 40 }, (_, r) => ({
                  id: `r${r}`,
                  condition: `userId == "u${i}-${r}"`,
                  serve: { variation: 'on' },
                })),
                defaultServe: { variation: 'off' },
              },
            },
          }),
          { actor: 'slow' },
        ),
      );
      const fast = Array.from({ length: 30 }, (_, i) =>
        store.createEnvironment({ key: `fast-${i}` }, { actor: 'fast' }),
      );
      await Promise.all([...slow, ...fast]);
      const end = (await store.snapshot()).position;
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ((seen.at(-1)?.position ?? 0) >= end) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      await subscription.close();
      expect(seen.map((entry) => entry.position)).toEqual(Array.from({ length: end - start }, (_, i) => start + 1 + i));
      for (const entry of seen) expect(entry.position).toBeLessThanOrEqual(entry.acknowledged);
    } finally {
      await store.close();
    }
  });
});

describe('embedded store: retention and opening', () => {
  it('maxChangeRecords prunes the oldest change records (audit included) in the committing transaction', async () => {
    const dataDir = tempDir();
    const store = await FlagStore.open(new EmbeddedBackend({ dataDir, maxChangeRecords: 4 }));
    try {
      for (let i = 0; i < 6; i++) await store.createFlag(flagInput(`kept-${i}`), { actor: 'test' });
      const audit = await store.auditLog({}, { first: 50 });
      expect(audit.totalCount).toBe(4);
      expect(audit.items.map((record) => record.ref.key)).toEqual(['kept-5', 'kept-4', 'kept-3', 'kept-2']);
      expect((await store.auditLog({ ref: { kind: 'flag', key: 'kept-0' } })).totalCount).toBe(0);
      expect(await store.changesSince(4, 10)).toBe('too-old');
      expect(await store.changesSince(5, 10)).toHaveLength(4);
      expect((await store.listFlags()).totalCount).toBe(6); // documents are never pruned
    } finally {
      await store.close();
    }
    expect(() => new EmbeddedBackend({ dataDir, maxChangeRecords: 0 })).toThrow(RangeError);
  });

  it('openStore opens the embedded store in dataDir, or VEXIL_DATA_DIR by default', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    expect(store.name).toBe('embedded');
    expect(store.feedMode).toBe('in-process');
    expect(existsSync(join(dataDir, 'vexil.mdb'))).toBe(true);
    await store.close();

    const fromEnv = tempDir();
    const saved = process.env.VEXIL_DATA_DIR;
    process.env.VEXIL_DATA_DIR = fromEnv;
    try {
      const defaultStore = await openStore();
      expect((defaultStore.backend as EmbeddedBackend).dataDir).toBe(fromEnv);
      await defaultStore.close();
    } finally {
      if (saved === undefined) delete process.env.VEXIL_DATA_DIR;
      else process.env.VEXIL_DATA_DIR = saved;
    }
  });

  it('startUsageFlush drains the engine periodically, one batch per flush, and keeps a failed batch for the next', async () => {
    const dataDir = tempDir();
    const backend = new EmbeddedBackend({ dataDir });
    const store = await FlagStore.open(backend);
    const engine = new FlagEngine();
    await store.createFlag(flagInput('counted'), { actor: 'test' });
    engine.load(await store.snapshot());
    const evaluate = (times: number) => {
      for (let i = 0; i < times; i++)
        engine.evaluate('counted', { targetingKey: `u${i}` }, { environment: 'production' });
    };
    const errors: unknown[] = [];
    const merges: number[] = [];
    const original = backend.mergeUsage.bind(backend);
    backend.mergeUsage = async (entries) => {
      merges.push(entries.length);
      return original(entries);
    };
    const flusher = store.startUsageFlush(engine.usage, { intervalMs: 60_000, onError: (error) => errors.push(error) });
    evaluate(7);
    await flusher.flush();
    expect(merges).toEqual([1]); // one write for the whole batch
    expect(await store.readUsage()).toMatchObject([
      { environment: 'production', flagKey: 'counted', variation: 'on', count: 7 },
    ]);

    // Outage: the batch is kept and merged with the next one.
    backend.mergeUsage = async () => {
      throw new StoreUnavailable('down');
    };
    evaluate(5);
    await flusher.flush();
    expect(errors).toHaveLength(1);
    expect(flusher.pendingEntries).toBe(1);
    backend.mergeUsage = original;
    evaluate(2);
    await flusher.stop();
    expect(flusher.pendingEntries).toBe(0);
    const [stat] = await store.readUsage();
    expect(stat!.count).toBe(14);
    expect(Number.isNaN(Date.parse(stat!.lastEvaluatedAt))).toBe(false);
    await store.close();
  });

  it('operations on a closed store fail with StoreUnavailable', async () => {
    const store = await FlagStore.open(new EmbeddedBackend({ dataDir: tempDir() }));
    await store.close();
    await expect(store.getFlag('x')).rejects.toMatchObject({ name: 'StoreUnavailable' });
    await expect(store.createFlag(flagInput('x'), { actor: 'a' })).rejects.toMatchObject({ name: 'StoreUnavailable' });
    expect(await store.health()).toMatchObject({ ok: false });
  });
});
