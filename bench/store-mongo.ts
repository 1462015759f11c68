/**
 * MongoDB store benchmark (built code: run `npx tsc -p tsconfig.json` first, then
 * `npx tsx bench/store-mongo.ts`). Starts its own mongo-java-server through the test helper
 * (test/support/mongo-java-server.ts), or uses MONGODB_URI when set.
 *
 * 1. Write throughput: flag updates per second (change record = audit entry + feed entry, then the
 *    materialised flag), through FlagStore (validation included) and through backend.commit alone,
 *    with one writer and with concurrent writers.
 * 2. Change-feed latency: from a write being acknowledged in this process to a SECOND process,
 *    subscribed through its own MongoBackend, seeing it (p50, p99): change streams, then polling.
 * 3. Snapshot: time to read a 10,000-flag snapshot (`backend.snapshot()`) and to load (compile) it
 *    into a fresh FlagEngine, in a backend opened afresh (targets: feed p99 < 200 ms, snapshot < 2 s).
 *
 * Options (environment): BENCH_FLAGS (default 10000), BENCH_FEED_WRITES (default 400). Arguments
 * pick parts: `npx tsx bench/store-mongo.ts feed snapshot` (default: writes, feed and snapshot).
 * Note: mongo-java-server is an in-memory Java server (C1-only JIT, serial GC here), not mongod;
 * a real MongoDB has other costs (journal, network) and a faster query engine.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FlagStore } from '../dist/store/index.js';
import { MongoBackend } from '../dist/store/mongo/index.js';
import { startMongoTestServer, type MongoTestServer } from '../test/support/mongo-java-server.js';
import { flagDocument, measureSnapshotLoads, ms, nearestRank } from './lib/store-fixtures.js';

type Flag = Awaited<ReturnType<FlagStore['createFlag']>>;

const flagCount = Number(process.env.BENCH_FLAGS ?? 10_000);
const feedWrites = Number(process.env.BENCH_FEED_WRITES ?? 400);
const meta = { actor: 'bench' };
const silent = { info: () => {}, warn: () => {} };
const distMongo = fileURLToPath(new URL('../dist/store/mongo/index.js', import.meta.url));
let server!: MongoTestServer;
let databases = 0;
const parts = process.argv.slice(2);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);

const now = () => performance.timeOrigin + performance.now();

/** A complete flag document, for backend.commit (which does not validate or fill in fields). */
function storedFlag(key: string, version = 1): Flag {
  const at = new Date().toISOString();
  return {
    ...flagDocument(key),
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    archived: false,
    version,
    salt: key,
  } as unknown as Flag;
}

function freshDatabase(name: string): string {
  databases += 1;
  return `vexil_bench_${process.pid}_${databases}_${name}`;
}

function backendOn(database: string, options: Record<string, unknown> = {}): MongoBackend {
  return new MongoBackend({ uri: server.uri, database, logger: silent, ...options });
}

async function writeThroughput(): Promise<void> {
  const store = await FlagStore.open(backendOn(freshDatabase('writes')));
  const writers = 16;
  const flags: Flag[] = await Promise.all(
    Array.from({ length: writers }, (_, i) => store.createFlag(flagDocument(`w${i}`), meta)),
  );

  // Warm-up (the Java server's JIT, the driver's pool).
  let current = flags[0]!;
  for (let i = 0; i < 300; i++)
    current = await store.toggleFlag(current.key, 'production', i % 2 !== 0, current.version, meta);

  // One writer: each update waits for the previous one's acknowledgement.
  const sequential = 500;
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < sequential; i++) {
    const start = performance.now();
    current = await store.toggleFlag(current.key, 'production', i % 2 !== 0, current.version, meta);
    latencies.push(performance.now() - start);
  }
  const sequentialSeconds = (performance.now() - t0) / 1000;

  // Many writers, each updating its own flag.
  const perWriter = 40;
  const t1 = performance.now();
  await Promise.all(
    flags.map(async (flag, index) => {
      let version = index === 0 ? current.version : flag.version;
      for (let i = 0; i < perWriter; i++)
        version = (await store.toggleFlag(flag.key, 'staging', i % 2 !== 0, version, meta)).version;
    }),
  );
  const concurrentSeconds = (performance.now() - t1) / 1000;

  // backend.commit alone (no FlagStore validation reads): the storage cost.
  const backend = store.backend;
  const rawLatencies: number[] = [];
  let rawFlag = (await backend.get({ kind: 'flag', key: 'w1' })) as Flag;
  const t2 = performance.now();
  for (let i = 0; i < sequential; i++) {
    const start = performance.now();
    const record = await backend.commit({
      ref: { kind: 'flag', key: rawFlag.key },
      expectedVersion: rawFlag.version,
      action: 'update',
      after: { ...rawFlag, version: rawFlag.version + 1 },
      meta,
    });
    rawLatencies.push(performance.now() - start);
    rawFlag = record.after as Flag;
  }
  const rawSeconds = (performance.now() - t2) / 1000;
  const audit = await store.auditLog({}, { first: 1 });
  await store.close();

  console.log('## Write throughput (acknowledged commits, audit entry included)');
  console.log(
    `  1 writer, FlagStore.toggleFlag   : ${(sequential / sequentialSeconds).toFixed(0)} flag updates/s (latency p50 ${ms(nearestRank(latencies, 50))}, p99 ${ms(nearestRank(latencies, 99))})`,
  );
  console.log(
    `  ${writers} writers, FlagStore.toggleFlag : ${((writers * perWriter) / concurrentSeconds).toFixed(0)} flag updates/s`,
  );
  console.log(
    `  1 writer, backend.commit         : ${(sequential / rawSeconds).toFixed(0)} flag updates/s (latency p50 ${ms(nearestRank(rawLatencies, 50))}, p99 ${ms(nearestRank(rawLatencies, 99))})`,
  );
  console.log(`  audit entries written: ${audit.totalCount}`);
}

