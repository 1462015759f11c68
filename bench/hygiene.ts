/**
 * Flag-hygiene benchmark (built code: `npx tsc -p tsconfig.json`, then `npx tsx bench/hygiene.ts`,
 * or `npm run bench -- hygiene`), on the embedded store and on MongoDB (mongo-java-server, or
 * MONGODB_URI):
 *
 * 1. Usage flushes: hourly flushes of every flag × 3 environments × 2 variations (plus FLAG_NOT_FOUND
 *    counts of the archived flags), each adding to the totals and to the hour's buckets.
 * 2. `Flag.usage` reads: one flag's buckets of 30 days in one environment.
 * 3. The stale-flag report over every flag (40 days later, so reasons hold), with the flags given (as
 *    the gateway runs it, from its engine) and read from the store, and again after a code-reference
 *    report of the repository. Target: under 1 s for 10,000 flags.
 *
 * The clock is injected, so the flushes land in distinct hours without waiting.
 * Options (environment): BENCH_FLAGS (default 10000), BENCH_HOURS (flushes, default 24),
 * BENCH_STORES (default "embedded,mongodb"), BENCH_SEED ("bulk": on MongoDB, the usage history of all
 * but the last 3 hours is inserted straight through the driver (bench/lib/usage-bulk-seed.ts) and only
 * those 3 flushes run and are measured; the same documents, minutes instead of a quarter of an hour).
 * mongo-java-server's default heap (512 MB) does not hold 10,000 flags × 24 hours of buckets (~1.4M
 * documents; it drops the connection): give it more, e.g. MONGO_TEST_SERVER_JAVA_OPTS="-Xmx3g".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedBackend, FlagStore, type StoreBackend } from '../dist/store/index.js';
import { MongoBackend } from '../dist/store/mongo/index.js';
import { startMongoTestServer } from '../test/support/mongo-java-server.js';
import { flagDocument, ms, nearestRank } from './lib/store-fixtures.js';
import { bulkSeedUsage } from './lib/usage-bulk-seed.js';

type UsageEntry = Parameters<FlagStore['mergeUsage']>[0][number];

const flagCount = Number(process.env.BENCH_FLAGS ?? 10_000);
const hours = Number(process.env.BENCH_HOURS ?? 24);
const stores = (process.env.BENCH_STORES ?? 'embedded,mongodb').split(',');
const bulkSeed = process.env.BENCH_SEED === 'bulk';
const environments = ['development', 'staging', 'production'];
const start = Date.parse('2026-03-01T00:00:00.000Z');
const hourMs = 3600 * 1000;
const meta = { actor: 'bench' };

async function seed(store: FlagStore): Promise<string[]> {
  const keys = Array.from({ length: flagCount }, (_, i) => `h${String(i).padStart(5, '0')}`);
  for (let i = 0; i < keys.length; i += 250) {
    await Promise.all(
      keys
        .slice(i, i + 250)
        .map((key, j) =>
          store.createFlag({ ...flagDocument(key, 1), kind: (i + j) % 4 === 0 ? 'release' : 'ops' }, meta),
        ),
    );
  }
  // Every tenth flag archived: its callers' FLAG_NOT_FOUND requests are counted.
  for (let i = 0; i < keys.length; i += 10 * 50)
    await Promise.all(
      keys
        .slice(i, i + 500)
        .filter((_, j) => j % 10 === 0)
        .map((key) => store.archiveFlag(key, undefined, meta)),
    );
  return keys;
}

function flushOf(keys: string[], at: string): UsageEntry[] {
  const entries: UsageEntry[] = [];
  keys.forEach((flagKey, index) => {
    for (const environment of environments) {
      if (index % 10 === 0) entries.push({ environment, flagKey, variation: null, count: 3, lastEvaluatedAt: at });
      else
        for (const variation of ['on', 'off'])
          entries.push({ environment, flagKey, variation, count: 1 + ((index * 7) % 50), lastEvaluatedAt: at });
    }
  });
  return entries;
}

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await body();
  return { value, ms: performance.now() - t0 };
}

/** Where bulk seeding writes (MongoDB only). */
interface BulkTarget {
  uri: string;
  database: string;
}

