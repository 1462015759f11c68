/** Targeting rules are tried in order and the first that matches decides; the kill switch overrides them all. */
import { describe, expect, it } from 'vitest';
import { engineWith, flag, percentOn, PROD, revise, rule, serve, typedFlag } from '../fixtures/flags/flags.js';

const colours = (rules: ReturnType<typeof rule>[]) =>
  typedFlag('colour', 'string', ['grey', 'red', 'green', 'blue'], { config: { rules, defaultServe: serve('v0') } });

describe('rule order', () => {
  const rules = [
    rule('plan == "premium"', 'v1', 'premium'),
    rule('country == "FR"', 'v2', 'france'),
    rule('beta', 'v3', 'beta'),
  ];
  const engine = engineWith([colours(rules)]);
  const evaluate = (context: object) => engine.evaluate('colour', context, { environment: PROD });

  it('serves the first matching rule when several match', () => {
    expect(evaluate({ plan: 'premium', country: 'FR', beta: true })).toMatchObject({
      value: 'red',
      ruleIndex: 0,
      ruleId: 'premium',
    });
  });

  it('falls through to a later rule when earlier ones do not match', () => {
    expect(evaluate({ plan: 'free', country: 'FR', beta: true })).toMatchObject({
      value: 'green',
      ruleIndex: 1,
      ruleId: 'france',
    });
  });

  it('serves the last rule when only it matches', () => {
    expect(evaluate({ beta: true })).toMatchObject({ value: 'blue', ruleIndex: 2, ruleId: 'beta' });
  });

  it('serves the default when no rule matches', () => {
    expect(evaluate({ beta: 'true' })).toMatchObject({ value: 'grey', reason: 'DEFAULT' });
  });

  it('changes the winner when the rules are reordered', () => {
    const reordered = engineWith([colours([rules[2]!, rules[1]!, rules[0]!])]);
    expect(
      reordered.evaluate('colour', { plan: 'premium', country: 'FR', beta: true }, { environment: PROD }),
    ).toMatchObject({ value: 'blue', ruleIndex: 0, ruleId: 'beta' });
  });

  it('does not fall through to later rules when a matching rule serves a split', () => {
    const engine = engineWith([
      flag('f', { config: { rules: [rule('plan == "premium"', percentOn(0)), rule('plan == "premium"', 'on')] } }),
    ]);
    expect(engine.evaluate('f', { targetingKey: 'u', plan: 'premium' }, { environment: PROD })).toMatchObject({
      reason: 'SPLIT',
      ruleIndex: 0,
      value: false,
    });
  });

  it('goes on to the next rule when one cannot read the context (a throwing getter), in every API', () => {
    const context = Object.defineProperty({ country: 'FR', beta: true }, 'plan', {
      enumerable: true,
      get() {
        throw new Error('a getter that throws');
      },
    });
    expect(evaluate(context)).toMatchObject({ value: 'green', ruleIndex: 1, ruleId: 'france' });
    expect(engine.evaluateAll(context, { environment: PROD })[0]).toMatchObject({ ruleIndex: 1 });
    expect(engine.evaluateAll(context, { environment: PROD, keys: ['colour'] })[0]).toMatchObject({ ruleIndex: 1 });
  });

  it('keeps the stable rule id when the rule moves to another index', () => {
    const moved = engineWith([colours([rule('x == 1', 'v2', 'first'), ...rules])]);
    expect(moved.evaluate('colour', { plan: 'premium' }, { environment: PROD })).toMatchObject({
      ruleIndex: 1,
      ruleId: 'premium',
    });
  });
});

describe('kill switch', () => {
  const targeted = flag('f', { config: { rules: [rule('true', 'on')], defaultServe: serve('on') } });

  it('serves the off variation to everyone while off, whatever the rules say', () => {
    const engine = engineWith([revise(targeted, { config: { on: false } })]);
    for (const context of [{ targetingKey: 'a' }, { plan: 'premium' }, {}]) {
      expect(engine.evaluate('f', context, { environment: PROD })).toMatchObject({
        reason: 'DISABLED',
        variation: 'off',
        value: false,
        ruleIndex: undefined,
      });
    }
  });

  it('does not need a targeting key while off, even when the default is a split', () => {
    const engine = engineWith([flag('f', { config: { on: false, defaultServe: percentOn(50) } })]);
    expect(engine.evaluate('f', {}, { environment: PROD }).reason).toBe('DISABLED');
  });

  it('serves the configured off variation, which need not be false', () => {
    const engine = engineWith([
      typedFlag('s', 'string', ['a', 'b', 'c'], {
        config: { on: false, offVariation: 'v2', defaultServe: serve('v0') },
      }),
    ]);
    expect(engine.evaluate('s', {}, { environment: PROD })).toMatchObject({
      reason: 'DISABLED',
      variation: 'v2',
      value: 'c',
    });
  });

  it('takes effect on the next evaluation after the change is applied', () => {
    const engine = engineWith([targeted]);
    expect(engine.evaluate('f', {}, { environment: PROD }).reason).toBe('TARGETING_MATCH');
    engine.apply([{ kind: 'flag', key: 'f', flag: revise(targeted, { config: { on: false } }) }]);
    expect(engine.evaluate('f', {}, { environment: PROD }).reason).toBe('DISABLED');
  });

  it('switches back on to the same targeting', () => {
    const off = revise(targeted, { config: { on: false } });
    const engine = engineWith([off]);
    engine.apply([{ kind: 'flag', key: 'f', flag: revise(off, { config: { on: true } }) }]);
    expect(engine.evaluate('f', {}, { environment: PROD })).toMatchObject({ reason: 'TARGETING_MATCH', value: true });
  });

  it('is per environment', () => {
    const engine = engineWith([
      {
        ...targeted,
        environments: { ...targeted.environments, staging: { ...targeted.environments.staging!, on: false } },
      },
    ]);
    expect(engine.evaluate('f', {}, { environment: 'staging' }).reason).toBe('DISABLED');
    expect(engine.evaluate('f', {}, { environment: PROD }).reason).toBe('TARGETING_MATCH');
  });
});
