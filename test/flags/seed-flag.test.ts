/**
 * The seed flag `new_checkout`, path by path:
 *   1. email endsWith "@company.com"        → on (true)
 *   2. plan in ["premium","enterprise"]     → 10% on / 90% off rollout by targetingKey
 *   3. userId in ["user_123","user_456"]    → on (true)
 *   default                                  → off (false)
 */
import { describe, expect, it } from 'vitest';
import { bucketIndex, type Flag, FlagEngine, seedFlag, validateFlag } from '../../src/index.js';
import { contexts, documentOf, environments, NOW, PROD } from '../fixtures/flags/flags.js';

const seed: Flag = seedFlag(new Date(NOW));
const engine = new FlagEngine();
engine.load({ environments, flags: [seed], segments: [] });
const evaluate = (context: unknown, defaultValue?: boolean) =>
  engine.evaluate('new_checkout', context, { environment: PROD, defaultValue });

/** Whether the 10% rollout of rule 2 takes this targeting key, computed independently of the engine. */
const inTenPercent = (targetingKey: string) => bucketIndex('new_checkout', targetingKey) < 10_000;
const keyIn = contexts(1000, 'customer')
  .map((context) => context.targetingKey)
  .find(inTenPercent)!;
const keyOut = contexts(1000, 'customer')
  .map((context) => context.targetingKey)
  .find((key) => !inTenPercent(key))!;

describe('seed flag new_checkout', () => {
  it('is a valid flag document', () => {
    expect(validateFlag(documentOf(seed), NOW)).toEqual(seed);
  });

  it('is on in every default environment with the same three rules', () => {
    for (const environment of ['development', 'staging', 'production']) {
      expect(seed.environments[environment]).toMatchObject({
        on: true,
        offVariation: 'off',
        defaultServe: { variation: 'off' },
      });
      expect(seed.environments[environment]!.rules.map((entry) => entry.condition)).toEqual([
        'email endsWith "@company.com"',
        'plan in ["premium","enterprise"]',
        'userId in ["user_123","user_456"]',
      ]);
    }
  });

  it('serves true to company staff by rule 1', () => {
    expect(evaluate({ targetingKey: 'emp-1', email: 'ada@company.com' })).toMatchObject({
      key: 'new_checkout',
      value: true,
      variation: 'on',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
      ruleId: 'staff',
      flagVersion: 1,
    });
  });

  it('serves staff by rule 1 even when they are premium customers outside the 10%', () => {
    expect(evaluate({ targetingKey: keyOut, email: 'ada@company.com', plan: 'premium' })).toMatchObject({
      value: true,
      ruleIndex: 0,
    });
  });

  it('does not treat look-alike addresses as staff', () => {
    for (const email of ['ada@company.com.evil.io', 'ada@COMPANY.COM', 'ada@subcompany.org', 'company.com']) {
      expect(evaluate({ targetingKey: 'x', email })).toMatchObject({ value: false, reason: 'DEFAULT' });
    }
  });

  it('serves true to a premium customer inside the 10% rollout by rule 2', () => {
    expect(evaluate({ targetingKey: keyIn, plan: 'premium' })).toMatchObject({
      value: true,
      variation: 'on',
      reason: 'SPLIT',
      ruleIndex: 1,
      ruleId: 'paying-10pct',
      inRollout: true,
    });
  });

  it('serves false to a premium customer outside the 10% rollout by rule 2', () => {
    expect(evaluate({ targetingKey: keyOut, plan: 'premium' })).toMatchObject({
      value: false,
      variation: 'off',
      reason: 'SPLIT',
      ruleIndex: 1,
      inRollout: false,
    });
  });

  it('buckets enterprise customers like premium ones', () => {
    expect(evaluate({ targetingKey: keyIn, plan: 'enterprise' })).toMatchObject({
      value: true,
      reason: 'SPLIT',
      ruleIndex: 1,
    });
    expect(evaluate({ targetingKey: keyOut, plan: 'enterprise' })).toMatchObject({
      value: false,
      reason: 'SPLIT',
      ruleIndex: 1,
    });
  });

  it('serves about 10% of 100,000 paying customers (within ±1 percentage point), exactly those bucketed below 10,000', () => {
    const paying = contexts(100_000, 'customer').map((context, i) => ({
      ...context,
      plan: i % 2 ? 'premium' : 'enterprise',
    }));
    let on = 0;
    for (const context of paying) {
      const result = evaluate(context);
      if (result.value !== inTenPercent(context.targetingKey))
        expect.unreachable(`${context.targetingKey} got ${String(result.value)}`);
      if (result.value === true) on++;
    }
    expect(Math.abs(on / paying.length - 0.1)).toBeLessThan(0.01);
  });

  it('serves true to named beta users by rule 3', () => {
    expect(evaluate({ targetingKey: 'u', userId: 'user_123' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      ruleIndex: 2,
      ruleId: 'beta-users',
    });
    expect(evaluate({ targetingKey: 'u', userId: 'user_456', plan: 'free' })).toMatchObject({
      value: true,
      ruleIndex: 2,
    });
  });

  it('does not reach rule 3 for a named beta user who is a paying customer outside the 10%', () => {
    expect(evaluate({ targetingKey: keyOut, userId: 'user_123', plan: 'premium' })).toMatchObject({
      value: false,
      reason: 'SPLIT',
      ruleIndex: 1,
    });
  });

  it('serves false by default to everyone else', () => {
    for (const context of [
      { targetingKey: 'a', plan: 'free' },
      { targetingKey: 'b', userId: 'user_789' },
      { targetingKey: 'c' },
      {},
    ]) {
      expect(evaluate(context)).toMatchObject({
        value: false,
        variation: 'off',
        reason: 'DEFAULT',
        ruleIndex: undefined,
      });
    }
  });

  it('returns the caller default with TARGETING_KEY_MISSING for a paying customer without a targeting key', () => {
    expect(evaluate({ plan: 'premium' }, true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
  });

  it('gives the same answer in a second engine instance', () => {
    const other = new FlagEngine();
    other.load({ environments, flags: [seedFlag(new Date(NOW))], segments: [] });
    for (const context of contexts(2_000, 'customer', { plan: 'premium' }))
      expect(other.evaluate('new_checkout', context, { environment: PROD })).toEqual(evaluate(context));
  });

  it('serves everyone false once switched off', () => {
    const off = new FlagEngine();
    const production = { ...seed.environments.production!, on: false };
    off.load({ environments, flags: [{ ...seed, environments: { ...seed.environments, production } }], segments: [] });
    expect(
      off.evaluate('new_checkout', { targetingKey: 'e', email: 'ada@company.com' }, { environment: PROD }),
    ).toMatchObject({ value: false, reason: 'DISABLED' });
  });
});
