/**
 * Consistent assignment: the same context gets the same variation on every call, in every engine
 * instance and after a reload; raising a rollout only adds people; other flags never move anyone.
 */
import { describe, expect, it } from 'vitest';
import type { FlagEngine } from '../../src/index.js';
import { bucketIndex } from '../../src/index.js';
import {
  contexts,
  engineWith,
  flag,
  percentOn,
  PROD,
  referenceBucket,
  revise,
  rule,
  split,
  state,
  typedFlag,
} from '../fixtures/flags/flags.js';

const population = contexts(20_000);

function assignments(engine: FlagEngine, key: string, people = population): Array<string | null> {
  return people.map((context) => engine.evaluate(key, context, { environment: PROD }).variation);
}

const exp = typedFlag('exp', 'string', ['control', 'a', 'b'], {
  kind: 'experiment',
  expiresAt: '2026-01-01T00:00:00.000Z',
  config: { rules: [rule('bucket(targetingKey) < 80', split({ v0: 50_000, v1: 25_000, v2: 25_000 }))] },
});

describe('consistent assignment', () => {
  it('gives the same context the same variation on every call', () => {
    const engine = engineWith([exp]);
    const first = assignments(engine, 'exp');
    for (let round = 0; round < 3; round++) expect(assignments(engine, 'exp')).toEqual(first);
  });

  it('gives the same variations in two independent engine instances', () => {
    expect(assignments(engineWith([exp]), 'exp')).toEqual(assignments(engineWith([exp]), 'exp'));
  });

  it('gives the same variations after the engine loads the same state again', () => {
    const engine = engineWith([exp]);
    const before = assignments(engine, 'exp');
    engine.load(state([exp]));
    expect(assignments(engine, 'exp')).toEqual(before);
  });

  it('gives the same variations after a copy of the flag (a new object) is applied', () => {
    const engine = engineWith([exp]);
    const before = assignments(engine, 'exp');
    engine.apply([{ kind: 'flag', key: 'exp', flag: structuredClone(revise(exp, { description: 'reworded' })) }]);
    expect(assignments(engine, 'exp')).toEqual(before);
  });

  it('does not depend on the order in which contexts are evaluated', () => {
    const engine = engineWith([exp]);
    const forward = assignments(engine, 'exp');
    const backward = assignments(engineWith([exp]), 'exp', [...population].reverse()).reverse();
    expect(backward).toEqual(forward);
  });

  it('does not depend on the other attributes of the context', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    for (const context of population.slice(0, 2_000)) {
      const plain = engine.evaluate('f', context, { environment: PROD }).variation;
      expect(
        engine.evaluate('f', { ...context, plan: 'premium', country: 'FR', version: 3 }, { environment: PROD })
          .variation,
      ).toBe(plain);
    }
  });

  it('gives a new salt a different assignment (the salt is what is hashed)', () => {
    const engine = engineWith([flag('f', { config: { defaultServe: percentOn(50) } })]);
    const before = assignments(engine, 'f');
    engine.apply([{ kind: 'flag', key: 'f', flag: revise(engine.flag('f')!, { salt: 'reshuffled' }) }]);
    const after = assignments(engine, 'f');
    const moved = before.filter((variation, i) => variation !== after[i]).length;
    expect(moved / population.length).toBeGreaterThan(0.4);
  });
});

describe('reproducible bucketing', () => {
  it('buckets by MurmurHash3_x86_32 of the UTF-8 bytes of "salt:value", as documented', () => {
    const values: Array<string | number> = ['', 'u42', 'user-1', 'Zoë 😀', '東京', 'a'.repeat(37), 42, 2.5, 1e21, -0];
    for (const salt of ['', 'new_checkout', 'pricing-v2', 'sålt'])
      for (const value of values) expect(bucketIndex(salt, value)).toBe(referenceBucket(salt, value));
  });

  it('serves split slices by that bucket, so another implementation can reproduce every assignment', () => {
    const engine = engineWith([flag('repro', { salt: 'any salt', config: { defaultServe: percentOn(37.5) } })]);
    for (const context of population.slice(0, 5_000)) {
      expect(engine.evaluate('repro', context, { environment: PROD }).variation).toBe(
        referenceBucket('any salt', context.targetingKey) < 37_500 ? 'on' : 'off',
      );
    }
  });
});

