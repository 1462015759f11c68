/**
 * The MongoDB store: the shared store contract (in change-stream and in polling mode), plus what only
 * a shared, transaction-less database has to prove: a writer killed between any two steps leaves
 * nothing half-visible, a slow writer's position is never skipped by the feed, an outage makes writes
 * fail fast and costs a subscriber nothing, and two writer processes keep positions and versions
 * consistent. Runs on the bundled mongo-java-server, or on MONGODB_URI when set (then without the
 * outage tests, which need to stop and start the server).
 */
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlagEngine } from '../../src/flags/engine.js';
import type { Flag } from '../../src/flags/model.js';
import { EngineSync } from '../../src/store/engine-sync.js';
import { toStoreError } from '../../src/store/mongo/errors.js';
import { collectionNames, type MongoBackend } from '../../src/store/mongo/index.js';
import { StoreUnavailable, type ChangeRecord } from '../../src/store/types.js';
import { defineStoreContract, type ContractFactory } from './contract.js';
import { defineHygieneContract } from './hygiene-contract.js';
import { defineTargetsContract } from './targets-contract.js';
import { defineRolloutContract } from './rollout-contract.js';
import { Collector, createFlag, deferred, MongoTestbed, rejection, sleep, updateFlag } from './mongo-helpers.js';

const external = Boolean(process.env.MONGODB_URI);
const bed = new MongoTestbed();

beforeAll(() => bed.start(), 300_000);
afterEach(() => bed.afterEach());
afterAll(() => bed.stop());

function contractFactory(feedMode: 'auto' | 'polling'): ContractFactory {
  return async (options) => {
    const database = bed.freshDatabase();
    const retention = options?.maxChangeRecords ? { retention: { keepChanges: options.maxChangeRecords } } : {};
    const make = () => bed.backend(database, { feedMode, ...retention });
    return { backend: make(), reopen: async () => make(), cleanup: () => bed.dropDatabase(database) };
  };
}

defineStoreContract('mongodb (change streams)', contractFactory('auto'));
defineStoreContract('mongodb (polling)', contractFactory('polling'));
defineHygieneContract('mongodb', contractFactory('auto'));
defineTargetsContract('mongodb', contractFactory('auto'));
defineRolloutContract('mongodb', contractFactory('auto'));

/** Raw view of a store's database, bypassing the backend. */
function raw(backend: MongoBackend) {
  const db = bed.admin.db(backend.options.database);
  return {
    change: (position: number) => db.collection<{ _id: number }>(collectionNames.changes).findOne({ _id: position }),
    changes: () => db.collection<{ _id: number }>(collectionNames.changes).find().sort({ _id: 1 }).toArray(),
    flag: (key: string) => db.collection<{ _id: string }>(collectionNames.flags).findOne({ _id: key }),
    feedCounter: async () =>
      (await db.collection<{ _id: string; position: number }>(collectionNames.counters).findOne({ _id: 'feed' }))
        ?.position,
    db,
  };
}

