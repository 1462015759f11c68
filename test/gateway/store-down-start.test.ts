/**
 * When things are down: a gateway on MongoDB keeps a last-known-good snapshot in its data
 * directory; started while the MongoDB-protocol server is down, it serves evaluations from that
 * snapshot (/readyz 200 "stale", vexil_snapshot_age_seconds, vexil_store_up 0, writes
 * STORE_UNAVAILABLE) and, when the server is back, resynchronises from the store: the store's
 * state (changed meanwhile) is served and pushed to live subscriptions, /readyz is ready, and
 * writes work.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import {
  codeOf,
  createEvaluationKeyAt,
  dataOf,
  newAdminSecret,
  startTestGateway,
  type TestGateway,
  tempDir,
} from '../support/gateway.js';
import { Admin, eventually, LiveClients, valuesOf } from '../support/live-clients.js';
import { type MongoTestServer, startMongoTestServer } from '../support/mongo-java-server.js';

const FLAG = 'checkout';
const EVALUATE = `query($context: JSON!) { evaluate(key: "${FLAG}", context: $context) { value } }`;
const PRO = { targetingKey: 'user-1', plan: 'pro' };

let mongo: MongoTestServer;
let dataDir: string;
const adminKey = newAdminSecret();
let evalKey: string;
const started: TestGateway[] = [];
const clients = new LiveClients(() => started.at(-1)!.endpoint);

const startGateway = async (config: Record<string, unknown> = {}) => {
  const gw = await startTestGateway({ dataDir, adminKey, seed: false, config: { mongodbUri: mongo.uri, ...config } });
  started.push(gw);
  return gw;
};
const evaluate = async (gw: TestGateway) =>
  dataOf(await gw.gql<{ evaluate: { value: unknown } }, unknown>(EVALUATE, { context: PRO }, evalKey)).evaluate.value;
const readyz = async (gw: TestGateway) => {
  const response = await fetch(`${gw.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; staleSince?: string } };
};
const metric = async (gw: TestGateway, name: string) => {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

beforeAll(async () => {
  mongo = await startMongoTestServer();
  dataDir = await tempDir('vexil-lkg-');
}, 180_000);

afterAll(async () => {
  await clients.closeAll();
  for (const gw of started) await gw.stop({ keepDataDir: true }).catch(() => undefined);
  await mongo?.close();
});

describe('a gateway started with its store down', () => {
  it('serves the last-known-good snapshot and recovers when the store comes back', async () => {
    if (!mongo.canSimulateOutage) return; // an external MONGODB_URI cannot be stopped
    // 1. A gateway on the live store writes the snapshot after every change (throttled).
    const first = await startGateway({ snapshotIntervalMs: 50 });
    await new Admin(first.endpoint, adminKey).createFlag(booleanFlag(FLAG) as unknown as Record<string, unknown>);
    evalKey = await createEvaluationKeyAt(first.endpoint, adminKey, 'app', PROD);
    // The key reaches the gateway's registry through the change feed.
    await eventually(() => first.gateway.keys.authenticate(evalKey) !== null, 'the new key to be known', 15_000);
    expect(await evaluate(first)).toBe(true);
    const snapshotFile = join(dataDir, 'last-known-good.json');
    await eventually(
      async () => {
        const text = await readFile(snapshotFile, 'utf8').catch(() => '{}');
        const snapshot = JSON.parse(text) as { flags?: Array<{ key: string }>; apiKeys?: unknown[] };
        return (snapshot.flags ?? []).some((flag) => flag.key === FLAG) && (snapshot.apiKeys ?? []).length >= 2;
      },
      'the snapshot to hold the flag and the keys',
      15_000,
    );
    // Read after the stop: shutdown flushes one last snapshot, which is the one the next start uses.
    await first.stop({ keepDataDir: true });
    const snapshot = JSON.parse(await readFile(snapshotFile, 'utf8')) as Record<string, unknown>;
    expect(snapshot).toMatchObject({ format: 'vexil-last-known-good', version: 1, store: 'mongodb' });
    expect(JSON.stringify(snapshot)).not.toContain(evalKey); // key hashes only

    // 2. The store changes while no gateway watches (the snapshot does not know), then goes down.
    const store = await openStore({ mongodbUri: mongo.uri });
    await store.toggleFlag(FLAG, PROD, false, undefined, { actor: 'test' });
    await store.close();
    await mongo.stop();

    // 3. Started with MongoDB down: evaluations from the snapshot, stale, writes refused.
    const second = await startGateway({ storeRetryMaxMs: 1000 });
    expect(await evaluate(second)).toBe(true);
    const stale = await readyz(second);
    expect(stale.status).toBe(200);
    expect(stale.body.status).toBe('stale');
    expect(stale.body.staleSince).toBe(snapshot.takenAt);
    const age = (Date.now() - Date.parse(snapshot.takenAt as string)) / 1000;
    expect(await metric(second, 'vexil_snapshot_age_seconds')).toBeGreaterThanOrEqual(age - 1);
    expect(await metric(second, 'vexil_store_up')).toBe(0);
    const refused = await second.gql(
      `mutation { toggleFlag(key: "${FLAG}", environment: "${PROD}", on: false) { version } }`,
    );
    expect(codeOf(refused)).toBe('STORE_UNAVAILABLE');
    const sub = await clients.evaluations('ws', evalKey, { context: PRO, keys: [FLAG] });
    expect(valuesOf((await sub.nextData()).evaluationsChanged)).toEqual({ [FLAG]: true });

    // 4. The store is back: the gateway resynchronises from it and pushes the change.
    await mongo.start();
    const update = (await sub.nextData(60_000)).evaluationsChanged;
    expect(valuesOf(update)).toEqual({ [FLAG]: false });
    expect(await evaluate(second)).toBe(false);
    await eventually(async () => (await readyz(second)).body.status === 'ready', '/readyz to say ready', 15_000);
    expect((await readyz(second)).status).toBe(200);
    expect(await metric(second, 'vexil_store_up')).toBe(1);
    const written = await second.gql<{ toggleFlag: { version: number } }, unknown>(
      `mutation { toggleFlag(key: "${FLAG}", environment: "${PROD}", on: true) { version } }`,
    );
    expect(dataOf(written).toggleFlag.version).toBe(3);
    await eventually(async () => (await evaluate(second)) === true, 'the write to be served', 15_000);
  }, 180_000);

  it('fails fast with one clear error when there is neither store nor snapshot', async () => {
    if (!mongo.canSimulateOutage) return;
    await mongo.stop();
    try {
      const empty = await tempDir('vexil-lkg-none-');
      await expect(
        startTestGateway({ dataDir: empty, adminKey, seed: false, config: { mongodbUri: mongo.uri } }),
      ).rejects.toThrow(/MongoDB is unreachable while opening the store/);
    } finally {
      await mongo.start();
    }
  }, 60_000);
});
