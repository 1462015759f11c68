/** Every successful evaluation reason, and the shape of the result that carries it. */
import { describe, expect, it } from 'vitest';
import { bucketIndex } from '../../src/index.js';
import {
  config,
  contexts,
  engineWith,
  flag,
  percentOn,
  PROD,
  rule,
  serve,
  typedFlag,
} from '../fixtures/flags/flags.js';

const ctx = { targetingKey: 'user-1', plan: 'premium', country: 'FR' };

describe('evaluation reasons', () => {
  it('reports DISABLED with the off variation when the flag is switched off', () => {
    const engine = engineWith([
      flag('f', { config: { on: false, rules: [rule('plan == "premium"', 'on')], defaultServe: serve('on') } }),
    ]);
    expect(engine.evaluate('f', ctx, { environment: PROD })).toMatchObject({
      key: 'f',
      value: false,
      variation: 'off',
      reason: 'DISABLED',
      ruleIndex: undefined,
      errorCode: undefined,
      flagVersion: 1,
    });
  });

  it('reports TARGETING_MATCH with the index and id of the matching rule', () => {
    const engine = engineWith([
      flag('f', {
        config: { rules: [rule('plan == "free"', 'on', 'free'), rule('plan == "premium"', 'on', 'premium')] },
      }),
    ]);
    expect(engine.evaluate('f', ctx, { environment: PROD })).toMatchObject({
      value: true,
      variation: 'on',
      reason: 'TARGETING_MATCH',
      ruleIndex: 1,
      ruleId: 'premium',
      inRollout: undefined,
    });
  });

  it('reports DEFAULT when no rule matches and the default serve is one variation', () => {
    const engine = engineWith([
      flag('f', { config: { rules: [rule('plan == "free"', 'on')], defaultServe: serve('off') } }),
    ]);
    expect(engine.evaluate('f', ctx, { environment: PROD })).toMatchObject({
      value: false,
      variation: 'off',
      reason: 'DEFAULT',
      ruleIndex: undefined,
      ruleId: undefined,
    });
  });

  it('reports SPLIT with the rule index when a matching rule serves a weighted split', () => {
    const engine = engineWith([flag('f', { config: { rules: [rule('plan == "premium"', percentOn(50), 'half')] } })]);
    const result = engine.evaluate('f', ctx, { environment: PROD });
    expect(result).toMatchObject({ reason: 'SPLIT', ruleIndex: 0, ruleId: 'half' });
    expect(['on', 'off']).toContain(result.variation);
  });

  it('reports SPLIT without a rule index when the default serve is a weighted split', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    const result = engine.evaluate('f', ctx, { environment: PROD });
    expect(result).toMatchObject({ reason: 'SPLIT', ruleIndex: undefined, ruleId: undefined });
  });

  it('sets inRollout on a SPLIT exactly when the served variation is not the off variation', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    for (const context of contexts(200)) {
      const result = engine.evaluate('f', context, { environment: PROD });
      expect(result.inRollout).toBe(result.variation === 'on');
    }
  });

  it('serves the split slice that bucketIndex(salt, targetingKey) falls into', () => {
    const engine = engineWith([flag('f', { salt: 'pepper', config: { defaultServe: percentOn(30) } })]);
    for (const context of contexts(500)) {
      const expected = bucketIndex('pepper', context.targetingKey) < 30_000 ? 'on' : 'off';
      expect(engine.evaluate('f', context, { environment: PROD }).variation).toBe(expected);
    }
  });

  it('hands out one frozen result per outcome, every reason with the same fields in the same order', () => {
    const engine = engineWith([
      flag('f', {
        config: {
          rules: [rule('plan == "premium"', 'on', 'premium'), rule('plan == "pro"', percentOn(50), 'half')],
          defaultServe: serve('off'),
        },
      }),
      flag('g', { config: { on: false } }),
    ]);
    const evaluate = (key: string, context: object) => engine.evaluate(key, context, { environment: PROD });
    const results = [
      evaluate('f', ctx),
      evaluate('f', { targetingKey: 'u', plan: 'pro' }),
      evaluate('f', { plan: 'free' }),
      evaluate('g', ctx),
      evaluate('missing', ctx),
    ];
    expect(results.map((result) => result.reason)).toEqual([
      'TARGETING_MATCH',
      'SPLIT',
      'DEFAULT',
      'DISABLED',
      'ERROR',
    ]);
    for (const result of results) expect(Object.keys(result)).toEqual(Object.keys(results[0]!));
    for (const result of results.slice(0, 4)) expect(Object.isFrozen(result)).toBe(true);
    expect(evaluate('f', { ...ctx, targetingKey: 'someone-else' })).toBe(results[0]);
  });

  it('reports ERROR with an error code and the caller default', () => {
    const engine = engineWith([flag('f')]);
    expect(engine.evaluate('missing', ctx, { environment: PROD, defaultValue: true })).toMatchObject({
      value: true,
      variation: null,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagVersion: null,
    });
  });

  it('carries the version of the evaluated flag', () => {
    const engine = engineWith([flag('f', { version: 7 })]);
    expect(engine.evaluate('f', ctx, { environment: PROD }).flagVersion).toBe(7);
  });

  it('returns string, number and json values of the served variation', () => {
    const engine = engineWith([
      typedFlag('s', 'string', ['a', 'b'], { config: { defaultServe: serve('v1') } }),
      typedFlag('n', 'number', [0, 2.5], { config: { defaultServe: serve('v1') } }),
      typedFlag('j', 'json', [null, { limit: 3, tags: ['x'] }], { config: { defaultServe: serve('v1') } }),
    ]);
    expect(engine.evaluate('s', ctx, { environment: PROD }).value).toBe('b');
    expect(engine.evaluate('n', ctx, { environment: PROD }).value).toBe(2.5);
    expect(engine.evaluate('j', ctx, { environment: PROD }).value).toEqual({ limit: 3, tags: ['x'] });
  });

  it('returns a json value that callers cannot mutate into the next evaluation', () => {
    const engine = engineWith([
      typedFlag('j', 'json', [null, { limit: 3 }], { config: { defaultServe: serve('v1') } }),
    ]);
    const first = engine.evaluate('j', ctx, { environment: PROD }).value as { limit: number };
    expect(() => {
      first.limit = 99;
    }).toThrow(TypeError);
    expect(engine.evaluate('j', ctx, { environment: PROD }).value).toEqual({ limit: 3 });
  });

  it('evaluates each environment with its own targeting', () => {
    const engine = engineWith([
      flag('f', {
        environments: {
          development: config({ defaultServe: serve('on') }),
          staging: config({ on: false }),
          production: config({ rules: [rule('country == "FR"', 'on')] }),
        },
      }),
    ]);
    expect(engine.evaluate('f', ctx, { environment: 'development' })).toMatchObject({ reason: 'DEFAULT', value: true });
    expect(engine.evaluate('f', ctx, { environment: 'staging' })).toMatchObject({ reason: 'DISABLED', value: false });
    expect(engine.evaluate('f', ctx, { environment: 'production' })).toMatchObject({
      reason: 'TARGETING_MATCH',
      value: true,
    });
  });

  it('serves a flag in an environment it has no configuration for as DISABLED with its false variation', () => {
    const engine = engineWith([flag('f', { environments: { production: config({ defaultServe: serve('on') }) } })]);
    expect(engine.evaluate('f', ctx, { environment: 'staging' })).toMatchObject({
      reason: 'DISABLED',
      variation: 'off',
      value: false,
    });
  });
});