describe('mongodb store: collections, seeding, feed mode', () => {
  it('creates its collections and indexes idempotently; two processes opening an empty database at once seed it once', async () => {
    const database = bed.freshDatabase();
    const [one, two] = await Promise.all([bed.openBackend(database), bed.openBackend(database)]);
    expect((await one.listEnvironments()).map((environment) => environment.key)).toEqual([
      'development',
      'staging',
      'production',
    ]);
    expect((await two.auditLog({ ref: { kind: 'environment' } }, {})).totalCount).toBe(3);
    const names = (await raw(one).db.listCollections().toArray()).map((collection) => collection.name).sort();
    expect(names).toEqual(Object.values(collectionNames).sort());
    const indexes = await raw(one).db.collection(collectionNames.changes).indexes();
    expect(indexes.find((index) => index.name === 'one_change_per_doc_seq')).toMatchObject({
      key: { doc: 1, seq: 1 },
      unique: true,
    });
    await (await bed.openBackend(database)).close(); // a third open changes nothing
    expect((await one.auditLog({}, {})).totalCount).toBe(3);
  });

  it('uses change streams where the deployment supports them and says so: feedMode, health, one log line', async () => {
    const logged: Array<[object, string]> = [];
    const logger = { info: (fields: object, message: string) => logged.push([fields, message]), warn: () => {} };
    const backend = await bed.openBackend(bed.freshDatabase(), { logger });
    // mongo-java-server serves change streams; an external standalone mongod would not (then: polling).
    if (!external) expect(backend.feedMode).toBe('change-stream');
    expect(await backend.health()).toMatchObject({ ok: true, store: 'mongodb', feedMode: backend.feedMode });
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toMatchObject({ feedMode: backend.feedMode });
  });

  it("polls when configured with feedMode: 'polling', and the feed still delivers in order", async () => {
    const logged: Array<[object, string]> = [];
    const logger = { info: (fields: object, message: string) => logged.push([fields, message]), warn: () => {} };
    const backend = await bed.openBackend(bed.freshDatabase(), { feedMode: 'polling', logger });
    expect(backend.feedMode).toBe('polling');
    expect(await backend.health()).toMatchObject({ ok: true, feedMode: 'polling' });
    expect(logged.map(([fields]) => fields)).toEqual([expect.objectContaining({ feedMode: 'polling' })]);
    const start = (await backend.snapshot()).position;
    const collector = await Collector.start(backend, start);
    await createFlag(backend, 'polled');
    await updateFlag(backend, 'polled', 1);
    await collector.waitForPositions([start + 1, start + 2]);
    await collector.close();
  });

  it('persists the change stream resume token per instance in feedCursors', async () => {
    const database = bed.freshDatabase();
    const backend = await bed.openBackend(database, { instanceId: 'gateway-a' });
    const collector = await Collector.start(backend, (await backend.snapshot()).position);
    await createFlag(backend, 'tokened');
    await vi.waitFor(() => expect(collector.changes).toHaveLength(1), { timeout: 10_000 });
    await collector.close();
    // The feed saves its cursor soon after a change, without holding the change back for the write.
    await vi.waitFor(
      async () => {
        const cursor = await raw(backend)
          .db.collection(collectionNames.feedCursors)
          .findOne({ _id: 'gateway-a' as never });
        expect(cursor).toMatchObject({ position: collector.positions[0] });
        expect(cursor?.resumeToken).toBeTruthy();
      },
      { timeout: 10_000 },
    );
  });

  it('merges usage with one bulk write per flush (totals and hourly buckets together)', async () => {
    const backend = await bed.openBackend(bed.freshDatabase(), { clientOptions: { monitorCommands: true } });
    const updates: CommandStartedEvent[] = [];
    backend.client.on('commandStarted', (event) => {
      if (event.commandName === 'update' && event.command.update === collectionNames.usage) updates.push(event);
    });
    const at = '2025-01-01T00:00:00.000Z';
    await backend.mergeUsage([
      { environment: 'production', flagKey: 'a', variation: 'on', count: 2, lastEvaluatedAt: at },
      { environment: 'production', flagKey: 'a', variation: 'off', count: 1, lastEvaluatedAt: at },
      { environment: 'staging', flagKey: 'b', variation: 'on', count: 7, lastEvaluatedAt: at },
    ]);
    expect(updates).toHaveLength(1);
    // Each counter's total and its hourly bucket, in the same bulk write.
    expect(updates[0]!.command.updates).toHaveLength(6);
  });
});

describe('mongodb store: usage of two gateway instances', () => {
  it('two backends (two clients) flushing the same new counters at once: totals and hourly buckets hold the sum', async () => {
    const database = bed.freshDatabase();
    const [one, two] = await Promise.all([bed.openBackend(database), bed.openBackend(database)]);
    const at = '2026-03-01T10:20:00.000Z';
    const flush = (count: number) => [
      { environment: 'production', flagKey: 'both', variation: 'on', count, lastEvaluatedAt: at },
      { environment: 'production', flagKey: 'both', variation: null, count: 1, lastEvaluatedAt: at },
    ];
    await Promise.all([
      ...Array.from({ length: 5 }, () => one.mergeUsage(flush(2))),
      ...Array.from({ length: 5 }, () => two.mergeUsage(flush(3))),
    ]);
    const totals = (await one.readUsage({ flagKey: 'both' })).map((stat) => [stat.variation, stat.count]).sort();
    expect(totals).toEqual([
      [null, 10],
      ['on', 25],
    ]);
    const buckets = (await two.readUsageBuckets({ environment: 'production', flagKey: 'both' }))
      .map((bucket) => [bucket.hour, bucket.variation, bucket.count])
      .sort();
    expect(buckets).toEqual([
      ['2026-03-01T10:00:00.000Z', null, 10],
      ['2026-03-01T10:00:00.000Z', 'on', 25],
    ]);
  });
});

