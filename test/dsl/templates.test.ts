import { describe, expect, it } from 'vitest';
import { bucket, RuleCompiler, RuleError, type RuleResolvers } from '../../src/index.js';

/** Rules that differ only in their literals share one template; each still behaves as written. */
describe('rule templates (rules of one shape compiled once)', () => {
  it('compiles a thousand rules of one shape to one template, each matching its own literals', () => {
    const compiler = new RuleCompiler();
    const sources = Array.from({ length: 1000 }, (_, i) => `userId in ["u${i}-a", "u${i}-b"] and age > ${i}`);
    const rules = compiler.compileMany(sources.map((source) => ({ source })));
    expect(compiler.templateCount).toBe(1);
    rules.forEach((rule, i) => {
      if (rule instanceof RuleError) throw rule;
      expect(rule.evaluate({ userId: `u${i}-b`, age: i + 1 })).toBe(true);
      expect(rule.evaluate({ userId: `u${i}-b`, age: i })).toBe(false);
      expect(rule.evaluate({ userId: `u${(i + 1) % 1000}-a`, age: 5000 })).toBe(false);
    });
  });

  it('shares a template between spellings that only differ in whitespace', () => {
    const compiler = new RuleCompiler();
    expect(compiler.compile('plan=="a"').evaluate({ plan: 'a' })).toBe(true);
    expect(compiler.compile('plan  ==  "b"').evaluate({ plan: 'b' })).toBe(true);
    expect(compiler.compile('plan  ==  "b"').evaluate({ plan: 'a' })).toBe(false);
    expect(compiler.templateCount).toBe(1);
  });

  it('keeps every literal kind of each rule: long lists, suffixes, numbers, negative zero', () => {
    const compiler = new RuleCompiler();
    const long = (prefix: string) => `[${Array.from({ length: 12 }, (_, i) => `"${prefix}${i}"`).join(', ')}]`;
    const a = compiler.compile(`country in ${long('a')} and email endsWith "@a.com" and score >= 10`);
    const b = compiler.compile(`country in ${long('b')} and email endsWith "@b.com" and score >= -0`);
    expect(compiler.templateCount).toBe(1);
    expect(a.evaluate({ country: 'a11', email: 'x@a.com', score: 10 })).toBe(true);
    expect(a.evaluate({ country: 'b11', email: 'x@a.com', score: 10 })).toBe(false);
    expect(b.evaluate({ country: 'b3', email: 'x@b.com', score: 0 })).toBe(true);
    expect(b.evaluate({ country: 'b3', email: 'x@a.com', score: 0 })).toBe(false);
  });

  it("compiles each rule's own regular expression, and reports an invalid one at its position", () => {
    const compiler = new RuleCompiler();
    expect(compiler.compile('name matches "^a+$"').evaluate({ name: 'aaa' })).toBe(true);
    expect(compiler.compile('name matches "^b+$"').evaluate({ name: 'aaa' })).toBe(false);
    const error = (() => {
      try {
        compiler.compile('name matches "a("');
      } catch (caught) {
        return caught as RuleError;
      }
    })();
    expect(error).toBeInstanceOf(RuleError);
    expect(error!.diagnostics[0]).toMatchObject({ line: 1, column: 14 });
    expect(error!.diagnostics[0]!.message).toMatch(/invalid regular expression/);
  });

  it('reports a bad escape or an out-of-range number in a rule whose shape compiled before', () => {
    const compiler = new RuleCompiler();
    compiler.compile('x == "fine" and y == 1');
    expect(() => compiler.compile('x == "bad\\q" and y == 1')).toThrow(/unknown escape '\\q'.*line 1, column 10/);
    expect(() => compiler.compile('x == "fine" and y == 1e999')).toThrow(/number is out of range/);
  });

  it("reads each rule's own bracket-path property, including names objects inherit", () => {
    const compiler = new RuleCompiler();
    const a = compiler.compile('attrs["x-a"] == 1');
    const b = compiler.compile('attrs["x-b"] == 1');
    const inherited = compiler.compile('attrs["constructor"] == 1');
    expect(a.evaluate({ attrs: { 'x-a': 1, 'x-b': 2 } })).toBe(true);
    expect(b.evaluate({ attrs: { 'x-a': 1, 'x-b': 2 } })).toBe(false);
    expect(b.attributes).toEqual(['attrs["x-b"]']);
    // `constructor` exists on every object's prototype: it must still be read as an own property only.
    expect(inherited.evaluate({ attrs: {} })).toBe(false);
    expect(inherited.evaluate({ attrs: { constructor: 1 } })).toBe(true);
  });

  it("lists and resolves each rule's own segment and flag references", () => {
    const compiler = new RuleCompiler();
    const asked: string[] = [];
    const resolvers: RuleResolvers = { segment: (name) => (asked.push(name), name === 'beta'), flag: (key) => key };
    const beta = compiler.compile('segment("beta") and flag("f1") == "f1"', { resolvers });
    const gamma = compiler.compile('segment("gamma") and flag("f2") == "f2"', { resolvers });
    expect([beta.segments, beta.flags, gamma.segments, gamma.flags]).toEqual([['beta'], ['f1'], ['gamma'], ['f2']]);
    expect(beta.evaluate({})).toBe(true);
    expect(gamma.evaluate({})).toBe(false);
    expect(asked).toEqual(['beta', 'gamma']);
  });

  it('still rejects segment() without a resolver after the same shape compiled with one', () => {
    const compiler = new RuleCompiler();
    compiler.compile('segment("beta")', { resolvers: { segment: () => true } });
    expect(() => compiler.compile('segment("gamma")')).toThrow(/only available in flag rules/);
  });

  it("buckets with each rule's own salt and folds each rule's own constant calls", () => {
    const compiler = new RuleCompiler();
    const ids = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    for (const salt of ['flag-a', 'flag-b']) {
      const rule = compiler.compile('bucket(id) < 30', { salt });
      for (const id of ids) expect(rule.evaluate({ id })).toBe(bucket(id, salt)! < 30);
    }
    expect(compiler.compile('bucket("fixed-a") < 50').evaluate({})).toBe(bucket('fixed-a', '')! < 50);
    expect(compiler.compile('semver(v) >= semver("2.0.0")').evaluate({ v: '2.5.0' })).toBe(true);
    expect(compiler.compile('semver(v) >= semver("3.0.0")').evaluate({ v: '2.5.0' })).toBe(false);
  });

  it("shows each rule's generated code with its own literal values", () => {
    const compiler = new RuleCompiler();
    expect(compiler.compile('plan == "premium"').js).toContain('"premium"');
    const gold = compiler.compile('plan == "gold"').js;
    expect(gold).toContain('"gold"');
    expect(gold).not.toContain('"premium"');
    expect(gold).toContain('root.plan');
  });
});
