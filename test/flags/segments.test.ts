/** Segments: explicit inclusion and exclusion by targeting key (exclusion wins), then the condition. */
import { describe, expect, it } from 'vitest';
import { engineWith, flag, PROD, rule, segment } from '../fixtures/flags/flags.js';

const usesSegment = (segmentKey: string, key = 'gated') =>
  flag(key, { config: { rules: [rule(`segment("${segmentKey}")`, 'on')] } });
const inSegment = (engine: ReturnType<typeof engineWith>, context: unknown, key = 'gated') =>
  engine.evaluate(key, context, { environment: PROD }).value === true;

describe('segment membership', () => {
  const beta = segment('beta', {
    included: ['alice', 'bob'],
    excluded: ['bob', 'mallory'],
    condition: 'plan == "enterprise"',
  });
  const engine = engineWith([usesSegment('beta')], [beta]);

  it('includes a listed targeting key', () => {
    expect(inSegment(engine, { targetingKey: 'alice' })).toBe(true);
  });

  it('excludes a key that is both included and excluded (exclusion wins)', () => {
    expect(inSegment(engine, { targetingKey: 'bob' })).toBe(false);
  });

  it('excludes an excluded key even when the condition matches', () => {
    expect(inSegment(engine, { targetingKey: 'mallory', plan: 'enterprise' })).toBe(false);
  });

  it('includes a key that is not listed when the condition matches', () => {
    expect(inSegment(engine, { targetingKey: 'carol', plan: 'enterprise' })).toBe(true);
  });

  it('includes a listed key even when the condition does not match', () => {
    expect(inSegment(engine, { targetingKey: 'alice', plan: 'free' })).toBe(true);
  });

  it('leaves out a key that is not listed when the condition does not match', () => {
    expect(inSegment(engine, { targetingKey: 'carol', plan: 'free' })).toBe(false);
  });

  it('judges a context without a targeting key by the condition alone', () => {
    expect(inSegment(engine, { plan: 'enterprise' })).toBe(true);
    expect(inSegment(engine, { plan: 'free' })).toBe(false);
  });

  it('matches list keys exactly (case-sensitive, no prefix)', () => {
    expect(inSegment(engine, { targetingKey: 'Alice' })).toBe(false);
    expect(inSegment(engine, { targetingKey: 'alice ' })).toBe(false);
  });

  it('matches nobody but listed keys when there is no condition', () => {
    const engine = engineWith([usesSegment('list')], [segment('list', { included: ['alice'] })]);
    expect(inSegment(engine, { targetingKey: 'alice' })).toBe(true);
    expect(inSegment(engine, { targetingKey: 'bob', plan: 'enterprise' })).toBe(false);
  });

  it('treats an unknown segment as matching nobody', () => {
    const engine = engineWith([usesSegment('ghost')], []);
    expect(engine.evaluate('gated', { targetingKey: 'alice' }, { environment: PROD })).toMatchObject({
      reason: 'DEFAULT',
      value: false,
    });
  });

  it('belongs to one environment: the same key in another environment is another segment', () => {
    const engine = engineWith(
      [usesSegment('beta')],
      [
        segment('beta', { environment: 'staging', included: ['alice'] }),
        segment('beta', { environment: PROD, included: ['bob'] }),
      ],
    );
    expect(engine.evaluate('gated', { targetingKey: 'alice' }, { environment: 'staging' }).value).toBe(true);
    expect(engine.evaluate('gated', { targetingKey: 'alice' }, { environment: PROD }).value).toBe(false);
    expect(engine.evaluate('gated', { targetingKey: 'bob' }, { environment: PROD }).value).toBe(true);
  });

  it('can be combined with other conditions in a rule', () => {
    const engine = engineWith(
      [flag('mixed', { config: { rules: [rule('segment("beta") and country == "FR"', 'on')] } })],
      [beta],
    );
    expect(inSegment(engine, { targetingKey: 'alice', country: 'FR' }, 'mixed')).toBe(true);
    expect(inSegment(engine, { targetingKey: 'alice', country: 'DE' }, 'mixed')).toBe(false);
    expect(inSegment(engine, { targetingKey: 'bob', country: 'FR' }, 'mixed')).toBe(false);
  });

  it('can be negated in a rule', () => {
    const engine = engineWith([flag('outside', { config: { rules: [rule('not segment("beta")', 'on')] } })], [beta]);
    expect(inSegment(engine, { targetingKey: 'bob' }, 'outside')).toBe(true);
    expect(inSegment(engine, { targetingKey: 'alice' }, 'outside')).toBe(false);
  });
});

describe('large segments', () => {
  const keys = Array.from({ length: 100_000 }, (_, i) => `member-${i}`);
  const big = segment('big', { included: keys, excluded: keys.filter((_, i) => i % 1000 === 0) });
  const engine = engineWith([usesSegment('big')], [big]);

  it('includes every one of 100,000 listed keys except the excluded ones', () => {
    let members = 0;
    for (const key of keys) if (inSegment(engine, { targetingKey: key })) members++;
    expect(members).toBe(100_000 - 100);
  });

  it('leaves out keys that are not among the 100,000', () => {
    for (let i = 0; i < 1000; i++) expect(inSegment(engine, { targetingKey: `other-${i}` })).toBe(false);
  });

  it('answers membership in a 100,000-key segment in constant time (a set, not a list scan)', () => {
    const lastKey = keys[keys.length - 1]!;
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) inSegment(engine, { targetingKey: lastKey });
    // 100,000 list scans of 100,000 keys would take minutes; set lookups take milliseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('segment changes', () => {
  it('takes effect when the segment is applied, without changing the flag', () => {
    const engine = engineWith([usesSegment('beta')], [segment('beta', { included: ['alice'] })]);
    expect(inSegment(engine, { targetingKey: 'bob' })).toBe(false);
    engine.apply([
      {
        kind: 'segment',
        environment: PROD,
        key: 'beta',
        segment: segment('beta', { included: ['alice', 'bob'], version: 2 }),
      },
    ]);
    expect(inSegment(engine, { targetingKey: 'bob' })).toBe(true);
  });

  it('matches nobody once the segment is deleted', () => {
    const engine = engineWith([usesSegment('beta')], [segment('beta', { included: ['alice'] })]);
    engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]);
    expect(inSegment(engine, { targetingKey: 'alice' })).toBe(false);
  });

  it('leaves the same segment in other environments untouched', () => {
    const engine = engineWith(
      [usesSegment('beta')],
      [segment('beta', { environment: 'staging', included: ['alice'] }), segment('beta', { included: ['alice'] })],
    );
    engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]);
    expect(engine.evaluate('gated', { targetingKey: 'alice' }, { environment: 'staging' }).value).toBe(true);
  });
});
