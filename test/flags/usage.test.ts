/** Usage statistics: per environment, flag and variation, a count and when it was last evaluated. */
import { describe, expect, it } from 'vitest';
import { maxNotFoundKeys } from '../../src/flags/usage.js';
import { contexts, engineWith, flag, percentOn, PROD, revise, rule, serve } from '../fixtures/flags/flags.js';

const t1 = new Date('2025-03-01T10:00:00.000Z');
const t2 = new Date('2025-03-01T10:05:00.000Z');
const t3 = new Date('2025-03-01T10:10:00.000Z');

const byKey = (entries: Array<{ environment: string; flagKey: string; variation: string | null; count: number }>) =>
  Object.fromEntries(entries.map((entry) => [`${entry.environment}/${entry.flagKey}/${entry.variation}`, entry.count]));

describe('usage counts', () => {
  it('counts evaluations per flag and variation', () => {
    const engine = engineWith([flag('f', { config: { rules: [rule('vip', 'on')] } }), flag('g')]);
    for (let i = 0; i < 3; i++) engine.evaluate('f', { vip: true }, { environment: PROD });
    for (let i = 0; i < 2; i++) engine.evaluate('f', { vip: false }, { environment: PROD });
    engine.evaluate('g', {}, { environment: PROD });
    expect(byKey(engine.usage.read(t1))).toEqual({
      'production/f/on': 3,
      'production/f/off': 2,
      'production/g/off': 1,
    });
  });

  it('counts each environment separately', () => {
    const engine = engineWith([flag('f')]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.evaluate('f', {}, { environment: 'staging' });
    engine.evaluate('f', {}, { environment: 'staging' });
    expect(byKey(engine.usage.read(t1))).toEqual({ 'production/f/off': 1, 'staging/f/off': 2 });
  });

  it('counts the variations of a split in their proportions', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(25) } })]);
    for (const context of contexts(10_000)) engine.evaluate('f', context, { environment: PROD });
    const counts = byKey(engine.usage.read(t1));
    expect(counts['production/f/on']! + counts['production/f/off']!).toBe(10_000);
    expect(Math.abs(counts['production/f/on']! / 10_000 - 0.25)).toBeLessThan(0.02);
  });

  it('counts DISABLED evaluations under the off variation', () => {
    const engine = engineWith([flag('f', { config: { on: false } })]);
    engine.evaluate('f', {}, { environment: PROD });
    expect(byKey(engine.usage.read(t1))).toEqual({ 'production/f/off': 1 });
  });

  it('does not count errors', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.evaluate('f', null, { environment: PROD });
    engine.evaluate('f', { targetingKey: 'u' }, { environment: PROD, defaultValue: 'x' });
    engine.evaluate('missing', { targetingKey: 'u' }, { environment: PROD });
    engine.evaluate('f', { targetingKey: 'u' }, { environment: 'moon' });
    expect(engine.usage.read(t1)).toEqual([]);
  });

  it('counts every flag evaluated by evaluateAll', () => {
    const engine = engineWith([flag('a'), flag('b', { config: { defaultServe: serve('on') } })]);
    engine.evaluateAll({}, { environment: PROD });
    engine.evaluateAll({}, { environment: PROD });
    expect(byKey(engine.usage.read(t1))).toEqual({ 'production/a/off': 2, 'production/b/on': 2 });
  });

  it('keeps counting in the same slot after the flag is recompiled', () => {
    const original = flag('f');
    const engine = engineWith([original]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.apply([{ kind: 'flag', key: 'f', flag: revise(original) }]);
    engine.evaluate('f', {}, { environment: PROD });
    expect(byKey(engine.usage.read(t1))).toEqual({ 'production/f/off': 2 });
  });

  it('counts correctly across many flags (beyond the initial counter capacity)', () => {
    const flags = Array.from({ length: 300 }, (_, i) =>
      flag(`flag-${i}`, { config: { defaultServe: serve(i % 2 ? 'on' : 'off') } }),
    );
    const engine = engineWith(flags);
    for (let round = 0; round < 2; round++) engine.evaluateAll({}, { environment: PROD });
    const entries = engine.usage.read(t1);
    expect(entries).toHaveLength(300);
    expect(
      entries.every(
        (entry) => entry.count === 2 && entry.variation === (Number(entry.flagKey.slice(5)) % 2 ? 'on' : 'off'),
      ),
    ).toBe(true);
  });
});

