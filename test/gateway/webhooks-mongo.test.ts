/**
 * Webhooks with two gateways on one MongoDB-protocol store (mongo-java-server): both dispatchers
 * derive and claim from the same outbox, and every change reaches the receiver exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlagDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { dataOf, newAdminSecret, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';
import { createWebhook, deliveriesOf } from '../support/webhook-api.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';

const CHANGES = 20;

let mongo: MongoTestServer;
let a: TestGateway;
let b: TestGateway;
let hook: WebhookReceiver;

beforeAll(async () => {
  mongo = await startMongoTestServer();
  hook = await new WebhookReceiver().start();
  const adminKey = newAdminSecret();
  const env = { VEXIL_WEBHOOK_POLL_MS: '20', VEXIL_WEBHOOK_RETRY_BASE_MS: '100', VEXIL_WEBHOOK_RETRY_CAP_MS: '200' };
  const config = { mongodbUri: `${mongo.uri.replace(/\/?$/, '')}/webhooks_${process.pid}` };
  a = await startTestGateway({ adminKey, seed: false, env, config });
  b = await startTestGateway({ adminKey, seed: false, env, config });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await hook?.close();
  await mongo?.close();
});

describe.skipIf(Boolean(process.env.MONGODB_URI))(
  'webhooks with two gateways on one MongoDB store',
  { timeout: 120_000 },
  () => {
    it('delivers each of 20 changes exactly once, whichever gateway made it', async () => {
      const { id } = await createWebhook(a.gql, hook.url, ['FLAG_CREATED', 'FLAG_TOGGLED']);
      dataOf(await a.gql(CreateFlagDocument, { input: booleanFlag('shared_flag') }));
      for (let i = 1; i < CHANGES; i += 1) {
        const through = i % 2 === 0 ? a : b;
        dataOf(await through.gql(ToggleFlagDocument, { key: 'shared_flag', environment: PROD, on: i % 2 === 0 }));
      }
      await waitFor(
        `${CHANGES} delivered`,
        async () => (await deliveriesOf(b.gql, id)).filter((d) => d.status === 'DELIVERED').length === CHANGES,
        90_000,
      );
      // Both dispatchers keep polling; a duplicate would show up within a few of their rounds.
      const seen = hook.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(hook.requests.length).toBe(seen);
      const counts = hook.countsByDelivery();
      expect(counts.size).toBe(CHANGES);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      const positions = hook.requests.map((request) => JSON.parse(request.body).position as number);
      expect(new Set(positions).size).toBe(CHANGES);
      for (const delivery of await deliveriesOf(a.gql, id)) expect(delivery.attempts).toHaveLength(1);
    });
  },
);
