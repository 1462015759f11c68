/**
 * Evaluation over HTTP: `evaluate`, `evaluateAll`, `explainEvaluation` and `validateRule`, with
 * evaluation, read-only and admin keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveFlagDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  EvaluateAllDocument,
  EvaluateDocument,
  ExplainEvaluationDocument,
  ToggleFlagDocument,
  SetFlagEnvironmentDocument,
  ValidateRuleDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, experimentFlag, PROD, segmentInput, serveAll, STAGING } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  keys = await standardKeys(gw);
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('checkout-v2') }));
  dataOf(await gw.gql(CreateFlagDocument, { input: experimentFlag('button-color') }));
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('retired') }));
  dataOf(await gw.gql(ArchiveFlagDocument, { key: 'retired' }));
  dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('beta') }));
  dataOf(
    await gw.gql(CreateFlagDocument, {
      input: booleanFlag('beta-banner', {
        environments: [
          {
            environment: PROD,
            config: {
              on: true,
              offVariation: 'off',
              rules: [{ condition: 'segment("beta")', serve: { variation: 'on' } }],
              defaultServe: { variation: 'off' },
            },
          },
        ],
      }),
    }),
  );
});

afterAll(async () => {
  await gw?.stop();
});

const evaluate = (
  key: string,
  context: unknown,
  secret: string | null,
  extra: { environment?: string; defaultValue?: unknown } = {},
) => gw.gql(EvaluateDocument, { key, context, ...extra }, secret);

describe('evaluate', () => {
  it('evaluates in the evaluation key’s own environment when none is given', async () => {
    const production = dataOf(
      await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.evalProd),
    ).evaluate;
    expect(production).toMatchObject({
      key: 'checkout-v2',
      value: true,
      variation: 'on',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
      ruleId: 'pro',
      flagVersion: 1,
      errorCode: null,
    });
    const staging = dataOf(
      await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'free' }, keys.evalStaging),
    ).evaluate;
    expect(staging).toMatchObject({ value: true, variation: 'on', reason: 'DEFAULT', ruleIndex: null });
  });

  it('accepts the evaluation key’s own environment named explicitly', async () => {
    expect(
      dataOf(await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'free' }, keys.evalProd, { environment: PROD }))
        .evaluate,
    ).toMatchObject({ value: false, reason: 'DEFAULT' });
  });

  it('refuses an evaluation key another environment with FORBIDDEN', async () => {
    const result = await evaluate('checkout-v2', { targetingKey: 'u1' }, keys.evalProd, { environment: STAGING });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.data).toBeNull();
  });

  it('requires an environment with admin and read-only keys (VALIDATION on field environment)', async () => {
    for (const secret of [keys.admin, keys.readOnly]) {
      const error = errorOf(await evaluate('checkout-v2', { targetingKey: 'u1' }, secret));
      expect(error.extensions).toMatchObject({ code: 'VALIDATION', field: 'environment' });
    }
  });

  it('lets read-only and admin keys evaluate in any environment they name', async () => {
    expect(
      dataOf(await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.readOnly, { environment: PROD }))
        .evaluate.value,
    ).toBe(true);
    expect(
      dataOf(await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'free' }, keys.admin, { environment: STAGING }))
        .evaluate.value,
    ).toBe(true);
  });

  it('requires a key (UNAUTHENTICATED without one)', async () => {
    expect(codeOf(await evaluate('checkout-v2', { targetingKey: 'u1' }, null, { environment: PROD }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('returns an ERROR evaluation carrying the default for an unknown flag', async () => {
    expect(
      dataOf(await evaluate('no-such-flag', { targetingKey: 'u1' }, keys.evalProd, { defaultValue: true })).evaluate,
    ).toMatchObject({
      key: 'no-such-flag',
      value: true,
      variation: null,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagVersion: null,
    });
  });

  it('treats an archived flag as not found', async () => {
    expect(
      dataOf(await evaluate('retired', { targetingKey: 'u1' }, keys.evalProd, { defaultValue: false })).evaluate,
    ).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', value: false });
  });

  it('reports a default value of the wrong type as TYPE_MISMATCH', async () => {
    expect(
      dataOf(await evaluate('checkout-v2', { targetingKey: 'u1' }, keys.evalProd, { defaultValue: 'yes' })).evaluate,
    ).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH', value: 'yes' });
  });

  it('reports a context that is not an object as INVALID_CONTEXT', async () => {
    expect(
      dataOf(await evaluate('checkout-v2', 'just a string', keys.evalProd, { defaultValue: false })).evaluate,
    ).toMatchObject({ reason: 'ERROR', errorCode: 'INVALID_CONTEXT', value: false });
  });

  it('reports a percentage rollout without its bucketing attribute as TARGETING_KEY_MISSING', async () => {
    expect(
      dataOf(await evaluate('button-color', { targetingKey: 'u1' }, keys.evalProd, { defaultValue: 'red' })).evaluate,
    ).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', value: 'red' });
  });

  it('splits a 50/50 experiment deterministically and roughly evenly', async () => {
    const values: string[] = [];
    for (let index = 0; index < 40; index++) {
      const first = dataOf(await evaluate('button-color', { userId: `user-${index}` }, keys.evalProd)).evaluate;
      const again = dataOf(await evaluate('button-color', { userId: `user-${index}` }, keys.evalProd)).evaluate;
      expect(again.value).toBe(first.value);
      expect(first.reason).toBe('SPLIT');
      values.push(first.value as string);
    }
    const green = values.filter((value) => value === 'green').length;
    expect(green).toBeGreaterThan(8);
    expect(green).toBeLessThan(32);
  });

  it('serves the off variation with reason DISABLED in an environment the flag is not configured in', async () => {
    expect(
      dataOf(
        await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.admin, { environment: 'development' }),
      ).evaluate,
    ).toMatchObject({ value: false, variation: 'off', reason: 'DISABLED' });
  });

  it('resolves segment() in flag rules against the environment’s segments', async () => {
    expect(dataOf(await evaluate('beta-banner', { targetingKey: 'user-in' }, keys.evalProd)).evaluate).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(
      dataOf(await evaluate('beta-banner', { targetingKey: 'user-out', country: 'NL' }, keys.evalProd)).evaluate,
    ).toMatchObject({ value: false, reason: 'DEFAULT' });
    expect(
      dataOf(await evaluate('beta-banner', { targetingKey: 'someone', country: 'NL' }, keys.evalProd)).evaluate,
    ).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });

  it('serves a change as soon as the mutation that made it has returned', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('read-your-writes') }));
    expect(
      dataOf(await evaluate('read-your-writes', { targetingKey: 'u1', plan: 'pro' }, keys.evalProd)).evaluate.value,
    ).toBe(true);
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'read-your-writes', environment: PROD, on: false }));
    expect(
      dataOf(await evaluate('read-your-writes', { targetingKey: 'u1', plan: 'pro' }, keys.evalProd)).evaluate,
    ).toMatchObject({ value: false, reason: 'DISABLED', flagVersion: 2 });
    dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'read-your-writes',
        environment: PROD,
        expectedVersion: 2,
        config: serveAll('on'),
      }),
    );
    expect(dataOf(await evaluate('read-your-writes', { targetingKey: 'u1' }, keys.evalProd)).evaluate).toMatchObject({
      value: true,
      reason: 'DEFAULT',
      flagVersion: 3,
    });
  });

  it('never includes rule conditions in the result', async () => {
    const result = await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.evalProd);
    expect(result.text).not.toContain('plan ==');
  });
});

describe('the reasons of the previous release', () => {
  const reasonsQuery =
    '{ __type(name: "EvaluationReason") { enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } } }';

  it('keeps OFF and RULE_MATCH as deprecated enum values naming their OpenFeature replacements', async () => {
    const values = dataOf(
      await gw.gql<
        { __type: { enumValues: Array<{ name: string; isDeprecated: boolean; deprecationReason: string | null }> } },
        never
      >(reasonsQuery),
    ).__type.enumValues;
    expect(
      values
        .filter((value) => !value.isDeprecated)
        .map((value) => value.name)
        .sort(),
    ).toEqual(['DEFAULT', 'DISABLED', 'ERROR', 'SPLIT', 'TARGETING_MATCH', 'TARGET_MATCH']);
    expect(values.find((value) => value.name === 'OFF')).toMatchObject({
      isDeprecated: true,
      deprecationReason: expect.stringContaining('DISABLED'),
    });
    expect(values.find((value) => value.name === 'RULE_MATCH')).toMatchObject({
      isDeprecated: true,
      deprecationReason: expect.stringContaining('TARGETING_MATCH'),
    });
  });

  it('answers with the OpenFeature names, never the deprecated ones', async () => {
    const matched = dataOf(await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.evalProd)).evaluate;
    const off = dataOf(
      await evaluate('checkout-v2', { targetingKey: 'u1', plan: 'pro' }, keys.admin, { environment: 'development' }),
    ).evaluate;
    expect([matched.reason, off.reason]).toEqual(['TARGETING_MATCH', 'DISABLED']);
  });
});

describe('evaluateAll', () => {
  it('evaluates every active flag of the key’s environment, in key order', async () => {
    const all = dataOf(
      await gw.gql(EvaluateAllDocument, { context: { targetingKey: 'u1', plan: 'pro', userId: 'u1' } }, keys.evalProd),
    ).evaluateAll;
    const flagKeys = all.map((evaluation) => evaluation.key);
    expect(flagKeys).toEqual([...flagKeys].sort());
    expect(flagKeys).toEqual(expect.arrayContaining(['beta-banner', 'button-color', 'checkout-v2']));
    expect(flagKeys).not.toContain('retired');
    expect(all.find((evaluation) => evaluation.key === 'checkout-v2')).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
  });

  it('evaluates only the given keys, reporting unknown ones as FLAG_NOT_FOUND', async () => {
    const all = dataOf(
      await gw.gql(
        EvaluateAllDocument,
        { context: { targetingKey: 'u1' }, keys: ['checkout-v2', 'missing'] },
        keys.evalProd,
      ),
    ).evaluateAll;
    expect(all.map((evaluation) => [evaluation.key, evaluation.reason, evaluation.errorCode])).toEqual([
      ['checkout-v2', 'DEFAULT', null],
      ['missing', 'ERROR', 'FLAG_NOT_FOUND'],
    ]);
  });

  it('refuses an evaluation key another environment with FORBIDDEN', async () => {
    expect(
      codeOf(
        await gw.gql(EvaluateAllDocument, { context: { targetingKey: 'u1' }, environment: STAGING }, keys.evalProd),
      ),
    ).toBe('FORBIDDEN');
  });

  it('requires an environment with admin keys', async () => {
    expect(
      errorOf(await gw.gql(EvaluateAllDocument, { context: { targetingKey: 'u1' } }, keys.admin)).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
  });
});

describe('explainEvaluation', () => {
  it('gives a read-only key the rule-by-rule account with the matching rule', async () => {
    const explanation = dataOf(
      await gw.gql(
        ExplainEvaluationDocument,
        { key: 'checkout-v2', context: { targetingKey: 'u1', plan: 'pro' }, environment: PROD },
        keys.readOnly,
      ),
    ).explainEvaluation;
    expect(explanation).toMatchObject({
      flagKey: 'checkout-v2',
      environment: PROD,
      flagVersion: 1,
      on: true,
      matchedRuleIndex: 0,
      result: { value: true, reason: 'TARGETING_MATCH' },
    });
    expect(explanation.rules[0]).toMatchObject({
      index: 0,
      id: 'pro',
      condition: 'plan == "pro"',
      evaluated: true,
      matched: true,
      serveVariation: 'on',
      servesRollout: false,
    });
  });

  it('explains a rollout with the context’s bucket and the slices', async () => {
    const explanation = dataOf(
      await gw.gql(
        ExplainEvaluationDocument,
        { key: 'button-color', context: { userId: 'user-7' }, environment: PROD },
        keys.admin,
      ),
    ).explainEvaluation;
    expect(explanation.rollout).toMatchObject({ bucketBy: 'userId', bucketValue: 'user-7' });
    expect(explanation.rollout!.slices.map((slice) => [slice.variation, slice.from, slice.to])).toEqual([
      ['control', 0, 50],
      ['treatment', 50, 100],
    ]);
    expect(explanation.rollout!.variation).toBe(explanation.result.variation);
  });

  it('answers NOT_FOUND for an unknown flag or environment', async () => {
    expect(
      codeOf(await gw.gql(ExplainEvaluationDocument, { key: 'missing', context: {}, environment: PROD }, keys.admin)),
    ).toBe('NOT_FOUND');
    expect(
      codeOf(
        await gw.gql(ExplainEvaluationDocument, { key: 'checkout-v2', context: {}, environment: 'moon' }, keys.admin),
      ),
    ).toBe('NOT_FOUND');
  });

  it('is FORBIDDEN to evaluation keys, even in their own environment', async () => {
    expect(
      codeOf(
        await gw.gql(ExplainEvaluationDocument, { key: 'checkout-v2', context: {}, environment: PROD }, keys.evalProd),
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('validateRule', () => {
  it('is open to callers without a key and reports what the rule reads', async () => {
    const validation = dataOf(
      await gw.gql(ValidateRuleDocument, { source: 'plan == "pro" and user.age > 30' }, null),
    ).validateRule;
    expect(validation).toMatchObject({ ok: true, diagnostics: [], matched: null, trace: null });
    expect(validation.attributes).toEqual(expect.arrayContaining(['plan', 'user.age']));
    expect(validation.js).toEqual(expect.any(String));
  });

  it('evaluates the rule against a given context, with its trace', async () => {
    const validation = dataOf(
      await gw.gql(ValidateRuleDocument, { source: 'plan == "pro"', context: { plan: 'pro' } }, null),
    ).validateRule;
    expect(validation.matched).toBe(true);
    expect(validation.trace).toBeTruthy();
    expect(
      dataOf(await gw.gql(ValidateRuleDocument, { source: 'plan == "pro"', context: { plan: 'free' } }, null))
        .validateRule.matched,
    ).toBe(false);
  });

  it('reports a syntax error as diagnostics with line and column, not as a GraphQL error', async () => {
    const result = await gw.gql(ValidateRuleDocument, { source: 'plan ==\n  ' }, null);
    const validation = dataOf(result).validateRule;
    expect(validation.ok).toBe(false);
    expect(validation.js).toBeNull();
    expect(validation.diagnostics[0]).toMatchObject({
      line: expect.any(Number),
      column: expect.any(Number),
      message: expect.any(String),
    });
  });

  it('needs an admin or read-only key to resolve segments in an environment', async () => {
    expect(
      codeOf(
        await gw.gql(
          ValidateRuleDocument,
          { source: 'segment("beta")', context: { targetingKey: 'user-in' }, environment: PROD },
          null,
        ),
      ),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        await gw.gql(
          ValidateRuleDocument,
          { source: 'segment("beta")', context: { targetingKey: 'user-in' }, environment: PROD },
          keys.evalProd,
        ),
      ),
    ).toBe('FORBIDDEN');
    const validation = dataOf(
      await gw.gql(
        ValidateRuleDocument,
        { source: 'segment("beta")', context: { targetingKey: 'user-in' }, environment: PROD },
        keys.readOnly,
      ),
    ).validateRule;
    expect(validation).toMatchObject({ ok: true, segments: ['beta'], matched: true });
  });

  it('answers NOT_FOUND for an unknown environment', async () => {
    expect(codeOf(await gw.gql(ValidateRuleDocument, { source: 'true', environment: 'moon' }, keys.admin))).toBe(
      'NOT_FOUND',
    );
  });
});
