/** Weighted splits: shares over many contexts, slice boundaries, bucketBy, and zero weights. */
import { describe, expect, it } from 'vitest';
import { bucketIndex } from '../../src/index.js';
import { contexts, engineWith, flag, percentOn, PROD, rule, split, tally, typedFlag } from '../fixtures/flags/flags.js';

const population = contexts(100_000);

function shares(key: string, engine: ReturnType<typeof engineWith>): Map<string | null, number> {
  const counts = tally(population.map((context) => engine.evaluate(key, context, { environment: PROD })));
  return new Map([...counts].map(([variation, count]) => [variation, count / population.length]));
}

describe('split shares over 100,000 contexts', () => {
  it('serves a 10/90 split within ±1 percentage point', () => {
    const engine = engineWith([flag('ten', { config: { defaultServe: percentOn(10) } })]);
    const result = shares('ten', engine);
    expect(Math.abs(result.get('on')! - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(result.get('off')! - 0.9)).toBeLessThan(0.01);
  });

  it('serves a 33.333/33.333/33.334 split within ±1 percentage point', () => {
    const engine = engineWith([
      typedFlag('thirds', 'string', ['a', 'b', 'c'], {
        kind: 'experiment',
        expiresAt: '2026-01-01T00:00:00.000Z',
        config: { defaultServe: split({ v0: 33_333, v1: 33_333, v2: 33_334 }) },
      }),
    ]);
    const result = shares('thirds', engine);
    for (const variation of ['v0', 'v1', 'v2']) expect(Math.abs(result.get(variation)! - 1 / 3)).toBeLessThan(0.01);
  });

  it('serves a split from a rule with the same shares as from the default', () => {
    const engine = engineWith([flag('ruled', { config: { rules: [rule('true', percentOn(25))] } })]);
    expect(Math.abs(shares('ruled', engine).get('on')! - 0.25)).toBeLessThan(0.01);
  });

  it('serves a 0.001% slice to about one context in 100,000', () => {
    const engine = engineWith([flag('tiny', { config: { defaultServe: percentOn(0.001) } })]);
    expect(shares('tiny', engine).get('on') ?? 0).toBeLessThan(0.0001);
  });
});

describe('slice boundaries', () => {
  it('never serves a variation whose weight is 0', () => {
    const engine = engineWith([
      typedFlag('z', 'string', ['a', 'b', 'c'], { config: { defaultServe: split({ v0: 50_000, v1: 0, v2: 50_000 }) } }),
    ]);
    const counts = tally(contexts(20_000).map((context) => engine.evaluate('z', context, { environment: PROD })));
    expect(counts.get('v1')).toBeUndefined();
    expect(counts.get('v0')! + counts.get('v2')!).toBe(20_000);
  });

  it('serves everyone the variation with all 100,000 thousandths', () => {
    const engine = engineWith([flag('all', { config: { defaultServe: percentOn(100) } })]);
    expect(tally(contexts(5_000).map((context) => engine.evaluate('all', context, { environment: PROD })))).toEqual(
      new Map([['on', 5_000]]),
    );
  });

  it('assigns slices in weight order: bucket < first weight gets the first variation', () => {
    const engine = engineWith([
      typedFlag('o', 'string', ['a', 'b', 'c'], {
        config: { defaultServe: split({ v2: 20_000, v0: 30_000, v1: 50_000 }) },
      }),
    ]);
    for (const context of contexts(2_000)) {
      const index = bucketIndex('o', context.targetingKey);
      const expected = index < 20_000 ? 'v2' : index < 50_000 ? 'v0' : 'v1';
      expect(engine.evaluate('o', context, { environment: PROD }).variation).toBe(expected);
    }
  });
});

describe('bucketBy', () => {
  it('buckets by another attribute path, so everyone sharing it gets the same variation', () => {
    const engine = engineWith([flag('org', { config: { defaultServe: percentOn(50, 'account.orgId') } })]);
    for (let org = 0; org < 200; org++) {
      const variations = new Set(
        contexts(10, `org${org}-user`, { account: { orgId: `org-${org}` } }).map(
          (context) => engine.evaluate('org', context, { environment: PROD }).variation,
        ),
      );
      expect(variations.size).toBe(1);
    }
  });

  it('buckets by the named attribute and not by the targeting key', () => {
    const engine = engineWith([flag('org', { config: { defaultServe: percentOn(50, 'orgId') } })]);
    for (const context of contexts(500, 'u', { orgId: 'acme' })) {
      expect(engine.evaluate('org', context, { environment: PROD }).variation).toBe(
        bucketIndex('org', 'acme') < 50_000 ? 'on' : 'off',
      );
    }
  });

  it('buckets a number and its decimal text alike', () => {
    const engine = engineWith([flag('num', { config: { defaultServe: percentOn(50) } })]);
    for (let id = 0; id < 500; id++) {
      expect(engine.evaluate('num', { targetingKey: id }, { environment: PROD }).variation).toBe(
        engine.evaluate('num', { targetingKey: String(id) }, { environment: PROD }).variation,
      );
    }
  });
});
