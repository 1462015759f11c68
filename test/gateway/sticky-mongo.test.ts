/**
 * Sticky assignments with two gateways on one MongoDB-protocol store (mongo-java-server): the first
 * recorded assignment is served by both, after the weights change and after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, newAdminSecret, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';
import { createFlag, evaluateUsers, setTreatment, stickyExperiment, users } from '../support/sticky-api.js';
import { waitFor } from '../support/webhook-receiver.js';

let mongo: MongoTestServer;
let a: TestGateway;
let b: TestGateway;
const adminKey = newAdminSecret();
let config: { mongodbUri: string };

beforeAll(async () => {
  mongo = await startMongoTestServer();
  config = { mongodbUri: `${mongo.uri.replace(/\/?$/, '')}/sticky_${process.pid}` };
  a = await startTestGateway({ adminKey, seed: false, config });
  b = await startTestGateway({ adminKey, seed: false, config });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await mongo?.close();
});

const variationsOf = (evaluations: Array<{ variation: string | null }>) => evaluations.map((e) => e.variation);

describe.skipIf(Boolean(process.env.MONGODB_URI))(
  'sticky assignments on one MongoDB store',
  { timeout: 180_000 },
  () => {
    it('agree across two gateways and survive a weight change and a restart', async () => {
      dataOf(await createFlag(a, stickyExperiment('shared_exp')));
      const first = await evaluateUsers(a, 'shared_exp', users);
      expect(new Set(variationsOf(first))).toEqual(new Set(['control', 'treatment']));
      // b learns a's assignments from the store (polled every second), then serves them whatever the weights.
      await waitFor(
        'b learns the assignments',
        async () => b.gateway.engine.sticky.count('production', 'shared_exp') === users.length,
        60_000,
      );
      await setTreatment(b, 'shared_exp', 100);
      await waitFor(
        'a sees the new weights',
        async () => (await evaluateUsers(a, 'shared_exp', ['fresh-a']))[0]!.variation === 'treatment',
        60_000,
      );
      expect(await evaluateUsers(b, 'shared_exp', users)).toEqual(first);
      expect(await evaluateUsers(a, 'shared_exp', users)).toEqual(first);
      await a.stop();
      a = await startTestGateway({ adminKey, seed: false, config });
      expect(await evaluateUsers(a, 'shared_exp', users)).toEqual(first);
    });

    it('keep the first recorded assignment when both gateways assign one key', async () => {
      dataOf(await createFlag(a, stickyExperiment('race_exp')));
      await setTreatment(a, 'race_exp', 100);
      await waitFor(
        'b sees the flag',
        async () =>
          b.gateway.engine.flag('race_exp')?.environments.production?.defaultServe.rollout?.weights[1]?.weight ===
          100_000,
        60_000,
      );
      // a records "treatment" for racer; b, unaware of it, is made to assign "control" after a's write landed.
      await evaluateUsers(a, 'race_exp', ['racer']);
      await waitFor(
        'a wrote it',
        async () => (await a.gateway.store.backend.sticky!.since(null)).assignments.some((x) => x.key === 'racer'),
        60_000,
      );
      b.gateway.engine.sticky.drop('race_exp');
      await setTreatment(b, 'race_exp', 0);
      await waitFor(
        'b sees 0%',
        async () => (await evaluateUsers(b, 'race_exp', ['fresh-b']))[0]!.variation === 'control',
        60_000,
      );
      await waitFor(
        'b serves the first recorded assignment',
        async () => (await evaluateUsers(b, 'race_exp', ['racer']))[0]!.variation === 'treatment',
        60_000,
      );
      const stored = (await b.gateway.store.backend.sticky!.since(null)).assignments.filter((x) => x.key === 'racer');
      expect(stored).toMatchObject([{ variation: 'treatment' }]);
    });
  },
);