async function measure(name: string, backend: StoreBackend, bulk?: BulkTarget): Promise<void> {
  let now = start;
  const store = await FlagStore.open(backend, { now: () => new Date(now) });
  try {
    const seeding = await timed(() => seed(store));
    const keys = seeding.value;
    console.log(`\n${name}: ${flagCount} flags seeded in ${(seeding.ms / 1000).toFixed(1)} s`);
    const flushes: number[] = [];
    let entries = 0;
    const seededHours = bulk ? Math.max(0, hours - 3) : 0;
    if (bulk) {
      const history = Array.from({ length: seededHours }, (_, hour) =>
        flushOf(keys, new Date(start + hour * hourMs + 30 * 60 * 1000).toISOString()),
      );
      const seeded = await timed(() => bulkSeedUsage(bulk.uri, bulk.database, history));
      console.log(`  usage of ${seededHours} hours bulk-inserted in ${(seeded.ms / 1000).toFixed(1)} s`);
    }
    for (let hour = seededHours; hour < hours; hour++) {
      now = start + hour * hourMs + 30 * 60 * 1000;
      const batch = flushOf(keys, new Date(now).toISOString());
      entries = batch.length;
      flushes.push((await timed(() => store.mergeUsage(batch))).ms);
    }
    console.log(
      `  usage flush (${entries} entries, ${hours - seededHours} hours measured): p50 ${ms(nearestRank(flushes, 50))}, max ${ms(Math.max(...flushes))}`,
    );
    const usageReads: number[] = [];
    for (let i = 0; i < 50; i++) {
      const flagKey = keys[(i * 197) % keys.length]!;
      usageReads.push(
        (
          await timed(() =>
            store.readUsageBuckets({
              environment: 'production',
              flagKey,
              since: new Date(now - 720 * hourMs).toISOString(),
            }),
          )
        ).ms,
      );
    }
    console.log(
      `  Flag.usage read (one flag, 30 days of buckets): p50 ${ms(nearestRank(usageReads, 50))}, p99 ${ms(nearestRank(usageReads, 99))}`,
    );
    now = start + 40 * 24 * hourMs;
    // The gateway passes its engine's flags (in memory); the store alone reads a snapshot.
    const { flags } = await store.snapshot();
    await report(store, 'stale report, flags from the engine (as the gateway runs it)', flags);
    await report(store, 'stale report, flags read from the store');
    // What the report reads, one read at a time (it runs them concurrently).
    const reads: Array<[string, () => Promise<unknown>]> = [
      ['flags (snapshot)', () => backend.snapshot()],
      ['usage totals', () => backend.readUsage()],
      ['code references', () => backend.readCodeReferences()],
    ];
    const parts: string[] = [];
    for (const [label, read] of reads) parts.push(`${label} ${ms((await timed(read)).ms)}`);
    console.log(`    its reads, one at a time: ${parts.join(', ')}`);
    const referenced = keys
      .filter((_, index) => index % 3 !== 0)
      .map((key) => ({ key, count: 2, locations: [`src/${key}.ts:10`, `src/${key}.ts:42`] }));
    const saved = await timed(() =>
      store.reportCodeReferences({
        repository: 'github.com/acme/shop',
        scannedAt: new Date(now).toISOString(),
        flags: referenced,
      }),
    );
    console.log(`  code-reference report of ${referenced.length} flags saved in ${ms(saved.ms)}`);
    await report(store, 'stale report with code references, flags from the engine', flags);
  } finally {
    await store.close();
  }
}

type Flags = NonNullable<NonNullable<Parameters<FlagStore['staleFlags']>[0]>['flags']>;

async function report(store: FlagStore, label: string, flags?: Flags): Promise<void> {
  const runs: number[] = [];
  let result: Awaited<ReturnType<FlagStore['staleFlags']>> = [];
  for (let run = 0; run < 5; run++) {
    const measured = await timed(() => store.staleFlags({ environment: 'production', ...(flags ? { flags } : {}) }));
    runs.push(measured.ms);
    result = measured.value;
  }
  const byCode = new Map<string, number>();
  for (const entry of result)
    for (const reason of entry.reasons) byCode.set(reason.code, (byCode.get(reason.code) ?? 0) + 1);
  const codes = [...byCode].map(([code, count]) => `${code} ${count}`).join(', ');
  const p50 = nearestRank(runs, 50);
  console.log(
    `  ${label}: p50 ${ms(p50)}, max ${ms(Math.max(...runs))} over ${flagCount} flags (${p50 < 1000 ? 'under' : 'OVER'} 1 s); ${result.length} flags listed: ${codes}`,
  );
}

console.log(`Vexil flag-hygiene benchmark — node ${process.version}, ${flagCount} flags, ${hours} hourly flushes`);
if (stores.includes('embedded')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vexil-bench-hygiene-'));
  try {
    await measure('embedded', new EmbeddedBackend({ dataDir }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
if (stores.includes('mongodb')) {
  const server = await startMongoTestServer();
  try {
    const database = `bench_hygiene_${Date.now()}`;
    await measure(
      `mongodb (${process.env.MONGODB_URI ? 'MONGODB_URI' : 'mongo-java-server'})`,
      new MongoBackend({ uri: server.uri, database, logger: { info() {}, warn() {} } }),
      bulkSeed ? { uri: server.uri, database } : undefined,
    );
  } finally {
    await server.close();
  }
}