const failpoints = ['after-reserve', 'after-record', 'after-materialise'] as const;

describe('mongodb store: a writer killed at each step leaves nothing half-visible', () => {
  for (const step of failpoints) {
    it(`killed ${step}`, { timeout: 60_000 }, async () => {
      const database = bed.freshDatabase();
      const setup = await bed.openBackend(database);
      const created = await createFlag(setup, 'victim');
      const p = created.position + 1; // the position the doomed writer reserves

      const child = bed.child(['commit', database, 'victim', '1'], { VEXIL_FAILPOINT: step });
      const exit = await child.exited;
      expect(exit, child.stderr).toEqual({ code: null, signal: 'SIGKILL' });
      expect(child.lines).toEqual([]); // never acknowledged

      // What the crash left, seen raw: a reserved position, and a record only from after-record on.
      const view = raw(setup);
      expect(await view.feedCounter()).toBe(p);
      if (step === 'after-reserve') {
        expect(await view.change(p)).toBeNull();
        await checkHoleSettles(database, created.position, p);
      } else {
        expect(await view.change(p)).toMatchObject({ version: 2, seq: 2 });
        expect(await view.flag('victim')).toMatchObject({ _v: step === 'after-record' ? 1 : 2 });
        await checkRolledForward(setup, database, created.position, p);
      }
    });
  }

  /** The hole is tombstoned after the grace period; the feed moves on; the flag is untouched. */
  async function checkHoleSettles(database: string, before: number, hole: number): Promise<void> {
    const fresh = await bed.openBackend(database, { gapGraceMs: 200 });
    expect((await fresh.get({ kind: 'flag', key: 'victim' }))?.version).toBe(1);
    const collector = await Collector.start(fresh, before);
    await vi.waitFor(async () => expect(await raw(fresh).change(hole)).toMatchObject({ tombstone: true }), {
      timeout: 10_000,
    });
    const next = await updateFlag(fresh, 'victim', 1);
    expect(next.position).toBe(hole + 1);
    await collector.waitForPositions([hole + 1]);
    await collector.close();
    expect(await fresh.changesSince(before, 10)).toEqual([next]);
    expect(
      (await fresh.auditLog({ ref: { kind: 'flag', key: 'victim' } }, {})).items.map((record) => record.version),
    ).toEqual([2, 1]);
    expect((await fresh.snapshot()).position).toBe(hole + 1);
  }

  /** The committed change is visible everywhere: rolled forward lazily (get) and at start-up (open). */
  async function checkRolledForward(
    setup: MongoBackend,
    database: string,
    before: number,
    position: number,
  ): Promise<void> {
    // Lazily, in the backend that was open before the crash: reading the document rolls it forward.
    expect((await setup.get({ kind: 'flag', key: 'victim' }))?.version).toBe(2);
    expect(await raw(setup).flag('victim')).toMatchObject({ _v: 2, _seq: 2 });
    // And a fresh backend sees it whole: document, list, snapshot, audit, feed.
    const fresh = await bed.openBackend(database);
    expect((await fresh.get({ kind: 'flag', key: 'victim' }))?.version).toBe(2);
    expect((await fresh.listFlags({}, {})).items.map((flag) => flag.version)).toEqual([2]);
    const snapshot = await fresh.snapshot();
    expect(snapshot.position).toBe(position);
    expect(snapshot.flags.map((flag) => flag.version)).toEqual([2]);
    const feed = (await fresh.changesSince(before, 10)) as ChangeRecord[];
    expect(feed.map((record) => [record.position, record.version, record.actor])).toEqual([[position, 2, 'child']]);
    expect((await fresh.auditLog({ ref: { kind: 'flag', key: 'victim' } }, {})).totalCount).toBe(2);
    await updateFlag(fresh, 'victim', 2);
  }

  it('a change committed but never materialised is rolled forward when a backend opens', async () => {
    const database = bed.freshDatabase();
    const setup = await bed.openBackend(database);
    await createFlag(setup, 'victim');
    const child = bed.child(['commit', database, 'victim', '1'], { VEXIL_FAILPOINT: 'after-record' });
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(await raw(setup).flag('victim')).toMatchObject({ _v: 1 });
    await bed.openBackend(database); // start-up repair, nothing read yet
    expect(await raw(setup).flag('victim')).toMatchObject({ _v: 2 });
  });
});

