import { describe, expect, it } from 'vitest';
import { compileRule, configureRuleCache, RuleCompiler, RuleError, type RuleResolvers } from '../../src/index.js';

describe('the compileRule cache', () => {
  it('returns the same compiled rule for the same source', () => {
    expect(compileRule('cache.a == 1')).toBe(compileRule('cache.a == 1'));
  });

  it('returns the same compiled rule for the same source and options', () => {
    const resolvers: RuleResolvers = { segment: () => true };
    expect(compileRule('segment("s") and x == 1', { salt: 'f', resolvers })).toBe(
      compileRule('segment("s") and x == 1', { salt: 'f', resolvers }),
    );
    expect(compileRule('cache.b == 1', {})).toBe(compileRule('cache.b == 1'));
  });

  it('compiles a different source to a different rule', () => {
    expect(compileRule('cache.c == 1')).not.toBe(compileRule('cache.c == 2'));
    expect(compileRule('cache.c == 1')).not.toBe(compileRule('cache.c ==  1'));
  });

  it('compiles the same source with a different salt to a different rule', () => {
    const a = compileRule('bucket(id) < 50', { salt: 'flag-a' });
    const b = compileRule('bucket(id) < 50', { salt: 'flag-b' });
    expect(a).not.toBe(b);
    // And the salt really differs between them: some ids land on different sides of 50.
    const ids = Array.from({ length: 50 }, (_, i) => ({ id: `user-${i}` }));
    expect(ids.some((context) => a.evaluate(context) !== b.evaluate(context))).toBe(true);
    expect(compileRule('bucket(id) < 50', { salt: 'flag-a' })).toBe(a);
  });

  it('shares one compiled rule across salts when the rule does not depend on the salt', () => {
    // Only a one-argument bucket() reads the salt; sharing the rest lets thousands of flags with the
    // same condition reuse one compiled function.
    expect(compileRule('cache.salted == 1', { salt: 'flag-a' })).toBe(
      compileRule('cache.salted == 1', { salt: 'flag-b' }),
    );
  });

  it('compiles a rule that buckets with the default salt once per salt', () => {
    const a = compileRule('bucket(cache.id) < 50', { salt: 'flag-a' });
    const b = compileRule('bucket(cache.id) < 50', { salt: 'flag-b' });
    expect(a).not.toBe(b);
    expect(a.js).toContain('"flag-a"');
    expect(b.js).toContain('"flag-b"');
  });

  it('compiles the same source with different resolvers to different rules', () => {
    const yes: RuleResolvers = { segment: () => true };
    const no: RuleResolvers = { segment: () => false };
    const a = compileRule('segment("beta")', { resolvers: yes });
    const b = compileRule('segment("beta")', { resolvers: no });
    expect(a).not.toBe(b);
    expect(a.evaluate({})).toBe(true);
    expect(b.evaluate({})).toBe(false);
  });

  it('does not share a rule compiled with resolvers with one compiled without', () => {
    const withResolvers = compileRule('cache.d == 1', { resolvers: { flag: () => 1 } });
    expect(compileRule('cache.d == 1')).not.toBe(withResolvers);
  });

  it('hands out frozen rules, so one caller cannot change a rule another caller holds', () => {
    const rule = compileRule('cache.e == 1');
    expect(Object.isFrozen(rule)).toBe(true);
    expect(Object.isFrozen(rule.attributes)).toBe(true);
    expect(() => {
      (rule as { evaluate: unknown }).evaluate = () => true;
    }).toThrow(TypeError);
    expect(compileRule('cache.e == 1').evaluate({ cache: { e: 2 } })).toBe(false);
  });

  it('does not cache failures', () => {
    let first: unknown;
    let second: unknown;
    try {
      compileRule('cache ==');
    } catch (error) {
      first = error;
    }
    try {
      compileRule('cache ==');
    } catch (error) {
      second = error;
    }
    expect(first).toBeInstanceOf(RuleError);
    expect(second).toBeInstanceOf(RuleError);
    expect((second as RuleError).diagnostics).toEqual((first as RuleError).diagnostics);
  });

  it('starts afresh after configureRuleCache', () => {
    const before = compileRule('cache.f == 1');
    configureRuleCache({ cacheSize: 100 });
    const after = compileRule('cache.f == 1');
    expect(after).not.toBe(before);
    expect(compileRule('cache.f == 1')).toBe(after);
  });
});

describe('RuleCompiler', () => {
  it('keeps its own cache, separate from compileRule', () => {
    const compiler = new RuleCompiler();
    const rule = compiler.compile('own.a == 1');
    expect(compiler.compile('own.a == 1')).toBe(rule);
    expect(compileRule('own.a == 1')).not.toBe(rule);
    expect(new RuleCompiler().compile('own.a == 1')).not.toBe(rule);
  });

  it('evicts the least recently used rule beyond cacheSize', () => {
    const compiler = new RuleCompiler({ cacheSize: 2 });
    const a = compiler.compile('a == 1');
    const b = compiler.compile('b == 1');
    expect(compiler.compile('a == 1')).toBe(a); // a is now more recently used than b
    compiler.compile('c == 1'); // evicts b
    expect(compiler.size).toBe(2);
    expect(compiler.compile('a == 1')).toBe(a);
    expect(compiler.compile('b == 1')).not.toBe(b);
  });

  it('counts each salt of a source as a cached rule', () => {
    const compiler = new RuleCompiler({ cacheSize: 2 });
    const a = compiler.compile('bucket(id) < 10', { salt: 'a' });
    compiler.compile('bucket(id) < 10', { salt: 'b' });
    expect(compiler.size).toBe(2);
    expect(compiler.compile('bucket(id) < 10', { salt: 'a' })).toBe(a);
  });

  it('never holds more than cacheSize rules', () => {
    const compiler = new RuleCompiler({ cacheSize: 5 });
    for (let i = 0; i < 50; i++) compiler.compile(`x == ${i}`);
    expect(compiler.size).toBeLessThanOrEqual(5);
    for (let i = 0; i < 20; i++) compiler.compile('y == 1', { salt: `salt-${i}` });
    expect(compiler.size).toBeLessThanOrEqual(5);
  });

  it('checks without caching or throwing', () => {
    const compiler = new RuleCompiler({ cacheSize: 10 });
    expect(compiler.check('a ==').ok).toBe(false);
    expect(compiler.check('a == 1').ok).toBe(true);
    expect(compiler.size).toBe(0);
  });

  it('empties on clear()', () => {
    const compiler = new RuleCompiler();
    const rule = compiler.compile('a == 1');
    compiler.clear();
    expect(compiler.size).toBe(0);
    expect(compiler.compile('a == 1')).not.toBe(rule);
  });
});
