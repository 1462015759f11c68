/**
 * Usage counts survive a store outage: the gateway's usage flusher keeps a batch the store refused
 * and writes it with the next flush, and the final flush at shutdown waits for a store that comes
 * back. A real MongoDB-protocol server (mongo-java-server) is stopped and started on the same port.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EvaluateDocument } from '../../src/client/generated/graphql.js';
import { MongoBackend } from '../../src/store/mongo/index.js';
import { FlagStore } from '../../src/store/store.js';
import { PROD } from '../fixtures/gateway/flags.js';
import { dataOf, newAdminSecret, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let mongo: MongoTestServer;
const adminKey = newAdminSecret();

beforeAll(async () => {
  mongo = await startMongoTestServer();
}, 240_000);

afterAll(async () => {
  await mongo?.close();
});

async function evaluate(gw: TestGateway, key: string, times: number): Promise<void> {
  for (let index = 0; index < times; index++)
    dataOf(await gw.gql(EvaluateDocument, { key: 'new_checkout', context: { targetingKey: `u${index}` } }, key));
}

/** Total count of new_checkout in production as stored. */
async function storedCount(store: FlagStore): Promise<number> {
  const usage = await store.readUsage();
  return usage
    .filter((entry) => entry.environment === PROD && entry.flagKey === 'new_checkout')
    .reduce((sum, entry) => sum + entry.count, 0);
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() - started > timeoutMs) return value as T;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const failedFlushes = async (gw: TestGateway) => {
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find((text) => text.startsWith('vexil_store_errors_total{') && text.includes('mergeUsage'));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe.skipIf(Boolean(process.env.MONGODB_URI))('usage flushes on MongoDB across an outage', () => {
  it('keeps the counts of flushes that failed while the store was down and writes them all once it is back', async () => {
    const gw = await startTestGateway({ adminKey, config: { mongodbUri: mongo.uri, usageFlushMs: 100 } });
    try {
      const evalKey = (await gw.createKey('EVALUATION', PROD)).secret;
      await vi.waitFor(() => expect(gw.gateway.keys.authenticate(evalKey)).not.toBeNull(), { timeout: 15_000 });
      await evaluate(gw, evalKey, 5);
      expect(
        await eventually(
          () => storedCount(gw.gateway.store),
          (count) => count === 5,
          10_000,
        ),
      ).toBe(5);

      await mongo.stop();
      await evaluate(gw, evalKey, 7); // served from the snapshot in memory; their flushes fail
      expect(
        await eventually(
          () => failedFlushes(gw),
          (failures) => failures > 0,
          20_000,
        ),
      ).toBeGreaterThan(0);
      await mongo.start();

      expect(
        await eventually(
          () => storedCount(gw.gateway.store),
          (count) => count >= 12,
          20_000,
        ),
      ).toBe(12);
    } finally {
      await gw.stop();
    }
  }, 60_000);

  it('writes the last counts at shutdown even when the store comes back only while the gateway closes', async () => {
    const gw = await startTestGateway({ adminKey, config: { mongodbUri: mongo.uri, usageFlushMs: 3_600_000 } });
    const before = await storedCount(gw.gateway.store);
    const evalKey = (await gw.createKey('EVALUATION', PROD)).secret;
    // The new key reaches the gateway's registry through the change feed.
    await vi.waitFor(() => expect(gw.gateway.keys.authenticate(evalKey)).not.toBeNull(), { timeout: 15_000 });
    await evaluate(gw, evalKey, 4);
    await mongo.stop();
    const closed = gw.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await mongo.start();
    await closed;

    const store = await FlagStore.open(new MongoBackend({ uri: mongo.uri }));
    try {
      expect(await storedCount(store)).toBe(before + 4);
    } finally {
      await store.close();
    }
  }, 60_000);
});
