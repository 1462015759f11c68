/** Every error code: the caller's default comes back with reason ERROR, and evaluation never throws. */
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/index.js';
import { engineWith, flag, percentOn, PROD, rule, serve, typedFlag } from '../fixtures/flags/flags.js';

const ctx = { targetingKey: 'user-1', plan: 'premium' };

describe('FLAG_NOT_FOUND', () => {
  it('is reported for a key that no flag has, with the caller default', () => {
    const engine = engineWith([flag('f')]);
    expect(engine.evaluate('nope', ctx, { environment: PROD, defaultValue: 'fallback' })).toMatchObject({
      key: 'nope',
      value: 'fallback',
      variation: null,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagVersion: null,
    });
  });

  it('is reported for an archived flag', () => {
    const engine = engineWith([flag('f', { archived: true, config: { defaultServe: serve('on') } })]);
    expect(engine.evaluate('f', ctx, { environment: PROD, defaultValue: false })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      value: false,
    });
  });

  it('is reported after the flag is deleted', () => {
    const engine = engineWith([flag('f')]);
    engine.apply([{ kind: 'flag', key: 'f', flag: null }]);
    expect(engine.evaluate('f', ctx, { environment: PROD })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('returns undefined as the value when the caller gave no default', () => {
    const engine = engineWith([]);
    const result = engine.evaluate('nope', ctx, { environment: PROD });
    expect(result.errorCode).toBe('FLAG_NOT_FOUND');
    expect(result.value).toBeUndefined();
  });
});

describe('TYPE_MISMATCH', () => {
  const engine = engineWith([
    flag('bool', { config: { defaultServe: serve('on') } }),
    typedFlag('str', 'string', ['a', 'b']),
    typedFlag('num', 'number', [1, 2]),
    typedFlag('obj', 'json', [{ a: 1 }, [1, 2]]),
  ]);

  const mismatches: Array<[string, JsonValue]> = [
    ['bool', 'true'],
    ['bool', 1],
    ['bool', { on: true }],
    ['str', 1],
    ['str', false],
    ['str', ['a']],
    ['num', '1'],
    ['num', true],
  ];
  it.each(mismatches)('is reported for flag %s with default %j, returning that default', (key, defaultValue) => {
    expect(engine.evaluate(key, ctx, { environment: PROD, defaultValue })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      value: defaultValue,
      variation: null,
      flagVersion: 1,
    });
  });

  const matches: Array<[string, JsonValue]> = [
    ['bool', false],
    ['str', 'z'],
    ['num', 0],
    ['num', -1.5],
    ['obj', 'anything'],
    ['obj', { any: ['thing'] }],
    ['obj', 3],
    ['bool', null],
  ];
  it.each(matches)('is not reported for flag %s with default %j', (key, defaultValue) => {
    expect(engine.evaluate(key, ctx, { environment: PROD, defaultValue }).reason).not.toBe('ERROR');
  });

  it('is reported even when the flag is off', () => {
    const off = engineWith([flag('f', { config: { on: false } })]);
    expect(off.evaluate('f', ctx, { environment: PROD, defaultValue: 'no' }).errorCode).toBe('TYPE_MISMATCH');
  });
});

describe('TARGETING_KEY_MISSING', () => {
  it('is reported when a split needs the targeting key and the context has none', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    expect(engine.evaluate('f', { plan: 'premium' }, { environment: PROD, defaultValue: true })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
      value: true,
      variation: null,
    });
  });

  it('is reported when the targeting key is neither a string nor a finite number', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    for (const targetingKey of [null, true, { id: 1 }, ['u'], Number.NaN, Infinity] as unknown[]) {
      expect(engine.evaluate('f', { targetingKey }, { environment: PROD }).errorCode).toBe('TARGETING_KEY_MISSING');
    }
  });

  it('is reported when the split buckets by another attribute that is missing', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50, 'user.orgId') } })]);
    const result = engine.evaluate('f', { targetingKey: 'u1', user: {} }, { environment: PROD, defaultValue: false });
    expect(result).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', value: false });
    expect(result.errorMessage).toContain('user.orgId');
  });

  it('is not reported when the rule serving a fixed variation matches first', () => {
    const engine = engineWith([
      flag('f', { config: { rules: [rule('plan == "premium"', 'on')], defaultServe: percentOn(50) } }),
    ]);
    expect(engine.evaluate('f', { plan: 'premium' }, { environment: PROD })).toMatchObject({
      reason: 'TARGETING_MATCH',
      value: true,
    });
  });

  it('accepts a numeric targeting key', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    expect(engine.evaluate('f', { targetingKey: 42 }, { environment: PROD }).reason).toBe('SPLIT');
  });
});

