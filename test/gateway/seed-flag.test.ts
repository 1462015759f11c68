/**
 * The seed flag `new_checkout`, end to end over HTTP:
 *   rule 1  email endsWith "@company.com"       → true
 *   rule 2  plan in ["premium","enterprise"]    → 10% rollout (true for 10%, false for the rest)
 *   rule 3  userId in ["user_123","user_456"]   → true
 *   default                                      → false
 * Once created through createFlag in a store started with VEXIL_SEED=false, and once as auto-seeded on
 * the first start of an empty store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateFlagDocument,
  EvaluateDocument,
  FlagDocument,
  FlagsDocument,
} from '../../src/client/generated/graphql.js';
import {
  DEV,
  inTenPercent,
  keyInRollout,
  keyOutOfRollout,
  newCheckoutInput,
  PROD,
  STAGING,
} from '../fixtures/gateway/flags.js';
import { dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';

const expectedRules = [
  { id: 'staff', condition: 'email endsWith "@company.com"', serve: { variation: 'on', rollout: null } },
  {
    id: 'paying-10pct',
    condition: 'plan in ["premium","enterprise"]',
    serve: {
      variation: null,
      rollout: {
        bucketBy: 'targetingKey',
        weights: [
          { variation: 'on', weight: 10_000 },
          { variation: 'off', weight: 90_000 },
        ],
      },
    },
  },
  { id: 'beta-users', condition: 'userId in ["user_123","user_456"]', serve: { variation: 'on', rollout: null } },
];

/** The evaluation paths of the flag, shared by the created and the auto-seeded copies. */
function describePaths(label: string, setup: () => Promise<{ gw: TestGateway; evalKey: string }>) {
  describe(label, () => {
    let gw: TestGateway;
    let evalKey: string;
    const evaluate = async (context: Record<string, unknown>) =>
      dataOf(await gw.gql(EvaluateDocument, { key: 'new_checkout', context }, evalKey)).evaluate;

    beforeAll(async () => {
      ({ gw, evalKey } = await setup());
    });
    afterAll(async () => {
      await gw?.stop();
    });

    it('has the three rules and default false in every default environment', async () => {
      const flag = dataOf(await gw.gql(FlagDocument, { key: 'new_checkout' })).flag!;
      expect(flag).toMatchObject({ key: 'new_checkout', kind: 'RELEASE', valueType: 'BOOLEAN', archived: false });
      expect(flag.variations.map((variation) => [variation.key, variation.value])).toEqual([
        ['on', true],
        ['off', false],
      ]);
      for (const environment of [DEV, STAGING, PROD]) {
        const config = flag.environments.find((candidate) => candidate.environment === environment)!;
        expect(config).toMatchObject({
          on: true,
          offVariation: 'off',
          defaultServe: { variation: 'off', rollout: null },
        });
        expect(config.rules.map(({ id, condition, serve }) => ({ id, condition, serve }))).toEqual(expectedRules);
      }
    });

    it('rule 1: serves true to company staff', async () => {
      expect(await evaluate({ targetingKey: 'emp-1', email: 'ada@company.com' })).toMatchObject({
        value: true,
        variation: 'on',
        reason: 'TARGETING_MATCH',
        ruleIndex: 0,
        ruleId: 'staff',
      });
    });

    it('rule 1 comes first: staff who are premium customers outside the 10% still get true', async () => {
      expect(
        await evaluate({ targetingKey: keyOutOfRollout, email: 'ada@company.com', plan: 'premium' }),
      ).toMatchObject({ value: true, ruleIndex: 0 });
    });

    it('rule 1 does not match look-alike addresses', async () => {
      for (const email of ['ada@company.com.evil.io', 'ada@COMPANY.COM', 'ada@subcompany.org']) {
        expect(await evaluate({ targetingKey: 'x', email })).toMatchObject({ value: false, reason: 'DEFAULT' });
      }
    });

    it('rule 2: serves true to a premium customer inside the 10% rollout', async () => {
      expect(await evaluate({ targetingKey: keyInRollout, plan: 'premium' })).toMatchObject({
        value: true,
        variation: 'on',
        reason: 'SPLIT',
        ruleIndex: 1,
        ruleId: 'paying-10pct',
        inRollout: true,
      });
    });

    it('rule 2: serves false to a premium customer outside the 10% rollout', async () => {
      expect(await evaluate({ targetingKey: keyOutOfRollout, plan: 'premium' })).toMatchObject({
        value: false,
        variation: 'off',
        reason: 'SPLIT',
        ruleIndex: 1,
        inRollout: false,
      });
    });

    it('rule 2: buckets enterprise customers like premium ones', async () => {
      expect(await evaluate({ targetingKey: keyInRollout, plan: 'enterprise' })).toMatchObject({
        value: true,
        reason: 'SPLIT',
        ruleIndex: 1,
      });
      expect(await evaluate({ targetingKey: keyOutOfRollout, plan: 'enterprise' })).toMatchObject({
        value: false,
        reason: 'SPLIT',
        ruleIndex: 1,
      });
    });

    it('rule 2: puts about 10% of 400 paying customers in the rollout, each exactly as the bucketing says', async () => {
      const keys = Array.from({ length: 400 }, (_, index) => `paying-${index}`);
      const served = new Map<string, boolean>();
      for (let start = 0; start < keys.length; start += 25) {
        const chunk = keys.slice(start, start + 25);
        const query = `{ ${chunk.map((key, index) => `e${index}: evaluate(key: "new_checkout", context: { targetingKey: "${key}", plan: "premium" }) { value reason ruleIndex }`).join(' ')} }`;
        const data = dataOf(
          await gw.gql<Record<string, { value: boolean; reason: string; ruleIndex: number }>, object>(
            query,
            undefined,
            evalKey,
          ),
        );
        chunk.forEach((key, index) => {
          expect(data[`e${index}`]).toMatchObject({ reason: 'SPLIT', ruleIndex: 1 });
          served.set(key, data[`e${index}`]!.value);
        });
      }
      for (const key of keys) expect(served.get(key), key).toBe(inTenPercent(key));
      const share = [...served.values()].filter(Boolean).length / keys.length;
      expect(share).toBeGreaterThan(0.05);
      expect(share).toBeLessThan(0.15);
    });

    it('rule 2: reports a paying customer without a targeting key as TARGETING_KEY_MISSING with the default', async () => {
      expect(await evaluate({ plan: 'premium' })).toMatchObject({
        reason: 'ERROR',
        errorCode: 'TARGETING_KEY_MISSING',
        value: null,
      });
    });

    it('rule 3: serves true to the named beta users', async () => {
      expect(await evaluate({ targetingKey: 'a', userId: 'user_123' })).toMatchObject({
        value: true,
        reason: 'TARGETING_MATCH',
        ruleIndex: 2,
        ruleId: 'beta-users',
      });
      expect(await evaluate({ targetingKey: 'b', userId: 'user_456' })).toMatchObject({
        value: true,
        reason: 'TARGETING_MATCH',
        ruleIndex: 2,
      });
    });

    it('rule 3 does not match other users', async () => {
      expect(await evaluate({ targetingKey: 'c', userId: 'user_789' })).toMatchObject({
        value: false,
        reason: 'DEFAULT',
      });
    });

    it('default: serves false to everyone else', async () => {
      expect(await evaluate({ targetingKey: 'visitor', plan: 'free', email: 'someone@example.org' })).toMatchObject({
        value: false,
        variation: 'off',
        reason: 'DEFAULT',
        ruleIndex: null,
        errorCode: null,
      });
    });
  });
}

