/** `explain`: the rule-by-rule account of one evaluation, with the rollout bucket and slices. */
import { describe, expect, it } from 'vitest';
import { bucketIndex } from '../../src/index.js';
import { contexts, engineWith, flag, percentOn, PROD, rule, split, typedFlag } from '../fixtures/flags/flags.js';

const targeted = flag('t', {
  config: {
    rules: [
      rule('plan == "free"', 'off', 'free'),
      rule('plan == "premium"', percentOn(30), 'premium'),
      rule('country == "FR"', 'on', 'france'),
    ],
    defaultServe: percentOn(60),
  },
});
const engine = engineWith([targeted]);

describe('explain', () => {
  it('names the matching rule and marks the rules after it as not evaluated', () => {
    const explanation = engine.explain('t', { targetingKey: 'u1', plan: 'premium', country: 'FR' }, PROD)!;
    expect(explanation.matchedRuleIndex).toBe(1);
    expect(explanation.rules.map((entry) => [entry.id, entry.evaluated, entry.matched])).toEqual([
      ['free', true, false],
      ['premium', true, true],
      ['france', false, false],
    ]);
  });

  it('includes each rule condition, serve and evaluation trace', () => {
    const explanation = engine.explain('t', { targetingKey: 'u1', plan: 'premium' }, PROD)!;
    expect(explanation.rules[1]).toMatchObject({
      index: 1,
      condition: 'plan == "premium"',
      serve: { variation: null, rollout: true },
    });
    expect(explanation.rules[1]!.trace!.tree).toMatchObject({
      kind: 'binary',
      operator: '==',
      text: 'plan == "premium"',
      value: true,
    });
    expect(explanation.rules[2]!.trace).toBeNull();
  });

  it('gives the rollout bucket of the context and the slices of the split', () => {
    const context = { targetingKey: 'u42', plan: 'premium' };
    const { rollout } = engine.explain('t', context, PROD)!;
    const index = bucketIndex('t', 'u42');
    expect(rollout).toEqual({
      bucketBy: 'targetingKey',
      bucketValue: 'u42',
      bucket: index / 1000,
      slices: [
        { variation: 'on', from: 0, to: 30, weight: 30_000 },
        { variation: 'off', from: 30, to: 100, weight: 70_000 },
      ],
      variation: index < 30_000 ? 'on' : 'off',
      inRollout: index < 30_000,
    });
  });

  it('places the bucket inside the slice of the variation served', () => {
    for (const context of contexts(300, 'x', { plan: 'premium' })) {
      const explanation = engine.explain('t', context, PROD)!;
      const { bucket, slices } = explanation.rollout!;
      const slice = slices.find((entry) => bucket! >= entry.from && bucket! < entry.to)!;
      expect(slice.variation).toBe(explanation.result.variation);
    }
  });

  it('explains a default-serve split with no matched rule', () => {
    const explanation = engine.explain('t', { targetingKey: 'u1', plan: 'basic' }, PROD)!;
    expect(explanation.matchedRuleIndex).toBeNull();
    expect(explanation.rollout!.slices.map((slice) => [slice.variation, slice.to])).toEqual([
      ['on', 60],
      ['off', 100],
    ]);
    expect(explanation.result.reason).toBe('SPLIT');
  });

  it('has no rollout for a rule serving a single variation', () => {
    const explanation = engine.explain('t', { targetingKey: 'u1', country: 'FR' }, PROD)!;
    expect(explanation).toMatchObject({
      matchedRuleIndex: 2,
      rollout: null,
      result: { reason: 'TARGETING_MATCH', ruleId: 'france' },
    });
  });

  it('reports a null bucket when the context cannot be bucketed', () => {
    const explanation = engine.explain('t', { plan: 'premium' }, PROD)!;
    expect(explanation.rollout).toMatchObject({ bucketValue: null, bucket: null, variation: null, inRollout: null });
    expect(explanation.result.errorCode).toBe('TARGETING_KEY_MISSING');
  });

  it('reports the slices of a three-way split with a custom bucketBy', () => {
    const three = typedFlag('three', 'string', ['a', 'b', 'c'], {
      config: { defaultServe: split({ v0: 33_333, v1: 33_333, v2: 33_334 }, 'org.id') },
    });
    const { rollout } = engineWith([three]).explain('three', { org: { id: 'acme' } }, PROD)!;
    expect(rollout).toMatchObject({
      bucketBy: 'org.id',
      bucketValue: 'acme',
      bucket: bucketIndex('three', 'acme') / 1000,
      slices: [
        { variation: 'v0', from: 0, to: 33.333 },
        { variation: 'v1', from: 33.333, to: 66.666 },
        { variation: 'v2', from: 66.666, to: 100 },
      ],
    });
  });

  it('evaluates no rule of a flag that is off', () => {
    const off = engineWith([flag('off', { config: { on: false, rules: [rule('true', 'on')] } })]);
    const explanation = off.explain('off', {}, PROD)!;
    expect(explanation).toMatchObject({
      on: false,
      matchedRuleIndex: null,
      rollout: null,
      result: { reason: 'DISABLED' },
    });
    expect(explanation.rules[0]).toMatchObject({ evaluated: false, trace: null });
  });

  it('agrees with evaluate for every context', () => {
    for (const context of contexts(300, 'y').map((entry, i) => ({
      ...entry,
      plan: ['free', 'premium', 'basic'][i % 3]!,
      country: i % 2 ? 'FR' : 'DE',
    }))) {
      const explanation = engine.explain('t', context, PROD)!;
      const result = engine.evaluate('t', context, { environment: PROD });
      expect(explanation.result).toEqual(result);
      expect(explanation.matchedRuleIndex ?? undefined).toBe(result.ruleIndex);
    }
  });

  it('carries the flag version and environment', () => {
    expect(engine.explain('t', {}, 'staging')).toMatchObject({
      flagKey: 't',
      environment: 'staging',
      flagVersion: 1,
      on: true,
    });
  });

  it('returns null for an unknown flag or environment', () => {
    expect(engine.explain('nope', {}, PROD)).toBeNull();
    expect(engine.explain('t', {}, 'moon')).toBeNull();
  });

  it('agrees with evaluate when the context holds values that are not JSON (a Date, a Map)', () => {
    // The rule language reads only own properties of plain JSON objects (`signup.getTime` is null);
    // the compiled rule must say the same as the explain interpreter.
    const probe = engineWith([
      flag('probe', {
        config: { rules: [rule('signup.getTime == null', 'on', 'inherited'), rule('user.size > 0', 'on', 'getter')] },
      }),
    ]);
    for (const context of [{ signup: new Date(0) }, { signup: 'x', user: new Map([['a', 1]]) }]) {
      const explanation = probe.explain('probe', context, PROD)!;
      expect(explanation.matchedRuleIndex ?? undefined).toBe(
        probe.evaluate('probe', context, { environment: PROD }).ruleIndex,
      );
    }
  });

  it('reports no matched rule for a context that is not a JSON object (the evaluation is INVALID_CONTEXT)', () => {
    const always = engineWith([flag('always', { config: { rules: [rule('true', 'on')] } })]);
    const explanation = always.explain('always', null, PROD)!;
    expect(explanation.result.errorCode).toBe('INVALID_CONTEXT');
    expect(explanation.matchedRuleIndex).toBeNull();
  });
});