for (const feedMode of ['auto', 'polling'] as const) {
  describe(`mongodb store: a slow writer is never skipped by the feed (${feedMode === 'auto' ? 'change streams' : 'polling'})`, () => {
    /** A writer paused between reserving its position and inserting its record, and a fast one. */
    async function setup(gapGraceMs: number) {
      const database = bed.freshDatabase();
      const gate = deferred();
      const reserved = deferred<number>();
      let armed = false;
      const afterReserve = async (position: number) => {
        if (!armed) return;
        armed = false;
        reserved.resolve(position);
        await gate.promise;
      };
      const slow = await bed.openBackend(database, { hooks: { afterReserve } });
      const fast = await bed.openBackend(database);
      const reader = await bed.openBackend(database, { feedMode, gapGraceMs });
      await createFlag(fast, 'slow-flag');
      await createFlag(fast, 'fast-flag');
      const start = (await reader.snapshot()).position;
      const collector = await Collector.start(reader, start);
      armed = true;
      const slowCommit = updateFlag(slow, 'slow-flag', 1);
      const position = await reserved.promise;
      const fastRecord = await updateFlag(fast, 'fast-flag', 1);
      return { reader, collector, slowCommit, position, fastRecord, start, release: () => gate.resolve() };
    }

    it('a later change waits while an earlier position is still being written', async () => {
      const { reader, collector, slowCommit, position, fastRecord, start, release } = await setup(10_000);
      expect(position).toBe(start + 1);
      expect(fastRecord.position).toBe(start + 2);
      await sleep(800); // several polls / stream round trips
      expect(collector.positions).toEqual([]);
      expect(await reader.changesSince(start, 10)).toEqual([]);
      expect((await reader.snapshot()).position).toBe(start);
      release();
      expect((await slowCommit).position).toBe(start + 1);
      await collector.waitForPositions([start + 1, start + 2]);
      await collector.close();
    });

    it('a hole older than the grace period is tombstoned; the slow writer then commits at a new position', async () => {
      const { reader, collector, slowCommit, position, fastRecord, release } = await setup(300);
      await collector.waitForPositions([fastRecord.position]);
      expect(await raw(reader).change(position)).toMatchObject({ tombstone: true });
      release();
      const slowRecord = await slowCommit;
      expect(slowRecord.position).toBeGreaterThan(fastRecord.position);
      expect(slowRecord.version).toBe(2);
      await collector.waitForPositions([fastRecord.position, slowRecord.position]);
      await collector.close();
      const audit = await reader.auditLog({ ref: { kind: 'flag', key: 'slow-flag' } }, {});
      expect(audit.items.map((record) => [record.position, record.version])).toEqual([
        [slowRecord.position, 2],
        [position - 2, 1],
      ]);
    });
  });
}

describe.skipIf(external)('mongodb store: outage (needs the bundled server; skipped when MONGODB_URI is set)', () => {
  it('writes fail fast with StoreUnavailable, evaluations go on from memory, and the feed misses nothing', {
    timeout: 60_000,
  }, async () => {
    const database = bed.freshDatabase();
    const writer = await bed.openBackend(database, { serverSelectionTimeoutMS: 1000 });
    const reader = await bed.openBackend(database, { serverSelectionTimeoutMS: 1000 });
    let version = (await createFlag(writer, 'lamp')).version;
    const engine = new FlagEngine();
    const sync = new EngineSync(reader, engine);
    await sync.start();
    const collector = await Collector.start(reader, sync.position);
    const acknowledged: number[] = [];
    const write = async () => {
      const record = await updateFlag(writer, 'lamp', version);
      version = record.version;
      acknowledged.push(record.position);
    };
    for (let i = 0; i < 3; i++) await write();

    await bed.server.stop();
    try {
      const started = Date.now();
      const error = await rejection(write());
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(/MongoDB is unreachable while committing a change \(not acknowledged\)/);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await writer.health()).toMatchObject({ ok: false, store: 'mongodb' });
      expect(engine.evaluate('lamp', { targetingKey: 'u1' }, { environment: 'production' }).value).toBe(true);
    } finally {
      await bed.server.start();
    }

    // Back: the first write may still find the server unknown for a heartbeat; then all go through.
    await vi.waitFor(write, { timeout: 10_000, interval: 200 });
    for (let i = 0; i < 3; i++) await write();
    await collector.waitForPositions(acknowledged, 20_000);
    expect(await sync.waitForFlag('lamp', version, 10_000)).toBe(true);
    expect(collector.changes.map((record) => record.version)).toEqual(
      Array.from({ length: acknowledged.length }, (_, i) => i + 2),
    );
    await collector.close();
    await sync.close();
  });
});