describe('raising a rollout', () => {
  const steps: Array<[number, number]> = [
    [10, 20],
    [0.5, 1],
    [20, 50],
    [50, 99.999],
  ];
  it.each(steps)('keeps every context that had the on variation at %d%% when raised to %d%%', (from, to) => {
    const before = flag('roll', { config: { rules: [rule('true', percentOn(from))] } });
    const engine = engineWith([before]);
    const was = assignments(engine, 'roll');
    engine.apply([
      { kind: 'flag', key: 'roll', flag: revise(before, { config: { rules: [rule('true', percentOn(to))] } }) },
    ]);
    const now = assignments(engine, 'roll');
    const kept = was.every((variation, i) => variation !== 'on' || now[i] === 'on');
    expect(kept).toBe(true);
    const onBefore = was.filter((variation) => variation === 'on').length;
    const onAfter = now.filter((variation) => variation === 'on').length;
    expect(onAfter).toBeGreaterThan(onBefore);
    expect(Math.abs(onAfter / population.length - to / 100)).toBeLessThan(0.01);
  });

  it('keeps everyone who had it when the on slice is listed last (10% → 20%)', () => {
    const lastSlice = (percent: number) => split({ off: 100_000 - percent * 1000, on: percent * 1000 });
    const before = flag('roll', { config: { defaultServe: lastSlice(10) } });
    const engine = engineWith([before]);
    const was = assignments(engine, 'roll');
    engine.apply([{ kind: 'flag', key: 'roll', flag: revise(before, { config: { defaultServe: lastSlice(20) } }) }]);
    const now = assignments(engine, 'roll');
    expect(was.every((variation, i) => variation !== 'on' || now[i] === 'on')).toBe(true);
  });

  it('keeps every context bucketed in by a bucket() rule when its threshold is raised', () => {
    const at = (percent: number) => flag('b', { config: { rules: [rule(`bucket(targetingKey) < ${percent}`, 'on')] } });
    const was = assignments(engineWith([at(10)]), 'b');
    const now = assignments(engineWith([at(20)]), 'b');
    expect(was.every((variation, i) => variation !== 'on' || now[i] === 'on')).toBe(true);
  });

  it('is consistent with the same rollout percentage served by a bucket() rule with the same salt', () => {
    const byRollout = assignments(engineWith([flag('same', { config: { defaultServe: percentOn(10) } })]), 'same');
    const byRule = assignments(
      engineWith([flag('same', { config: { rules: [rule('bucket(targetingKey) < 10', 'on')] } })]),
      'same',
    );
    expect(byRule).toEqual(byRollout);
  });
});

describe('isolation between flags', () => {
  const a = flag('flag-a', { config: { defaultServe: percentOn(50) } });
  const b = flag('flag-b', {
    config: { rules: [rule('bucket(targetingKey) < 30', 'on')], defaultServe: percentOn(40) },
  });

  it('does not move users of flag B when the salt of flag A changes', () => {
    const engine = engineWith([a, b]);
    const before = assignments(engine, 'flag-b');
    engine.apply([{ kind: 'flag', key: 'flag-a', flag: revise(a, { salt: 'a-new-salt' }) }]);
    expect(assignments(engine, 'flag-b')).toEqual(before);
  });

  it('does not move users of flag B when the weights of flag A change', () => {
    const engine = engineWith([a, b]);
    const before = assignments(engine, 'flag-b');
    engine.apply([{ kind: 'flag', key: 'flag-a', flag: revise(a, { config: { defaultServe: percentOn(5) } }) }]);
    expect(assignments(engine, 'flag-b')).toEqual(before);
  });

  it('does not move users of flag B when flag A gets the same salt as B', () => {
    const engine = engineWith([a, b]);
    const before = assignments(engine, 'flag-b');
    engine.apply([{ kind: 'flag', key: 'flag-a', flag: revise(a, { salt: 'flag-b' }) }]);
    expect(assignments(engine, 'flag-b')).toEqual(before);
  });

  it('gives two flags with different keys independent assignments', () => {
    const engine = engineWith([a, flag('flag-c', { config: { defaultServe: percentOn(50) } })]);
    const inA = assignments(engine, 'flag-a');
    const inC = assignments(engine, 'flag-c');
    const both = inA.filter((variation, i) => variation === 'on' && inC[i] === 'on').length / population.length;
    expect(Math.abs(both - 0.25)).toBeLessThan(0.02);
  });

  it('gives two flags that share a salt the same assignment', () => {
    const engine = engineWith([a, flag('flag-d', { salt: 'flag-a', config: { defaultServe: percentOn(50) } })]);
    expect(assignments(engine, 'flag-d')).toEqual(assignments(engine, 'flag-a'));
  });
});
