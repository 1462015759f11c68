/** Individual targets: keys that get a variation before any rule, reason TARGET_MATCH, and their validation. */
import { describe, expect, it } from 'vitest';
import { maxTargetValues, type Target, validateFlag } from '../../src/index.js';
import { config, documentOf, engineWith, flag, issuesOf, NOW, PROD, rule, serve } from '../fixtures/flags/flags.js';

const DEV = 'development';

function targeted(targets: Target[], extra: Partial<Parameters<typeof config>[0]> = {}) {
  return flag('t', {
    config: {
      rules: [rule('plan == "premium"', 'off', 'premium'), rule('true', 'off', 'everyone')],
      defaultServe: serve('off'),
      targets,
      ...extra,
    },
  });
}

describe('individual targets', () => {
  it('serve the target variation before any rule, with reason TARGET_MATCH', () => {
    const engine = engineWith([targeted([{ variation: 'on', values: ['user-1', 'user-2'] }])]);
    const result = engine.evaluate('t', { targetingKey: 'user-1', plan: 'premium' }, { environment: PROD });
    expect(result).toMatchObject({ variation: 'on', value: true, reason: 'TARGET_MATCH', ruleIndex: undefined });
    expect(engine.evaluate('t', { targetingKey: 'user-3', plan: 'premium' }, { environment: PROD })).toMatchObject({
      variation: 'off',
      reason: 'TARGETING_MATCH',
      ruleId: 'premium',
    });
  });

  it('give way to the kill switch: a flag that is off serves its off variation to targets too', () => {
    const engine = engineWith([targeted([{ variation: 'on', values: ['user-1'] }], { on: false })]);
    expect(engine.evaluate('t', { targetingKey: 'user-1' }, { environment: PROD })).toMatchObject({
      variation: 'off',
      reason: 'DISABLED',
    });
  });

  it('hand out one shared frozen result per variation', () => {
    const engine = engineWith([targeted([{ variation: 'on', values: ['a', 'b'] }])]);
    const a = engine.evaluate('t', { targetingKey: 'a' }, { environment: PROD });
    expect(engine.evaluate('t', { targetingKey: 'b' }, { environment: PROD })).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it(`hold ${maxTargetValues} keys, each served its variation`, () => {
    const values = Array.from({ length: maxTargetValues }, (_, i) => `user-${i}`);
    const document = targeted([
      { variation: 'on', values: values.slice(0, maxTargetValues / 2) },
      { variation: 'off', values: values.slice(maxTargetValues / 2) },
    ]);
    const engine = engineWith([validateFlag(documentOf(document), NOW)]);
    for (const [i, key] of values.entries())
      expect(engine.evaluate('t', { targetingKey: key }, { environment: PROD }).variation).toBe(
        i < maxTargetValues / 2 ? 'on' : 'off',
      );
  });

  it('look up another attribute in development when a test override names one', () => {
    const document = flag('t', {
      environments: {
        [DEV]: config({ targets: [{ variation: 'on', values: ['qa@example.com'], attribute: 'email' }] }),
      },
    });
    const engine = engineWith([validateFlag(documentOf(document), NOW)]);
    expect(engine.evaluate('t', { targetingKey: 'x', email: 'qa@example.com' }, { environment: DEV })).toMatchObject({
      variation: 'on',
      reason: 'TARGET_MATCH',
    });
    expect(engine.evaluate('t', { targetingKey: 'qa@example.com' }, { environment: DEV }).reason).toBe('DEFAULT');
  });

  it('are shown in explain with the attribute and value that hit, and no rule evaluated', () => {
    const engine = engineWith([targeted([{ variation: 'on', values: ['user-1'] }])]);
    const explanation = engine.explain('t', { targetingKey: 'user-1', plan: 'premium' }, PROD)!;
    expect(explanation.target).toEqual({ attribute: 'targetingKey', value: 'user-1', variation: 'on' });
    expect(explanation.result.reason).toBe('TARGET_MATCH');
    expect(explanation.matchedRuleIndex).toBeNull();
    expect(explanation.rules.map((entry) => entry.evaluated)).toEqual([false, false]);
    expect(engine.explain('t', { targetingKey: 'user-9', plan: 'premium' }, PROD)!.target).toBeNull();
  });
});

describe('validation of individual targets', () => {
  const fieldsOf = (targets: unknown, environment = PROD) =>
    issuesOf(() =>
      validateFlag(
        documentOf(flag('t'), (d) => (d.environments[environment].targets = targets)),
        NOW,
      ),
    ).map((issue) => [issue.path, issue.code]);
  const path = (environment = PROD) => `environments.${environment}.targets`;

  it('rejects an unknown variation', () => {
    expect(fieldsOf([{ variation: 'maybe', values: ['a'] }])).toEqual([[`${path()}[0].variation`, 'VALIDATION']]);
  });

  it('rejects a key listed under two variations', () => {
    expect(
      fieldsOf([
        { variation: 'on', values: ['a', 'b'] },
        { variation: 'off', values: ['b'] },
      ]),
    ).toEqual([[`${path()}[1].values`, 'VALIDATION']]);
  });

  it(`rejects more than ${maxTargetValues} values in one environment`, () => {
    const values = Array.from({ length: maxTargetValues + 1 }, (_, i) => `k${i}`);
    expect(fieldsOf([{ variation: 'on', values }])).toEqual([[path(), 'VALIDATION']]);
  });

  it('rejects values that are not strings', () => {
    expect(fieldsOf([{ variation: 'on', values: ['a', 7] }])).toEqual([[`${path()}[0].values`, 'VALIDATION']]);
  });

  it('allows an attribute other than targetingKey in development and staging only', () => {
    const override = [{ variation: 'on', values: ['qa'], attribute: 'email' }];
    expect(fieldsOf(override)).toEqual([[`${path()}[0].attribute`, 'VALIDATION']]);
    for (const environment of ['development', 'staging']) {
      const document = documentOf(flag('t'), (d) => (d.environments[environment].targets = override));
      expect(validateFlag(document, NOW).environments[environment]!.targets).toEqual(override);
    }
  });
});