describePaths('new_checkout created through createFlag (VEXIL_SEED=false)', async () => {
  const gw = await startTestGateway({ seed: false });
  expect(dataOf(await gw.gql(FlagsDocument, {})).flags.totalCount).toBe(0);
  const created = dataOf(
    await gw.gql(CreateFlagDocument, { input: newCheckoutInput(), comment: 'the example flag, by hand' }),
  ).createFlag;
  expect(created).toMatchObject({ key: 'new_checkout', version: 1 });
  return { gw, evalKey: (await gw.createKey('EVALUATION', PROD)).secret };
});

describePaths('new_checkout auto-seeded on the first start of an empty store', async () => {
  const gw = await startTestGateway();
  return { gw, evalKey: (await gw.createKey('EVALUATION', PROD)).secret };
});

describe('seeding', () => {
  it('creates only new_checkout, at version 1, on the first start', async () => {
    const gw = await startTestGateway();
    try {
      const page = dataOf(await gw.gql(FlagsDocument, {})).flags;
      expect(page.nodes.map((flag) => [flag.key, flag.version])).toEqual([['new_checkout', 1]]);
    } finally {
      await gw.stop();
    }
  });

  it('does not seed with VEXIL_SEED=false', async () => {
    const gw = await startTestGateway({ seed: false });
    try {
      expect(dataOf(await gw.gql(FlagsDocument, {})).flags.totalCount).toBe(0);
    } finally {
      await gw.stop();
    }
  });

  it('does not re-create the flag on a later start after it was deleted', async () => {
    const gw = await startTestGateway();
    const dataDir = gw.dataDir;
    dataOf(await gw.gql('mutation { deleteFlag(key: "new_checkout", expectedVersion: 1) }'));
    await gw.stop({ keepDataDir: true });
    const again = await startTestGateway({ dataDir, adminKey: gw.adminKey });
    try {
      expect(dataOf(await again.gql(FlagDocument, { key: 'new_checkout' })).flag).toBeNull();
    } finally {
      await again.stop();
    }
  });
});