describe('mongodb store: telling a lost connection from a refused operation', () => {
  it("takes Node's own socket errors (a write racing the server's death) for an unreachable database", () => {
    // What the outage test once got instead of StoreUnavailable, raw from the socket.
    const ended = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    const wrapped = toStoreError(ended, 'committing a change (not acknowledged)');
    expect(wrapped).toBeInstanceOf(StoreUnavailable);
    expect((wrapped as Error).message).toMatch(/MongoDB is unreachable while committing a change \(not acknowledged\)/);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ERR_SOCKET_CLOSED'])
      expect(toStoreError(Object.assign(new Error(code), { code }), 'reading')).toBeInstanceOf(StoreUnavailable);
    // Anything else is the operation's own failure, and stays as it is.
    const refused = Object.assign(new Error('not allowed'), { code: 'EACCES' });
    expect(toStoreError(refused, 'reading')).toBe(refused);
  });
});

describe('mongodb store: two writer processes on one database', () => {
  it('keep positions dense and versions consistent; every acknowledged write has exactly one record', {
    timeout: 120_000,
  }, async () => {
    const database = bed.freshDatabase();
    const setup = await bed.openBackend(database, { gapGraceMs: 200 });
    const keys = ['k0', 'k1', 'k2'];
    for (const key of keys) await createFlag(setup, key);
    const writes = 40;
    const writers = ['w1', 'w2'].map((name) => bed.child(['write', database, name, String(writes), keys.join(',')]));
    for (const writer of writers) expect(await writer.exited, writer.stderr).toEqual({ code: 0, signal: null });

    const acks = writers.flatMap((writer) => writer.lines.filter((line) => line.startsWith('ACK ')).map(parseAck));
    expect(acks).toHaveLength(2 * writes);
    // Settle the feed: a first read notices any hole, a read after the grace period tombstones it.
    await setup.snapshot();
    await sleep(300);
    const snapshot = await setup.snapshot();
    const docs = await raw(setup).changes();
    // Dense: every reserved position holds a record or a tombstone.
    expect(docs.map((doc) => doc._id)).toEqual(Array.from({ length: snapshot.position }, (_, i) => i + 1));
    expect(await raw(setup).feedCounter()).toBe(snapshot.position);

    const records = (await setup.changesSince(0, 10_000)) as ChangeRecord[];
    const byPosition = new Map(records.map((record) => [record.position, record]));
    for (const ack of acks)
      expect(byPosition.get(ack.position)).toMatchObject({ ref: { kind: 'flag', key: ack.key }, version: ack.version });
    for (const key of keys) {
      const versions = records
        .filter((record) => record.ref.kind === 'flag' && record.ref.key === key)
        .map((record) => record.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1)); // one record per version, in order
      const latest = records.filter((record) => record.ref.key === key).at(-1)!;
      expect(await setup.get({ kind: 'flag', key })).toEqual(latest.after as Flag);
      expect(snapshot.flags.find((flag) => flag.key === key)).toEqual(latest.after as Flag);
    }
    // No change without an acknowledgement: 3 environments, 3 creates, and the acknowledged writes.
    expect(records).toHaveLength(3 + keys.length + acks.length);
  });
});

function parseAck(line: string): { position: number; key: string; version: number } {
  const [, position, key, version] = line.split(' ');
  return { position: Number(position), key: key!, version: Number(version) };
}
