/**
 * Individual targets over GraphQL and OFREP, on a real in-process gateway: set with setFlagEnvironment
 * (audited like any environment change), read back on FlagEnvironment.targets, served as TARGET_MATCH
 * by evaluate (the evaluation plan and graphql execution alike), explained with the target that hit,
 * mapped to OFREP's TARGETING_MATCH, and refused with VALIDATION at their field.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CreateFlagDocument,
  EvaluateDocument,
  ExplainEvaluationDocument,
  SetFlagEnvironmentDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, STAGING } from '../fixtures/gateway/flags.js';
import { ofrep } from '../ofrep/support.js';
import { dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let evaluationKey: string;
const config = {
  on: true,
  offVariation: 'off',
  defaultServe: { variation: 'off' },
  targets: [{ variation: 'on', values: ['vip-1', 'vip-2'] }],
};

beforeAll(async () => {
  gw = await startTestGateway();
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('tg') }));
  const set = dataOf(
    await gw.gql(SetFlagEnvironmentDocument, { key: 'tg', environment: PROD, config, expectedVersion: 1 }),
  );
  expect(set.setFlagEnvironment.version).toBe(2);
  evaluationKey = (await gw.createKey('EVALUATION', PROD)).secret;
});
afterAll(async () => {
  await gw?.stop();
});

describe('individual targets over GraphQL', () => {
  it('are read back on the flag environment, with the default attribute spelled out', async () => {
    const result = await gw.gql<{ flag: { environments: Array<{ targets: unknown; rules: unknown[] }> } }, unknown>(
      'query { flag(key: "tg") { environments(environment: "production") { rules { id } targets { variation values attribute } } } }',
    );
    const environment = dataOf(result).flag.environments[0]!;
    expect(environment.targets).toEqual([{ variation: 'on', values: ['vip-1', 'vip-2'], attribute: 'targetingKey' }]);
    // setFlagEnvironment without rules kept the rule of booleanFlag.
    expect(environment.rules).toEqual([{ id: 'pro' }]);
  });

  it('win over a matching rule: evaluate says TARGET_MATCH, for the evaluation key too', async () => {
    for (const key of [gw.adminKey, evaluationKey]) {
      const context = { targetingKey: 'vip-1', plan: 'free' };
      const result = dataOf(await gw.gql(EvaluateDocument, { key: 'tg', context, environment: PROD }, key));
      expect(result.evaluate).toMatchObject({ variation: 'on', value: true, reason: 'TARGET_MATCH', ruleId: null });
    }
    const other = dataOf(
      await gw.gql(EvaluateDocument, { key: 'tg', context: { targetingKey: 'x', plan: 'pro' }, environment: PROD }),
    );
    expect(other.evaluate).toMatchObject({ variation: 'on', reason: 'TARGETING_MATCH', ruleId: 'pro' });
  });

  it('show in explainEvaluation as the target that hit, with no rule evaluated', async () => {
    const context = { targetingKey: 'vip-2', plan: 'pro' };
    const { explainEvaluation } = dataOf(
      await gw.gql(ExplainEvaluationDocument, { key: 'tg', context, environment: PROD }),
    );
    expect(explainEvaluation.target).toEqual({ attribute: 'targetingKey', value: 'vip-2', variation: 'on' });
    expect(explainEvaluation.result.reason).toBe('TARGET_MATCH');
    expect(explainEvaluation.rules.map((rule) => rule.evaluated)).toEqual([false]);
  });

  it('answer OFREP as TARGETING_MATCH with metadata target: true', async () => {
    const response = await ofrep(gw.url, 'flags/tg', { key: evaluationKey, context: { targetingKey: 'vip-1' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      key: 'tg',
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { target: true },
    });
  });

  it('refuse a test override in production with VALIDATION at its field; staging accepts it', async () => {
    const override = { ...config, targets: [{ variation: 'on', values: ['qa@example.com'], attribute: 'email' }] };
    const refused = errorOf(
      await gw.gql(SetFlagEnvironmentDocument, { key: 'tg', environment: PROD, config: override, expectedVersion: 2 }),
    );
    expect(refused.extensions?.code).toBe('VALIDATION');
    expect(JSON.stringify(refused.extensions)).toContain('environments.production.targets[0].attribute');
    const accepted = dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'tg',
        environment: STAGING,
        config: override,
        expectedVersion: 2,
      }),
    );
    expect(accepted.setFlagEnvironment.version).toBe(3);
    const context = { targetingKey: 'x', email: 'qa@example.com' };
    const evaluated = dataOf(await gw.gql(EvaluateDocument, { key: 'tg', context, environment: STAGING }));
    expect(evaluated.evaluate).toMatchObject({ variation: 'on', reason: 'TARGET_MATCH' });
  });
});