describe('INVALID_CONTEXT', () => {
  const engine = engineWith([flag('f', { config: { defaultServe: serve('on') } })]);
  const invalid: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'user-1'],
    ['a number', 42],
    ['a list', [{ targetingKey: 'u' }]],
    ['a Date', new Date()],
    ['a Map', new Map([['targetingKey', 'u']])],
  ];
  it.each(invalid)('is reported when the context is %s', (_, context) => {
    expect(engine.evaluate('f', context, { environment: PROD, defaultValue: false })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
      value: false,
      flagVersion: 1,
    });
  });

  it('is not reported for a null-prototype object', () => {
    const context = Object.assign(Object.create(null) as object, { targetingKey: 'u' });
    expect(engine.evaluate('f', context, { environment: PROD }).reason).toBe('DEFAULT');
  });

  it('is reported for every flag by evaluateAll', () => {
    const results = engineWith([flag('a'), flag('b')]).evaluateAll('nope', { environment: PROD });
    expect(results.map((result) => result.errorCode)).toEqual(['INVALID_CONTEXT', 'INVALID_CONTEXT']);
  });
});

describe('GENERAL', () => {
  it('is reported for an unknown environment, with the caller default', () => {
    const engine = engineWith([flag('f')]);
    expect(engine.evaluate('f', ctx, { environment: 'moon', defaultValue: true })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'GENERAL',
      value: true,
      variation: null,
      flagVersion: null,
    });
  });

  it('is reported by evaluateAll for each requested key in an unknown environment', () => {
    const engine = engineWith([flag('f')]);
    expect(
      engine
        .evaluateAll(ctx, { environment: 'moon', keys: ['f', 'g'] })
        .map((result) => [result.key, result.errorCode]),
    ).toEqual([
      ['f', 'GENERAL'],
      ['g', 'GENERAL'],
    ]);
  });

  it('is reported after the environment is deleted', () => {
    const engine = engineWith([flag('f')]);
    engine.apply([{ kind: 'environment', key: PROD, environment: null }]);
    expect(engine.evaluate('f', ctx, { environment: PROD }).errorCode).toBe('GENERAL');
  });
});

describe('robustness', () => {
  it('never throws for hostile contexts and attribute values', () => {
    const engine = engineWith([
      flag('f', {
        config: {
          rules: [
            rule('lower(email) endsWith "@x.com"', 'on'),
            rule('semver(app) >= semver("1.2.3")', 'on'),
            rule('constructor == null and toString != 1', percentOn(50)),
            rule('bucket(user.id) < 50', 'on'),
            rule('date(signup) < date("2024-01-01")', 'on'),
          ],
          defaultServe: percentOn(50),
        },
      }),
    ]);
    const hostile: unknown[] = [
      {},
      { email: 12, app: ['1.2.3'], user: 'string', signup: {} },
      { targetingKey: '', email: null, app: 'not-a-version', user: { id: null }, signup: 'yesterday' },
      JSON.parse('{"__proto__": {"targetingKey": "evil"}, "constructor": 1}'),
      { targetingKey: 'x'.repeat(100_000), email: '😀'.repeat(10), app: '9'.repeat(300) },
    ];
    for (const context of hostile) expect(() => engine.evaluate('f', context, { environment: PROD })).not.toThrow();
  });
});