/** A second Node process subscribed through its own MongoBackend (built code), printing what it sees. */
function startSubscriber(database: string, from: number, feedMode: 'auto' | 'polling') {
  const script = `
    const { MongoBackend } = await import(${JSON.stringify(distMongo)});
    const backend = new MongoBackend({ uri: ${JSON.stringify(server.uri)}, database: ${JSON.stringify(database)}, feedMode: ${JSON.stringify(feedMode)}, logger: { info() {}, warn() {} } });
    await backend.open();
    await backend.subscribe(${from}, (event) => {
      if (event.type === 'change') process.stdout.write('SEEN ' + event.record.position + ' ' + (performance.timeOrigin + performance.now()).toFixed(3) + '\\n');
    });
    process.stdout.write('READY ' + backend.feedMode + '\\n');
    setInterval(() => {}, 1 << 30);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seen = new Map<number, number>();
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`subscriber exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [word, a, b] = line.split(' ');
      if (word === 'READY') resolve(a!);
      if (word === 'SEEN') seen.set(Number(a), Number(b));
    });
  });
  return { child, seen, ready };
}

async function feedLatency(feedMode: 'auto' | 'polling'): Promise<void> {
  const database = freshDatabase(`feed-${feedMode}`);
  const backend = backendOn(database);
  await backend.open();
  let flag = (
    await backend.commit({
      ref: { kind: 'flag', key: 'lamp' },
      expectedVersion: 0,
      action: 'create',
      after: storedFlag('lamp'),
      meta,
    })
  ).after as Flag;
  const subscriber = startSubscriber(database, (await backend.snapshot()).position, feedMode);
  const mode = await subscriber.ready;
  const acknowledged = new Map<number, number>();
  // Writes spaced out, so each latency is measured on its own rather than queued behind the others.
  for (let i = 0; i < feedWrites; i++) {
    const record = await backend.commit({
      ref: { kind: 'flag', key: 'lamp' },
      expectedVersion: flag.version,
      action: 'update',
      after: { ...flag, version: flag.version + 1 },
      meta,
    });
    acknowledged.set(record.position, now());
    flag = record.after as Flag;
    await new Promise((resolve) => setTimeout(resolve, 5 + (i % 7) * 3));
  }
  const deadline = Date.now() + 10_000;
  while (subscriber.seen.size < acknowledged.size && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  subscriber.child.kill('SIGKILL');
  await backend.close();
  const latencies = [...acknowledged].map(([position, at]) => subscriber.seen.get(position)! - at);
  const missing = latencies.filter((latency) => Number.isNaN(latency)).length;
  const measured = latencies.filter((latency) => !Number.isNaN(latency));
  console.log(
    `  ${mode.padEnd(13)} acknowledged → seen by another process: p50 ${ms(nearestRank(measured, 50))}, p99 ${ms(nearestRank(measured, 99))}, max ${ms(Math.max(...measured))} (${measured.length} changes${missing ? `, ${missing} NOT SEEN` : ''})`,
  );
}

async function snapshotLoad(): Promise<void> {
  const database = freshDatabase('snapshot');
  const seeder = backendOn(database);
  await seeder.open();
  const tSeed = performance.now();
  // Seeded through backend.commit (documents valid by construction), 64 at a time.
  for (let offset = 0; offset < flagCount; offset += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, flagCount - offset) }, (_, i) => {
        const key = `flag-${String(offset + i).padStart(5, '0')}`;
        return seeder.commit({
          ref: { kind: 'flag', key },
          expectedVersion: 0,
          action: 'create',
          after: storedFlag(key),
          meta,
        });
      }),
    );
  }
  const seedSeconds = (performance.now() - tSeed) / 1000;
  await seeder.close();

  const tOpen = performance.now();
  const reader = backendOn(database);
  await reader.open();
  const openMs = performance.now() - tOpen;
  await measureSnapshotLoads(() => reader.snapshot(), flagCount, [
    `seeding: ${(flagCount / seedSeconds).toFixed(0)} flag creates/s through backend.commit (64 concurrent)`,
    `open() of a fresh backend over it (indexes, feed probe, roll-forward check): ${ms(openMs)}`,
  ]);
  await reader.close();
}

try {
  server = await startMongoTestServer();
  console.log(
    `Vexil MongoDB store benchmark — node ${process.version}, ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'mongo-java-server (test helper)'} at ${server.uri}`,
  );
  if (wanted('writes')) await writeThroughput();
  if (wanted('feed')) {
    console.log('## Change-feed latency (a second process)');
    await feedLatency('auto');
    await feedLatency('polling');
  }
  if (wanted('snapshot')) await snapshotLoad();
} finally {
  await server?.close();
}
