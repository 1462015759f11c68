/**
 * Embedded store benchmark (built code: run `npx tsc -p tsconfig.json` first, then
 * `npx tsx bench/store-embedded.ts`).
 *
 * 1. Write throughput: flag updates per second through FlagStore (validation, version check, change
 *    record = audit entry, durable commit), with one writer and with many concurrent writers.
 * 2. Change-feed latency: from a write being acknowledged to an in-process subscriber seeing it (p50/p99).
 * 3. Snapshot: time to read a 10,000-flag snapshot and to load (compile) it into a fresh FlagEngine.
 *
 * Options (environment): BENCH_DIR (default: a temp dir), BENCH_FLAGS (default 10000).
 * Arguments: any of `writes`, `feed`, `snapshot` to run only those parts (default: all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedBackend, FlagStore } from '../dist/store/index.js';
import { flagDocument, measureSnapshotLoads, ms, nearestRank } from './lib/store-fixtures.js';

type Flag = Awaited<ReturnType<FlagStore['createFlag']>>;

const flagCount = Number(process.env.BENCH_FLAGS ?? 10_000);
const root = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'vexil-bench-'));
const meta = { actor: 'bench' };
const parts = process.argv.slice(2);
const wanted = (part: string): boolean => parts.length === 0 || parts.includes(part);

async function openAt(name: string): Promise<FlagStore> {
  return FlagStore.open(new EmbeddedBackend({ dataDir: join(root, name) }));
}

async function writeThroughput(): Promise<void> {
  const store = await openAt('writes');
  const writers = 64;
  const flags: Flag[] = await Promise.all(
    Array.from({ length: writers }, (_, i) => store.createFlag(flagDocument(`w${i}`), meta)),
  );

  // One writer: each update waits for the previous one's durable commit.
  const sequential = 500;
  const latencies: number[] = [];
  let current = flags[0]!;
  const t0 = performance.now();
  for (let i = 0; i < sequential; i++) {
    const start = performance.now();
    current = await store.toggleFlag(current.key, 'production', i % 2 !== 0, current.version, meta);
    latencies.push(performance.now() - start);
  }
  const sequentialSeconds = (performance.now() - t0) / 1000;

  // Many writers, each updating its own flag: commits of one event turn share one LMDB transaction.
  const perWriter = 80;
  const t1 = performance.now();
  await Promise.all(
    flags.map(async (flag, index) => {
      let version = index === 0 ? current.version : flag.version;
      for (let i = 0; i < perWriter; i++) {
        const updated = await store.toggleFlag(flag.key, 'staging', i % 2 !== 0, version, meta);
        version = updated.version;
      }
    }),
  );
  const concurrentSeconds = (performance.now() - t1) / 1000;

  // The same through backend.commit alone (no validation), to show the storage cost.
  const backend = store.backend;
  const raw = 5000;
  const t2 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let i = 0; i < raw / writers; i++) {
        const key = `raw-${writer}-${i}`;
        await backend.commit({
          ref: { kind: 'environment', key },
          expectedVersion: 0,
          action: 'create',
          after: { key, name: key, createdAt: new Date().toISOString() },
          meta,
        });
      }
    }),
  );
  const rawSeconds = (performance.now() - t2) / 1000;
  const audit = await store.auditLog({}, { first: 1 });
  await store.close();

  console.log('## Write throughput (durable commits, audit entry included)');
  console.log(
    `  1 writer     : ${(sequential / sequentialSeconds).toFixed(0)} flag updates/s (latency p50 ${ms(nearestRank(latencies, 50))}, p99 ${ms(nearestRank(latencies, 99))})`,
  );
  console.log(
    `  ${writers} writers   : ${((writers * perWriter) / concurrentSeconds).toFixed(0)} flag updates/s (FlagStore.toggleFlag with validation)`,
  );
  console.log(
    `  ${writers} writers   : ${(raw / rawSeconds).toFixed(0)} commits/s (backend.commit only, small documents)`,
  );
  console.log(`  audit entries written: ${audit.totalCount}`);
}

async function feedLatency(): Promise<void> {
  const store = await openAt('feed');
  const flags: Flag[] = await Promise.all(
    Array.from({ length: 32 }, (_, i) => store.createFlag(flagDocument(`f${i}`), meta)),
  );
  const acknowledgedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const seenAt = new Map<string, number>();
  const { position } = await store.snapshot();
  const subscription = await store.subscribe(position, (event) => {
    if (event.type === 'change') seenAt.set(`${event.record.ref.key}@${event.record.version}`, performance.now());
  });

  // Sequential: one write at a time.
  let flag = flags[0]!;
  for (let i = 0; i < 1000; i++) {
    const id = `${flag.key}@${flag.version + 1}`;
    startedAt.set(id, performance.now());
    flag = await store.toggleFlag(flag.key, 'production', i % 2 !== 0, flag.version, meta);
    acknowledgedAt.set(id, performance.now());
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const sequential = [...acknowledgedAt].map(([id, at]) => seenAt.get(id)! - at);
  const fromStart = [...acknowledgedAt.keys()].map((id) => seenAt.get(id)! - startedAt.get(id)!);

  // Under load: 31 concurrent writers.
  acknowledgedAt.clear();
  await Promise.all(
    flags.slice(1).map(async (start) => {
      let current = start;
      for (let i = 0; i < 60; i++) {
        const record = await store.backend.commit({
          ref: { kind: 'flag', key: current.key },
          expectedVersion: current.version,
          action: 'toggle',
          after: { ...current, version: current.version + 1, updatedAt: new Date().toISOString() },
          meta,
        });
        acknowledgedAt.set(`${current.key}@${record.version}`, performance.now());
        current = record.after as Flag;
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const loaded = [...acknowledgedAt].map(([id, at]) => seenAt.get(id)! - at);
  await subscription.close();
  await store.close();

  console.log('## Change-feed latency (in-process subscriber)');
  console.log(
    `  acknowledged → seen, 1 writer   : p50 ${ms(nearestRank(sequential, 50))}, p99 ${ms(nearestRank(sequential, 99))} (${sequential.length} changes)`,
  );
  console.log(
    `  write start → seen, 1 writer    : p50 ${ms(nearestRank(fromStart, 50))}, p99 ${ms(nearestRank(fromStart, 99))}`,
  );
  console.log(
    `  acknowledged → seen, 31 writers : p50 ${ms(nearestRank(loaded, 50))}, p99 ${ms(nearestRank(loaded, 99))} (${loaded.length} changes)`,
  );
}

async function snapshotLoad(): Promise<void> {
  const store = await openAt('snapshot');
  const backend = store.backend;
  const now = new Date().toISOString();
  const tSeed = performance.now();
  // Seeded through backend.commit (documents are valid by construction), 500 at a time.
  for (let offset = 0; offset < flagCount; offset += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, flagCount - offset) }, (_, i) => {
        const key = `flag-${String(offset + i).padStart(5, '0')}`;
        const after = {
          ...flagDocument(key),
          createdAt: now,
          updatedAt: now,
          expiresAt: null,
          archived: false,
          version: 1,
          salt: key,
        } as unknown as Flag;
        return backend.commit({ ref: { kind: 'flag', key }, expectedVersion: 0, action: 'create', after, meta });
      }),
    );
  }
  const seedSeconds = (performance.now() - tSeed) / 1000;
  await store.close();

  const reopened = await openAt('snapshot');
  await measureSnapshotLoads(() => reopened.backend.snapshot(), flagCount, [
    `seeding: ${(flagCount / seedSeconds).toFixed(0)} flag creates/s through backend.commit`,
  ]);
  await reopened.close();
}

try {
  console.log(`Vexil embedded store benchmark — node ${process.version}, data in ${root}`);
  if (wanted('writes')) await writeThroughput();
  if (wanted('feed')) await feedLatency();
  if (wanted('snapshot')) await snapshotLoad();
} finally {
  if (!process.env.BENCH_DIR) rmSync(root, { recursive: true, force: true });
}
