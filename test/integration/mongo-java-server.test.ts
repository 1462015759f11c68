/**
 * Proves that the bundled mongo-java-server (test/support/mongo-java-server.ts) is a usable
 * MongoDB for the store's tests with the real `mongodb` driver, outages included.
 * With MONGODB_URI set the same checks run against that server, minus the outage ones.
 */
import { connect } from 'node:net';
import {
  MongoClient,
  MongoServerError,
  type ChangeStream,
  type Collection,
  type CommandStartedEvent,
  type Db,
  type ResumeToken,
  type ServerDescriptionChangedEvent,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

interface FlagDoc {
  _id: string;
  key?: string;
  version?: number;
  enabled?: boolean;
}

const external = Boolean(process.env.MONGODB_URI);

let server: MongoTestServer;
let client: MongoClient;
let db: Db;
let collectionCount = 0;

/** A fresh collection per test, so tests share no documents or change events. */
function freshCollection(): Collection<FlagDoc> {
  collectionCount += 1;
  return db.collection<FlagDoc>(`flags_${collectionCount}`);
}

/**
 * Opens a change stream and makes sure the server has registered it: the driver sends the
 * aggregate lazily, and a stream opened without a start point only sees later writes.
 */
async function openStream(
  collection: Collection<FlagDoc>,
  options: { resumeAfter?: ResumeToken } = {},
): Promise<ChangeStream<FlagDoc>> {
  const stream = collection.watch<FlagDoc>([], options);
  if (!options.resumeAfter) expect(await stream.tryNext()).toBeNull();
  return stream;
}

async function nextInsertedId(stream: ChangeStream<FlagDoc>): Promise<string> {
  const change = await stream.next();
  if (change.operationType !== 'insert') throw new Error(`expected an insert, got ${change.operationType}`);
  return change.documentKey._id;
}

/** Resolves true when something accepts TCP connections on the port. */
function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once the client's monitor has marked the server unreachable. Until then an operation
 * may still be sent to the vanished server and fail at once with a MongoNetworkError
 * (ECONNREFUSED), exactly as against a real mongod that just went down.
 */
function outageNoticedBy(mongoClient: MongoClient): Promise<void> {
  return new Promise((resolve) => {
    const listener = (event: ServerDescriptionChangedEvent) => {
      if (event.newDescription.type !== 'Unknown') return;
      mongoClient.off('serverDescriptionChanged', listener);
      resolve();
    };
    mongoClient.on('serverDescriptionChanged', listener);
  });
}

beforeAll(async () => {
  // The first run may build the launcher jar with Maven (half a minute or more).
  server = await startMongoTestServer();
  // Command monitoring lets the outage tests see how the driver resumes change streams.
  client = new MongoClient(server.uri, { monitorCommands: true });
  await client.connect();
  db = client.db(`vexil_test_${process.pid}_${Date.now()}`);
}, 300_000);

afterAll(async () => {
  if (external) await db?.dropDatabase().catch(() => {});
  await client?.close();
  await server?.close();
});

describe('the test MongoDB, used through the mongodb driver', () => {
  it('reports a MongoDB version the 7.x driver accepts', async () => {
    const info = await db.admin().command({ buildInfo: 1 });
    expect(Number(String(info.version).split('.')[0])).toBeGreaterThanOrEqual(4);
  });

  it('stores a document and rejects a duplicate key under a unique index', async () => {
    const flags = freshCollection();
    await flags.createIndex({ key: 1 }, { unique: true });
    await flags.insertOne({ _id: 'a', key: 'checkout-v2' });

    const duplicate = flags.insertOne({ _id: 'b', key: 'checkout-v2' });
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await flags.countDocuments()).toBe(1);
  });

  it('applies findOneAndUpdate only while the expected version is still current', async () => {
    const flags = freshCollection();
    await flags.insertOne({ _id: 'dark-mode', version: 1, enabled: false });

    const updated = await flags.findOneAndUpdate(
      { _id: 'dark-mode', version: 1 },
      { $set: { enabled: true }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    expect(updated).toEqual({ _id: 'dark-mode', version: 2, enabled: true });

    const stale = await flags.findOneAndUpdate(
      { _id: 'dark-mode', version: 1 },
      { $set: { enabled: false }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    expect(stale).toBeNull();
    expect(await flags.findOne({ _id: 'dark-mode' })).toEqual({ _id: 'dark-mode', version: 2, enabled: true });
  });

  it('delivers an insert to an open change stream', async () => {
    const flags = freshCollection();
    const stream = await openStream(flags);
    try {
      await flags.insertOne({ _id: 'beta-banner', enabled: true });
      const change = await stream.next();
      expect(change.operationType).toBe('insert');
      if (change.operationType !== 'insert') return;
      expect(change.documentKey).toEqual({ _id: 'beta-banner' });
      expect(change.fullDocument).toEqual({ _id: 'beta-banner', enabled: true });
    } finally {
      await stream.close();
    }
  });

  it('resumes a change stream from a saved resume token and misses nothing written meanwhile', async () => {
    const flags = freshCollection();
    const first = await openStream(flags);
    let token: ResumeToken;
    try {
      await flags.insertOne({ _id: 'one' });
      expect(await nextInsertedId(first)).toBe('one');
      token = first.resumeToken;
    } finally {
      await first.close();
    }

    // Written while nobody watches.
    await flags.insertMany([{ _id: 'two' }, { _id: 'three' }]);

    const resumed = await openStream(flags, { resumeAfter: token });
    try {
      expect(await nextInsertedId(resumed)).toBe('two');
      expect(await nextInsertedId(resumed)).toBe('three');
    } finally {
      await resumed.close();
    }
  });
});

describe.skipIf(external)('an outage simulated with stop() and start()', () => {
  it('refuses connections while stopped, keeps the data and lets a waiting operation finish after start', async () => {
    const flags = freshCollection();
    await flags.insertOne({ _id: 'before-outage', enabled: true });

    const noticed = outageNoticedBy(client);
    await server.stop();
    expect(await portAcceptsConnections(server.port)).toBe(false);
    await noticed;
    // Issued during the outage: the driver waits for the server (up to serverSelectionTimeoutMS).
    const waiting = flags.findOne({ _id: 'before-outage' });

    await server.start();
    expect(await portAcceptsConnections(server.port)).toBe(true);
    expect(await waiting).toEqual({ _id: 'before-outage', enabled: true });

    await flags.insertOne({ _id: 'after-outage', enabled: false });
    expect(await flags.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'after-outage', enabled: false },
      { _id: 'before-outage', enabled: true },
    ]);
  });

  it('fails an operation when the outage outlasts the server selection timeout', async () => {
    // MongoClient options take precedence over the URI's.
    const impatient = new MongoClient(server.uri, { serverSelectionTimeoutMS: 500 });
    try {
      await impatient.connect();
      const flags = impatient.db(db.databaseName).collection<FlagDoc>('outage_probe');
      const noticed = outageNoticedBy(impatient);
      await server.stop();
      try {
        await noticed;
        await expect(flags.findOne({})).rejects.toMatchObject({ name: 'MongoServerSelectionError' });
      } finally {
        await server.start();
      }
      // Back up: the test's main client (5 s to find the server) gets through.
      expect(await db.collection('outage_probe').findOne({})).toBeNull();
    } finally {
      await impatient.close();
    }
  });

  it('keeps an open change stream going across the outage by resuming it automatically', async () => {
    const flags = freshCollection();
    const stream = await openStream(flags);
    try {
      await flags.insertOne({ _id: 'before' });
      expect(await nextInsertedId(stream)).toBe('before');
      const beforeToken = stream.resumeToken;

      const resumeTokens: unknown[] = [];
      const onCommand = (event: CommandStartedEvent) => {
        const stage = event.commandName === 'aggregate' ? event.command.pipeline?.[0]?.$changeStream : undefined;
        if (stage?.resumeAfter) resumeTokens.push(stage.resumeAfter);
      };
      client.on('commandStarted', onCommand);
      try {
        // The stream is polling when the server goes away; the restart also forgets its cursor.
        const next = nextInsertedId(stream);
        await server.stop();
        await server.start();
        await flags.insertOne({ _id: 'after' });
        expect(await next).toBe('after');
      } finally {
        client.off('commandStarted', onCommand);
      }
      // The driver reopened the stream itself, from the last event it had delivered.
      expect(resumeTokens.length).toBeGreaterThanOrEqual(1);
      expect(resumeTokens.at(-1)).toEqual(beforeToken);
    } finally {
      await stream.close();
    }
  });

  it('resumes a change stream from a token saved before the outage', async () => {
    const flags = freshCollection();
    const stream = await openStream(flags);
    let token: ResumeToken;
    try {
      await flags.insertOne({ _id: 'seen' });
      expect(await nextInsertedId(stream)).toBe('seen');
      token = stream.resumeToken;
    } finally {
      await stream.close();
    }
    await flags.insertOne({ _id: 'unseen-before-outage' });

    await server.stop();
    await server.start();
    await flags.insertOne({ _id: 'after-outage' });

    const resumed = await openStream(flags, { resumeAfter: token });
    try {
      expect(await nextInsertedId(resumed)).toBe('unseen-before-outage');
      expect(await nextInsertedId(resumed)).toBe('after-outage');
    } finally {
      await resumed.close();
    }
  });
});