describe('lastEvaluatedAt', () => {
  it('is the time of the first read after the count moved', () => {
    const engine = engineWith([flag('f')]);
    engine.evaluate('f', {}, { environment: PROD });
    expect(engine.usage.read(t1)[0]!.lastEvaluatedAt).toBe(t1.toISOString());
  });

  it('stays put while there are no new evaluations', () => {
    const engine = engineWith([flag('f')]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.usage.read(t1);
    expect(engine.usage.read(t2)[0]).toMatchObject({ count: 1, lastEvaluatedAt: t1.toISOString() });
  });

  it('moves with new evaluations, per variation', () => {
    const engine = engineWith([flag('f', { config: { rules: [rule('vip', 'on')] } })]);
    engine.evaluate('f', { vip: true }, { environment: PROD });
    engine.evaluate('f', {}, { environment: PROD });
    engine.usage.read(t1);
    engine.evaluate('f', { vip: true }, { environment: PROD });
    const entries = Object.fromEntries(engine.usage.read(t2).map((entry) => [entry.variation, entry]));
    expect(entries.on).toMatchObject({ count: 2, lastEvaluatedAt: t2.toISOString() });
    expect(entries.off).toMatchObject({ count: 1, lastEvaluatedAt: t1.toISOString() });
  });
});

describe('drain', () => {
  it('returns the totals since the last drain', () => {
    const engine = engineWith([flag('f')]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.evaluate('f', {}, { environment: PROD });
    expect(engine.usage.drain(t1)).toEqual([
      { environment: PROD, flagKey: 'f', variation: 'off', count: 2, lastEvaluatedAt: t1.toISOString() },
    ]);
  });

  it('starts counting from zero afterwards', () => {
    const engine = engineWith([flag('f')]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.usage.drain(t1);
    expect(engine.usage.read(t2)).toEqual([]);
    engine.evaluate('f', {}, { environment: PROD });
    expect(engine.usage.drain(t3)).toEqual([
      { environment: PROD, flagKey: 'f', variation: 'off', count: 1, lastEvaluatedAt: t3.toISOString() },
    ]);
  });

  it('loses no evaluation between successive drains', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    let total = 0;
    for (let batch = 0; batch < 5; batch++) {
      for (const context of contexts(1000, `b${batch}`)) engine.evaluate('f', context, { environment: PROD });
      total += engine.usage.drain().reduce((sum, entry) => sum + entry.count, 0);
    }
    expect(total).toBe(5000);
  });
});

describe('FLAG_NOT_FOUND counts', () => {
  it('counts requests of archived and unknown keys at drain time, under the variation null; explanations and prerequisites do not count', () => {
    const engine = engineWith([flag('f', { archived: true }), flag('g')]);
    engine.evaluate('f', {}, { environment: PROD });
    engine.evaluate('f', {}, { environment: PROD });
    engine.evaluate('gone', {}, { environment: PROD });
    engine.explain('f', {}, PROD);
    const drained = engine.usage.drain(t1);
    expect(byKey(drained)).toEqual({ 'production/f/null': 2, 'production/gone/null': 1 });
    expect(drained.every((entry) => entry.lastEvaluatedAt === t1.toISOString())).toBe(true);
    expect(engine.usage.drain(t2)).toEqual([]);
  });

  it(`keeps at most ${maxNotFoundKeys} distinct keys between drains, so random keys cannot grow memory; known keys go on counting`, () => {
    const engine = engineWith([flag('g')]);
    for (let i = 0; i < maxNotFoundKeys + 500; i++) engine.evaluate(`random-${i}`, {}, { environment: PROD });
    engine.evaluate('random-0', {}, { environment: PROD });
    const drained = engine.usage.drain(t1);
    expect(drained).toHaveLength(maxNotFoundKeys);
    expect(drained.find((entry) => entry.flagKey === 'random-0')!.count).toBe(2);
    expect(engine.usage.notFoundDropped).toBe(500);
    engine.evaluate('random-1999', {}, { environment: PROD });
    expect(byKey(engine.usage.drain(t2))).toEqual({ 'production/random-1999/null': 1 });
  });
});
