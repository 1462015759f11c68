/**
 * Two gateway processes on one MongoDB-protocol store both run the rollout scheduler: every step of a
 * plan happens exactly once and none is skipped (the audit entries by rollout-plan are counted, stage
 * by stage), also when one instance is killed with SIGKILL in the middle of the plan and the other
 * carries on alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateFlagDocument,
  FlagRolloutDocument,
  SetRolloutPlanDocument,
  StartRolloutDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import {
  dataOf,
  ensureBuilt,
  gqlAt,
  newAdminSecret,
  type ServeProcess,
  spawnServe,
  tempDir,
} from '../support/gateway.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

const adminKey = newAdminSecret();
const percentages = [5, 10, 20, 30, 50, 70, 90, 100];
let mongo: MongoTestServer;
const instances: ServeProcess[] = [];

async function spawnGateway(): Promise<ServeProcess> {
  const instance = await spawnServe({
    dataDir: await tempDir(),
    env: {
      MONGODB_URI: mongo.uri,
      VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey,
      VEXIL_SEED: 'false',
      VEXIL_ROLLOUT_INTERVAL_MS: '100',
    },
    timeoutMs: 120_000,
  });
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  await ensureBuilt();
  mongo = await startMongoTestServer();
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(instances.map((instance) => instance.stop('SIGKILL')));
  await mongo?.close();
});

async function startPlan(endpoint: string, key: string) {
  const weights = [
    { variation: 'on', weight: 0 },
    { variation: 'off', weight: 100_000 },
  ];
  const input = booleanFlag(key, {
    environments: [
      { environment: PROD, config: { on: true, offVariation: 'off', defaultServe: { rollout: { weights } } } },
    ],
  });
  const created = dataOf(await gqlAt(endpoint, CreateFlagDocument, { input }, adminKey)).createFlag;
  const stages = percentages.map((percentage) => ({ percentage, holdSeconds: 1 }));
  const plan = { key, environment: PROD, plan: { stages }, expectedVersion: created.version };
  const set = dataOf(await gqlAt(endpoint, SetRolloutPlanDocument, plan, adminKey)).setRolloutPlan;
  await gqlAt(endpoint, StartRolloutDocument, { key, environment: PROD, expectedVersion: set.version }, adminKey);
}

const rolloutOf = async (endpoint: string, key: string) =>
  dataOf(await gqlAt(endpoint, FlagRolloutDocument, { key, environment: PROD }, adminKey)).flag!.environments[0]!
    .rollout!;

/** The stages the scheduler's audit entries moved the plan to, oldest first. */
async function scheduledStages(endpoint: string, key: string): Promise<number[]> {
  const entries = dataOf(await gqlAt(endpoint, AuditLogDocument, { key, first: 200 }, adminKey)).auditLog.entries;
  return entries
    .filter((entry) => entry.actor === 'rollout-plan')
    .map(
      (entry) =>
        (entry.after as { environments: Record<string, { rollout: { currentStage: number } }> }).environments[PROD]!
          .rollout.currentStage,
    )
    .reverse();
}

const everyStepOnce = percentages.slice(1).map((_, index) => index + 1);

describe('two gateways on one MongoDB store', () => {
  it('perform every step of a plan exactly once', async () => {
    const [a, b] = [await spawnGateway(), await spawnGateway()];
    await startPlan(a.endpoint, 'two-gateways');
    await expect
      .poll(async () => (await rolloutOf(b.endpoint, 'two-gateways')).state, { timeout: 120_000, interval: 250 })
      .toBe('COMPLETED');
    expect(await scheduledStages(a.endpoint, 'two-gateways')).toEqual(everyStepOnce);
    await Promise.all([a.stop(), b.stop()]);
  }, 300_000);

  it('and when one of them is killed with SIGKILL in the middle of the plan, the other finishes it', async () => {
    const [a, b] = [await spawnGateway(), await spawnGateway()];
    await startPlan(b.endpoint, 'one-killed');
    await expect
      .poll(async () => (await rolloutOf(b.endpoint, 'one-killed')).currentStage ?? 0, {
        timeout: 120_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(2);
    expect(await a.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    expect((await rolloutOf(b.endpoint, 'one-killed')).state).toBe('RUNNING');
    await expect
      .poll(async () => (await rolloutOf(b.endpoint, 'one-killed')).state, { timeout: 120_000, interval: 250 })
      .toBe('COMPLETED');
    expect(await scheduledStages(b.endpoint, 'one-killed')).toEqual(everyStepOnce);
    await b.stop();
  }, 300_000);
});
